// The offload stage (text decoded in a worker pool) on a real socket pair, with an in-process
// stand-in for the pool whose tasks complete when the test says so: this makes out-of-order
// completion deterministic. The real piscina pool and worker module are tested in @ws02/server.
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { decodeText } from '@ws02/frame';
import { describe, expect, it } from 'vitest';
import { oneTurn, until, WAIT_MS } from '../../../scripts/test-utils/wait.js';
import {
  type ConnectionCounters,
  createConnectionCounters,
  type OffloadPool,
  type TextDecodeTask,
  TextOffload,
  WebSocketConnection,
} from '../src/index.js';

async function socketPair(): Promise<{ ours: Socket; peer: Socket; close: () => Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const peer = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [ours] = (await accepted) as [Socket];
  await once(peer, 'connect');
  peer.on('error', () => {});
  return {
    ours,
    peer,
    close: async () => {
      peer.destroy();
      ours.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

interface HeldTask {
  task: TextDecodeTask;
  transferList: ArrayBuffer[];
  finish(): void;
  crash(message: string): void;
}

/**
 * A pool whose tasks wait until the test finishes them, then answer as the real worker does:
 * the decoded string, or null for invalid UTF-8 under `fail`.
 */
class HeldPool implements OffloadPool {
  readonly tasks: HeldTask[] = [];
  queueSize = 0;
  readonly maxThreads = 2;

  run(task: unknown, options?: { transferList?: ArrayBuffer[] }): Promise<unknown> {
    const t = task as TextDecodeTask;
    return new Promise((resolve, reject) => {
      this.tasks.push({
        task: t,
        transferList: options?.transferList ?? [],
        finish: () => {
          try {
            resolve(decodeText(new Uint8Array(t.bytes), t.policy));
          } catch {
            resolve(null);
          }
        },
        crash: (message) => reject(new Error(message)),
      });
    });
  }

  taskCount(n: number): Promise<void> {
    return until(() => this.tasks.length >= n, `${n} pool tasks`);
  }
}

function open(
  socket: Socket,
  pool: OffloadPool,
  textPolicy: 'replace' | 'fail' = 'replace',
  minBytes = 1024,
): { ws: WebSocketConnection; offload: TextOffload; counters: ConnectionCounters } {
  const offload = new TextOffload({ pool, minBytes });
  const counters = createConnectionCounters();
  const ws = new WebSocketConnection({
    socket,
    protocol: '',
    origin: undefined,
    resourceName: '/',
    context: undefined,
    rest: new Uint8Array(0),
    settings: {
      role: 'server',
      frameOptions: { textPolicy },
      maxBufferedBytes: 1 << 24,
      // Generous: a test that waits for a clean close must not be cut off by a stalled scheduler.
      closeTimeout: WAIT_MS,
      counters,
      offload,
    },
  });
  return { ws, offload, counters };
}

/** One unmasked draft-02 frame (4.2), minimal length encoding. */
function frame(opcode: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length < 126) return Buffer.concat([Buffer.from([opcode, body.length]), body]);
  if (body.length < 65536) {
    const h = Buffer.from([opcode, 126, 0, 0]);
    h.writeUInt16BE(body.length, 2);
    return Buffer.concat([h, body]);
  }
  const h = Buffer.alloc(10);
  h[0] = opcode;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(body.length), 2);
  return Buffer.concat([h, body]);
}
const TEXT = 0x04;
const PING = 0x02;
const CLOSE = 0x01;

/** Non-ASCII text of about `bytes` UTF-8 bytes (ASCII would be kept inline by default). */
function bigText(tag: string, bytes: number): string {
  return `${tag}:${'é'.repeat(bytes / 2)}`;
}

/** Resolves with `wasClean` at the connection's `close` (events.once would reject on `error`). */
function closed(ws: WebSocketConnection): Promise<boolean> {
  return new Promise((resolve) => ws.once('close', (_body, wasClean) => resolve(wasClean)));
}

describe('offload stage: order (4.3) and the section 6 policies', () => {
  it('delivers in wire order when pool tasks finish out of order; small text stays inline', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws, offload, counters } = open(pair.ours, pool);
      const seen: string[] = [];
      ws.on('message', (data) => seen.push(String(data).slice(0, 4)));
      ws.on('ping', () => seen.push('ping'));
      const a = bigText('A', 4096);
      const b = bigText('B', 8192);
      const wire = Buffer.concat([
        frame(TEXT, a),
        frame(TEXT, 'small-1'),
        frame(TEXT, b),
        frame(PING, 'p'),
        frame(TEXT, 'small-2'),
      ]);
      pair.peer.write(wire);
      await pool.taskCount(2);
      // Every frame has been read (the core parses each chunk as it arrives), and nothing passes
      // the pending first message.
      await until(() => counters.bytesIn === wire.length, 'every byte read');
      expect(seen).toEqual([]);
      pool.tasks[1]!.finish(); // B first
      // B's result arrives through the pool's promise: one turn runs everything it triggers.
      await oneTurn();
      expect(seen).toEqual([]);
      pool.tasks[0]!.finish();
      await until(() => seen.length === 5, 'five events');
      expect(seen).toEqual(['A:éé', 'smal', 'B:éé', 'ping', 'smal']);
      expect(offload.stats.offloaded).toBe(2);
    } finally {
      await pair.close();
    }
  });

  it('moves an ArrayBuffer of exactly the message (a copy owned by the stage) to the pool', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws, offload } = open(pair.ours, pool);
      const text = bigText('T', 3000);
      const got: string[] = [];
      ws.on('message', (data) => got.push(data as string));
      pair.peer.write(frame(TEXT, text));
      await pool.taskCount(1);
      const held = pool.tasks[0]!;
      expect(held.task.kind).toBe('text');
      expect(held.task.policy).toBe('replace');
      expect(held.transferList).toEqual([held.task.bytes]);
      expect(held.task.bytes.byteLength).toBe(Buffer.byteLength(text));
      // Inside one socket chunk: a view of it, so copied (not moved).
      expect(offload.stats).toMatchObject({ offloaded: 1, moved: 0 });
      held.finish();
      await until(() => got.length === 1, 'the message');
      expect(got[0]).toBe(text);
    } finally {
      await pair.close();
    }
  });

  it('moves a message the core joined from several chunks without copying it', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws, offload } = open(pair.ours, pool);
      const text = bigText('J', 300_000); // far more than one socket read: joined by the core
      const got: string[] = [];
      ws.on('message', (data) => got.push(data as string));
      pair.peer.write(frame(TEXT, text));
      await pool.taskCount(1);
      expect(pool.tasks[0]!.task.bytes.byteLength).toBe(Buffer.byteLength(text));
      expect(offload.stats).toMatchObject({ offloaded: 1, moved: 1 });
      pool.tasks[0]!.finish();
      await until(() => got.length === 1, 'the message');
      expect(got[0]).toBe(text);
    } finally {
      await pair.close();
    }
  });

  it('ASCII text stays inline however large; saturation (queueSize ≥ maxQueue) decodes inline', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws, offload } = open(pair.ours, pool);
      const got: string[] = [];
      ws.on('message', (data) => got.push(data as string));
      pair.peer.write(frame(TEXT, 'x'.repeat(100_000)));
      await until(() => got.length === 1, 'the ASCII message');
      expect(pool.tasks).toHaveLength(0);
      expect(offload.stats.asciiInline).toBe(1);
      pool.queueSize = 2; // at maxQueue (the pool's maxThreads)
      const big = bigText('S', 5000);
      pair.peer.write(frame(TEXT, big));
      await until(() => got.length === 2, 'the saturated message');
      expect(got[1]).toBe(big);
      expect(pool.tasks).toHaveLength(0);
      expect(offload.stats.saturated).toBe(1);
    } finally {
      await pair.close();
    }
  });

  it('invalid UTF-8 under fail: FRAME_INVALID_UTF8 in order, later events dropped (6)', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws } = open(pair.ours, pool, 'fail');
      const seen: string[] = [];
      ws.on('message', (data) => seen.push(String(data).slice(0, 4)));
      ws.on('error', (error) => seen.push(error.code));
      const bad = Buffer.concat([Buffer.from(bigText('X', 4000)), Buffer.from([0xff])]);
      pair.peer.write(Buffer.concat([frame(TEXT, 'ok'), frame(TEXT, bad), frame(TEXT, 'never')]));
      await pool.taskCount(1);
      pool.tasks[0]!.finish();
      await closed(ws);
      expect(seen).toEqual(['ok', 'FRAME_INVALID_UTF8']);
      expect(ws.closeError?.code).toBe('FRAME_INVALID_UTF8');
    } finally {
      await pair.close();
    }
  });

  it('replace policy through the pool: U+FFFD for the invalid byte', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws } = open(pair.ours, pool, 'replace');
      const got: string[] = [];
      ws.on('message', (data) => got.push(data as string));
      const bad = Buffer.concat([Buffer.from(bigText('R', 4000)), Buffer.from([0xff])]);
      pair.peer.write(frame(TEXT, bad));
      await pool.taskCount(1);
      pool.tasks[0]!.finish();
      await until(() => got.length === 1, 'the message');
      expect(got[0]!.endsWith('é\uFFFD')).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('a failed pool task fails the connection with SOCKET_OFFLOAD_FAILED, after what came before', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws, offload } = open(pair.ours, pool);
      const seen: string[] = [];
      ws.on('message', (data) => seen.push(String(data).slice(0, 4)));
      ws.on('error', (error) => seen.push(error.code));
      pair.peer.write(
        Buffer.concat([frame(TEXT, 'ok'), frame(TEXT, bigText('C', 4000)), frame(TEXT, 'never')]),
      );
      await pool.taskCount(1);
      pool.tasks[0]!.crash('worker exited');
      const wasClean = await closed(ws);
      expect(wasClean).toBe(false);
      expect(seen).toEqual(['ok', 'SOCKET_OFFLOAD_FAILED']);
      expect(ws.closeError?.code).toBe('SOCKET_OFFLOAD_FAILED');
      expect(ws.closeError?.message).toContain('worker exited');
      expect(offload.stats.failed).toBe(1);
    } finally {
      await pair.close();
    }
  });

  it("the peer's Close waits behind a pending decode; `close` is emitted after the message", async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws, counters } = open(pair.ours, pool);
      const seen: string[] = [];
      ws.on('message', (data) => seen.push(`message ${String(data).slice(0, 2)}`));
      ws.on('close', (_body, wasClean) =>
        seen.push(`close ${wasClean} ${ws.closeError?.code ?? ''}`),
      );
      // The peer reads (and so sees our FIN) and closes its side when we close ours (7).
      pair.peer.on('end', () => pair.peer.end());
      pair.peer.resume();
      const wire = Buffer.concat([frame(TEXT, bigText('M', 4000)), frame(CLOSE, '')]);
      pair.peer.write(wire);
      await pool.taskCount(1);
      // The Close has been read while the decode is pending: it waits behind the message.
      await until(() => counters.bytesIn === wire.length, 'every byte read');
      expect(seen).toEqual([]);
      pool.tasks[0]!.finish();
      await until(() => seen.length === 2, 'message and close');
      expect(seen).toEqual(['message M:', 'close true ']);
    } finally {
      await pair.close();
    }
  });

  it('stops reading while too many events wait behind a pending task, then resumes', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const { ws } = open(pair.ours, pool);
      let count = 0;
      let order = true;
      ws.on('message', (data) => {
        const s = String(data);
        if (count > 0 && s !== `m${count}`) order = false;
        count++;
      });
      const small: Buffer[] = [];
      for (let i = 1; i <= 1500; i++) small.push(frame(TEXT, `m${i}`));
      pair.peer.write(Buffer.concat([frame(TEXT, bigText('H', 4000)), ...small]));
      await pool.taskCount(1);
      await until(() => pair.ours.isPaused(), 'reading held');
      pool.tasks[0]!.finish();
      await until(() => count === 1501, 'all messages');
      expect(order).toBe(true);
      expect(pair.ours.isPaused()).toBe(false);
      expect(ws.readyState).toBe(WebSocketConnection.OPEN);
    } finally {
      await pair.close();
    }
  });

  it('text policy raw: no stage, bytes are delivered as they are', async () => {
    const pair = await socketPair();
    const pool = new HeldPool();
    try {
      const offload = new TextOffload({ pool, minBytes: 1 });
      const ws = new WebSocketConnection({
        socket: pair.ours,
        protocol: '',
        origin: undefined,
        resourceName: '/',
        context: undefined,
        rest: new Uint8Array(0),
        settings: {
          role: 'server',
          frameOptions: { textPolicy: 'raw' },
          maxBufferedBytes: 1 << 20,
          closeTimeout: 1000,
          counters: createConnectionCounters(),
          offload,
        },
      });
      const got: unknown[] = [];
      ws.on('message', (data, isBinary) => got.push([Buffer.isBuffer(data), isBinary]));
      pair.peer.write(frame(TEXT, bigText('W', 4000)));
      await until(() => got.length === 1, 'the message');
      expect(got).toEqual([[true, false]]);
      expect(pool.tasks).toHaveLength(0);
    } finally {
      await pair.close();
    }
  });

  it('rejects a pool without run() and bad limits', () => {
    expect(() => new TextOffload({ pool: {} as OffloadPool })).toThrow(TypeError);
    const pool = new HeldPool();
    expect(() => new TextOffload({ pool, minBytes: 0 })).toThrow(RangeError);
    expect(() => new TextOffload({ pool, maxQueue: -1 })).toThrow(RangeError);
    expect(new TextOffload({ pool }).maxQueue).toBe(2);
  });
});
