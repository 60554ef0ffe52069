/**
 * @ws02/client on a real loopback connection to @ws02/server, against a baseline measured in
 * the same run: a bare `net.Socket` that writes pre-encoded frames and only counts the echoed
 * frame headers (no API, no events, no decoding) — the least any client could do. The ratio is
 * what the client's own layer costs on top of the wire and the server. The baseline writes its
 * frames pre-encoded, up to 64 KiB per write (the client encodes each message as it is sent and
 * coalesces what one tick queued).
 *
 *   pnpm bench                      (= node --import tsx bench/index.ts)
 *   pnpm bench -- --quick           (fewer messages and rounds, for a smoke run)
 *
 * Each figure is the median of the rounds; both sides share the machine with the server.
 */
import { once } from 'node:events';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { WebSocketServer } from '@ws02/server';
import { ConnectQueue, connect } from '../src/index.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await once(wss, 'listening');
const port = (wss.address() as AddressInfo).port;
const url = `ws://127.0.0.1:${port}/`;
wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head =
    n < 126
      ? Buffer.from([opcode, n])
      : n < 65536
        ? Buffer.from([opcode, 126, n >> 8, n & 0xff])
        : Buffer.concat([
            Buffer.from([opcode, 127]),
            Buffer.alloc(4),
            Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]),
          ]);
  return Buffer.concat([head, payload]);
}

// The classic request of the draft's section 1 overview, answered by "8jKS'y:G*Co,Wxa-".
const REQUEST = Buffer.concat([
  Buffer.from(
    'GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: example.com\r\n' +
      'Origin: http://example.com\r\nSec-WebSocket-Draft: 2\r\n' +
      'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n',
    'latin1',
  ),
  Buffer.from('^n:ds[4U', 'latin1'),
]);

/** A raw draft-02 connection: handshake done, then frames counted by their headers. */
async function rawOpen(): Promise<{ socket: Socket; onFrames: (cb: (n: number) => void) => void }> {
  const socket = netConnect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  socket.write(REQUEST);
  let inbox = Buffer.alloc(0);
  let handshaken = false;
  let counter: (n: number) => void = () => {};
  let need = 0; // payload bytes left in the current frame
  let head: number[] = [];
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      let c = chunk;
      if (!handshaken) {
        inbox = Buffer.concat([inbox, c]);
        const end = inbox.indexOf('\r\n\r\n');
        if (end === -1 || inbox.length < end + 4 + 16) return;
        handshaken = true;
        c = inbox.subarray(end + 20);
        resolve();
      }
      let frames = 0;
      for (let i = 0; i < c.length; ) {
        if (need > 0) {
          const take = Math.min(need, c.length - i);
          need -= take;
          i += take;
          if (need === 0) frames++;
          continue;
        }
        head.push(c[i++]!);
        const len7 = head.length >= 2 ? head[1]! & 0x7f : -1;
        const size = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
        if (head.length < size) continue;
        // Lengths here stay below 2^32: the low four bytes of a 63-bit length are enough.
        need =
          len7 === 126
            ? (head[2]! << 8) | head[3]!
            : len7 === 127
              ? head[6]! * 2 ** 24 + head[7]! * 65536 + head[8]! * 256 + head[9]!
              : len7;
        head = [];
        if (need === 0) frames++;
      }
      if (frames > 0) counter(frames);
    });
  });
  return { socket, onFrames: (cb) => (counter = cb) };
}

async function clientEcho(count: number, payload: Buffer, binary: boolean): Promise<number> {
  const ws = await connect(url, { connectQueue: new ConnectQueue() });
  const data = binary ? payload : payload.toString('latin1');
  const started = process.hrtime.bigint();
  let got = 0;
  await new Promise<void>((resolve) => {
    ws.on('message', () => {
      if (++got === count) resolve();
    });
    let sent = 0;
    const pump = () => {
      while (sent < count) {
        ws.send(data);
        sent++;
        if (ws.bufferedAmount > 4 << 20) {
          ws.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  const ns = Number(process.hrtime.bigint() - started);
  ws.terminate();
  return (count / ns) * 1e9;
}

async function rawEcho(count: number, payload: Buffer, binary: boolean): Promise<number> {
  const { socket, onFrames } = await rawOpen();
  // The ideal client: frames pre-encoded back to back, up to 64 KiB per write.
  const one = frame(binary ? 5 : 4, payload);
  const perBlock = Math.max(1, Math.floor(65536 / one.length));
  const block = Buffer.concat(Array.from({ length: perBlock }, () => one));
  const started = process.hrtime.bigint();
  let got = 0;
  await new Promise<void>((resolve) => {
    onFrames((n) => {
      got += n;
      if (got >= count) resolve();
    });
    let sent = 0;
    const pump = () => {
      while (sent < count) {
        const k = Math.min(perBlock, count - sent);
        sent += k;
        if (!socket.write(k === perBlock ? block : block.subarray(0, k * one.length))) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  const ns = Number(process.hrtime.bigint() - started);
  socket.destroy();
  return (count / ns) * 1e9;
}

async function clientConnects(count: number): Promise<number> {
  const queue = new ConnectQueue();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const ws = await connect(url, { connectQueue: queue, cookieJar: false });
    ws.terminate();
  }
  return (count / Number(process.hrtime.bigint() - started)) * 1e9;
}

async function rawConnects(count: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const { socket } = await rawOpen();
    socket.destroy();
  }
  return (count / Number(process.hrtime.bigint() - started)) * 1e9;
}

interface Row {
  readonly name: string;
  readonly client: () => Promise<number>;
  readonly raw: () => Promise<number>;
  readonly unit: string;
}

const n = quick ? 20_000 : 200_000;
const rows: Row[] = [
  {
    name: 'echo, 32 B text, pipelined',
    client: () => clientEcho(n, Buffer.alloc(32, 0x61), false),
    raw: () => rawEcho(n, Buffer.alloc(32, 0x61), false),
    unit: 'msg/s',
  },
  {
    name: 'echo, 1 KiB binary, pipelined',
    client: () => clientEcho(n / 2, Buffer.alloc(1024, 7), true),
    raw: () => rawEcho(n / 2, Buffer.alloc(1024, 7), true),
    unit: 'msg/s',
  },
  {
    name: 'echo, 64 KiB binary, pipelined',
    client: () => clientEcho(n / 100, Buffer.alloc(65536, 7), true),
    raw: () => rawEcho(n / 100, Buffer.alloc(65536, 7), true),
    unit: 'msg/s',
  },
  {
    name: 'open (handshake) + terminate, sequential',
    client: () => clientConnects(quick ? 200 : 2000),
    raw: () => rawConnects(quick ? 200 : 2000),
    unit: 'conn/s',
  },
];

console.log(
  `@ws02/client vs bare socket baseline (${ROUNDS} rounds, median; Node ${process.version})`,
);
console.log('| case | @ws02/client | bare socket | client / bare |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of rows) {
  const client: number[] = [];
  const raw: number[] = [];
  await row.client(); // warm-up
  await row.raw();
  for (let r = 0; r < ROUNDS; r++) {
    client.push(await row.client());
    raw.push(await row.raw());
  }
  const c = median(client);
  const b = median(raw);
  const fmt = (v: number) => `${Math.round(v).toLocaleString('en-US')} ${row.unit}`;
  console.log(`| ${row.name} | ${fmt(c)} | ${fmt(b)} | ${(c / b).toFixed(2)} |`);
}
await wss.close();
