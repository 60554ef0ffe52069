// Fan-out benchmark: one sender posts to a room of N members; every member must receive every
// message. Compared, in the same run, with the smallest possible "chat" on the same stack: a
// bare @ws02/server that broadcasts every message it receives (`wss.broadcast`, encode once)
// with no parsing, validation, ids, history or rate limiting. The ratio is what the chat logic
// costs on top of the transport.
//
//   node --import tsx bench/index.ts            quick (default): 100 members × 300 messages
//   node --import tsx bench/index.ts --long     200 members × 2000 messages, 5 rounds
//   node --import tsx bench/index.ts --scale    scale-out: 1 process vs 2 workers vs Redis
//                                               (bench/scale.ts; add --long for the long run)
//
// Wall and CPU time of the whole process (server and the in-process clients) are reported;
// both runs are alternated so that load from elsewhere on the machine hits them alike.
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { WebSocketServer } from '@ws02/server';
import { createChatServer } from '../src/index.js';
import { scaleBench } from './scale.js';

if (process.argv.includes('--scale')) {
  await scaleBench();
  process.exit(0);
}

const long = process.argv.includes('--long');
const MEMBERS = long ? 200 : 100;
const MESSAGES = long ? 2000 : 300;
const ROUNDS = long ? 5 : 3;
const BATCH = 50;

const HANDSHAKE = Buffer.concat([
  Buffer.from(
    'GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1\r\n' +
      'Origin: http://bench\r\nSec-WebSocket-Draft: 2\r\n' +
      'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n',
  ),
  Buffer.from('^n:ds[4U', 'latin1'),
]);

function textFrame(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length < 126) return Buffer.concat([Buffer.from([4, body.length]), body]);
  const h = Buffer.from([4, 126, 0, 0]);
  h.writeUInt16BE(body.length, 2);
  return Buffer.concat([h, body]);
}

/** A lean client: counts Text frames by their headers, never parses them. */
class Counter {
  frames = 0;
  #buf: Buffer = Buffer.alloc(0);
  #handshaken = false;
  #want = 0;
  #resolve: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }
  static async open(port: number): Promise<Counter> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const c = new Counter(socket);
    socket.write(HANDSHAKE);
    await c.until(0);
    return c;
  }
  /** Resolves once the handshake is done and `n` frames arrived. */
  until(n: number): Promise<void> {
    if (this.#handshaken && this.frames >= n) return Promise.resolve();
    this.#want = n;
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  #read(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (!this.#handshaken) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end === -1 || this.#buf.length < end + 20) return;
      this.#buf = this.#buf.subarray(end + 20);
      this.#handshaken = true;
    }
    let b = this.#buf;
    for (;;) {
      if (b.length < 2) break;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        at = 4;
      }
      if (b.length < at + len) break;
      if ((b[0]! & 0x0f) === 4) this.frames++;
      b = b.subarray(at + len);
    }
    this.#buf = b;
    if (this.#resolve !== undefined && this.frames >= this.#want) {
      const r = this.#resolve;
      this.#resolve = undefined;
      r();
    }
  }
}

async function fanOut(port: number, setup: (c: Counter, i: number) => Promise<void>) {
  const members: Counter[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const c = await Counter.open(port);
    await setup(c, i);
    members.push(c);
  }
  const sender = members[0]!;
  await new Promise((r) => setTimeout(r, 100)); // presence events settle
  const times: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const base = members.map((m) => m.frames);
    const batch: Buffer[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      batch.push(textFrame(JSON.stringify({ type: 'post', room: 'bench', text: `message ${i}` })));
    }
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    // The sender writes BATCH messages per event-loop turn, as a busy client would.
    for (let i = 0; i < batch.length; i += BATCH) {
      sender.socket.write(Buffer.concat(batch.slice(i, i + BATCH)));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(members.map((m, i) => m.until(base[i]! + MESSAGES)));
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  for (const m of members) m.socket.destroy();
  return { wall: median(times), cpu: median(cpu) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function chat(): Promise<{ wall: number; cpu: number }> {
  const server = createChatServer({
    port: 0,
    processMetrics: false,
    heartbeat: false,
    limits: { rate: 1e9, burst: 1e9, maxRoomMembers: 10_000 },
  });
  const { port } = await server.start();
  const ms = await fanOut(port, async (c, i) => {
    const n = c.frames;
    c.socket.write(textFrame(JSON.stringify({ type: 'hello', nick: `u${i}`, rooms: ['bench'] })));
    await c.until(n + 3); // welcome, joined, own join event
  });
  await server.stop();
  return ms;
}

async function bare(): Promise<{ wall: number; cpu: number }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => ws.on('message', (data) => wss.broadcast(data)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const ms = await fanOut((http.address() as AddressInfo).port, async () => {});
  await wss.close();
  await new Promise((r) => http.close(r));
  return ms;
}

// Alternate the two so that load from elsewhere on the machine hits both alike.
const bares: { wall: number; cpu: number }[] = [];
const chats: { wall: number; cpu: number }[] = [];
for (let i = 0; i < (long ? 3 : 2); i++) {
  bares.push(await bare());
  chats.push(await chat());
}
const b = { wall: median(bares.map((x) => x.wall)), cpu: median(bares.map((x) => x.cpu)) };
const c = { wall: median(chats.map((x) => x.wall)), cpu: median(chats.map((x) => x.cpu)) };
const deliveries = MEMBERS * MESSAGES;
const rate = (ms: number) => Math.round(deliveries / (ms / 1000)).toLocaleString('en-US');
console.log(
  `fan-out: ${MEMBERS} members × ${MESSAGES} messages, ${BATCH} per write (medians; clients in-process)`,
);
console.log(
  `  bare @ws02/server broadcast: ${b.wall.toFixed(1)} ms wall, ${b.cpu.toFixed(1)} ms CPU  (${rate(b.wall)} deliveries/s)`,
);
console.log(
  `  chat server (full protocol): ${c.wall.toFixed(1)} ms wall, ${c.cpu.toFixed(1)} ms CPU  (${rate(c.wall)} deliveries/s)`,
);
console.log(
  `  chat / bare: ${(c.wall / b.wall).toFixed(2)}× wall time, ${(c.cpu / b.cpu).toFixed(2)}× CPU time`,
);
