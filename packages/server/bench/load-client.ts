// The load side of bench/offload.ts, run in a child process so that the server's main thread and
// its pool are measured alone. Raw sockets, hand-built draft-02 frames (4.2) and handshakes
// (the classic request of the draft's overview, answer checked): nothing from @ws02 runs here.
import { connect, type Socket } from 'node:net';
import { exitWithParent } from '@ws02/process-group';

const CLASSIC_REQUEST = Buffer.concat([
  Buffer.from(
    'GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: example.com\r\n' +
      'Origin: http://example.com\r\nSec-WebSocket-Draft: 2\r\n' +
      'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n',
    'latin1',
  ),
  Buffer.from('^n:ds[4U', 'latin1'),
]);
const CLASSIC_ANSWER = Buffer.from("8jKS'y:G*Co,Wxa-", 'latin1');

/** Payload kinds: `ascii`, or `mixed` (Latin with diacritics, CJK, symbols: 1–3-byte UTF-8). */
export type PayloadKind = 'ascii' | 'mixed';

export function payload(kind: PayloadKind, bytes: number): Buffer {
  const unit = Buffer.from(
    kind === 'ascii' ? 'The quick brown fox. ' : 'Grüße, naïve café — 日本語のテキスト ✓ ',
  );
  const out = Buffer.alloc(bytes, 0x20); // whole sequences only; the tail is spaces
  for (let offset = 0; offset + unit.length <= bytes; offset += unit.length) unit.copy(out, offset);
  return out;
}

/** One unmasked Text frame (opcode 4), minimal length encoding (4.2). */
export function textFrame(body: Buffer): Buffer {
  if (body.length < 126) return Buffer.concat([Buffer.from([0x04, body.length]), body]);
  if (body.length < 65536) {
    const h = Buffer.from([0x04, 126, 0, 0]);
    h.writeUInt16BE(body.length, 2);
    return Buffer.concat([h, body]);
  }
  const h = Buffer.alloc(10);
  h[0] = 0x04;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(body.length), 2);
  return Buffer.concat([h, body]);
}

async function handshake(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let inbox: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      inbox = Buffer.concat([inbox, chunk]);
      const end = inbox.indexOf('\r\n\r\n');
      if (end === -1 || inbox.length < end + 4 + 16) return;
      socket.off('data', onData);
      if (!inbox.subarray(end + 4, end + 20).equals(CLASSIC_ANSWER)) {
        reject(new Error('bad handshake answer'));
        return;
      }
      if (inbox.length > end + 20) socket.unshift(inbox.subarray(end + 20));
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.on('connect', () => socket.write(CLASSIC_REQUEST));
  });
}

export interface TextLoad {
  port: number;
  kind: PayloadKind;
  bytes: number;
  connections: number;
  /** Messages in flight per connection (1 = request/response). */
  window: number;
  durationMs: number;
}

export interface TextResult {
  /** Acked within the window (the rate counts these). */
  messages: number;
  /** Acked in all, the in-flight tail included. */
  total: number;
  elapsedMs: number;
  p50: number;
  p99: number;
}

/**
 * Each connection keeps `window` messages in flight for `durationMs`; the server answers each
 * with a small Text ack. Latency is send → ack, in ms.
 */
export async function runTextLoad(load: TextLoad): Promise<TextResult> {
  const frame = textFrame(payload(load.kind, load.bytes));
  const sockets = await Promise.all(
    Array.from({ length: load.connections }, () => handshake(load.port)),
  );
  const latencies: number[] = [];
  let messages = 0;
  let running = true;
  const start = performance.now();
  const done = sockets.map(
    (socket) =>
      new Promise<void>((resolve) => {
        const sentAt: number[] = [];
        let inbox: Buffer = Buffer.alloc(0);
        const send = () => {
          sentAt.push(performance.now());
          socket.write(frame);
        };
        socket.on('data', (chunk: Buffer) => {
          inbox = inbox.length === 0 ? chunk : Buffer.concat([inbox, chunk]);
          // Acks are small: 2-byte headers.
          while (inbox.length >= 2 && inbox.length >= 2 + (inbox[1]! & 0x7f)) {
            inbox = inbox.subarray(2 + (inbox[1]! & 0x7f));
            const t = performance.now();
            latencies.push(t - sentAt.shift()!);
            messages++;
            if (running) send();
            else if (sentAt.length === 0) resolve();
          }
        });
        for (let i = 0; i < load.window; i++) send();
      }),
  );
  await new Promise((r) => setTimeout(r, load.durationMs));
  running = false;
  const elapsedMs = performance.now() - start;
  const counted = messages;
  const countedLatencies = latencies.slice();
  await Promise.race([Promise.all(done), new Promise((r) => setTimeout(r, 30_000))]);
  for (const socket of sockets) socket.destroy();
  countedLatencies.sort((a, b) => a - b);
  const at = (q: number) =>
    countedLatencies[
      Math.min(countedLatencies.length - 1, Math.floor(q * countedLatencies.length))
    ] ?? Number.NaN;
  return { messages: counted, total: messages, elapsedMs, p50: at(0.5), p99: at(0.99) };
}

export interface HandshakeBurst {
  port: number;
  count: number;
}

/** Opens `count` sockets, then sends every request in one go; ms until all answers arrived. */
export async function runHandshakeBurst(burst: HandshakeBurst): Promise<{ wallMs: number }> {
  const sockets = await Promise.all(
    Array.from(
      { length: burst.count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect(burst.port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  // Let the server accept them all: the burst is the requests, not the connects.
  await new Promise((r) => setTimeout(r, 200));
  const answered = sockets.map(
    (socket) =>
      new Promise<void>((resolve, reject) => {
        let inbox: Buffer = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          inbox = Buffer.concat([inbox, chunk]);
          const end = inbox.indexOf('\r\n\r\n');
          if (end === -1 || inbox.length < end + 20) return;
          if (!inbox.subarray(end + 4, end + 20).equals(CLASSIC_ANSWER))
            reject(new Error('bad answer'));
          else resolve();
        });
      }),
  );
  const start = performance.now();
  for (const socket of sockets) socket.write(CLASSIC_REQUEST);
  await Promise.all(answered);
  const wallMs = performance.now() - start;
  for (const socket of sockets) socket.destroy();
  return { wallMs };
}

// Child-process protocol: one request at a time over IPC.
if (process.argv.includes('--role=client') && process.send !== undefined) {
  exitWithParent();
  process.on(
    'message',
    async (
      message:
        | { id: number; op: 'text'; load: TextLoad }
        | { id: number; op: 'handshakes'; burst: HandshakeBurst }
        | { op: 'exit' },
    ) => {
      if (message.op === 'exit') process.exit(0);
      try {
        const result =
          message.op === 'text'
            ? await runTextLoad(message.load)
            : await runHandshakeBurst(message.burst);
        process.send!({ id: message.id, result });
      } catch (error) {
        process.send!({ id: message.id, error: (error as Error).message });
      }
    },
  );
}
