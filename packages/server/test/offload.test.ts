// Issue 10, offload: CPU-heavy work in a piscina pool created by the test (as an application
// would) with the shipped worker module (dist/offload-worker.js: run `npx tsup` first; turbo's
// test task depends on build). Real sockets, raw byte-exact clients.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createClientHandshake } from '@ws02/handshake';
import { Piscina } from 'piscina';
import { afterAll, describe, expect, it } from 'vitest';
import { WAIT_MS } from '../../../scripts/test-utils/wait.js';
import {
  calibrateOffload,
  type OffloadOptions,
  offloadWorkerUrl,
  type WebSocket,
  type WebSocketServer,
} from '../src/index.js';
import { frame, OP, openWebSocket, RawClient, readFrame } from './raw-client.js';
import { startServer } from './server-fixture.js';

const pools: Piscina[] = [];
function newPool(options: ConstructorParameters<typeof Piscina>[0] = {}): Piscina {
  // Fixed-size pools, as recommended (see the thread-churn warning test).
  const pool = new Piscina({
    filename: offloadWorkerUrl,
    minThreads: 1,
    maxThreads: 1,
    ...options,
  });
  pools.push(pool);
  return pool;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
});

function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** What the digest server answers for a message: kind, UTF-8 length and SHA-1 of the content. */
function digestOf(data: string | Buffer, isBinary = typeof data !== 'string'): string {
  return `${isBinary ? 'b' : 't'}:${Buffer.byteLength(data)}:${sha1(data)}`;
}

interface Started {
  wss: WebSocketServer;
  port: number;
  errors: string[];
}

/** A server answering every message with its digest; server-side connection errors collected. */
async function startDigest(
  offload: OffloadOptions | undefined,
  textPolicy: 'replace' | 'fail' = 'replace',
): Promise<Started> {
  const { wss, port } = await startServer({ ...(offload ? { offload } : {}), textPolicy });
  const errors: string[] = [];
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => ws.send(digestOf(data, isBinary)));
    ws.on('error', (error) => errors.push(error.code));
  });
  return { wss, port, errors };
}

/** Non-ASCII text of at least `bytes` UTF-8 bytes, tagged so messages differ. */
function text(tag: string, bytes: number, unit = 'Grüße 日本語 ✓ '): string {
  const u = Buffer.byteLength(unit);
  return `${tag}|${unit.repeat(Math.ceil(bytes / u))}`;
}

async function readText(client: RawClient): Promise<string> {
  const f = await readFrame(client);
  expect(f.opcode).toBe(OP.TEXT);
  return f.payload.toString('utf8');
}

describe('text offload (sections 4.3 and 6 through a piscina pool)', () => {
  it('large text decoded in the pool arrives intact and in order, with small and binary messages between', async () => {
    const pool = newPool({ minThreads: 2, maxThreads: 2 });
    const { wss, port, errors } = await startDigest({ pool, minBytes: 16 * 1024 });
    try {
      const clients = await Promise.all([1, 2, 3].map(() => openWebSocket(port)));
      const plans = clients.map((_, c) => [
        text(`c${c}a`, 200_000, '日本語のテキスト'),
        `small ${c}`,
        text(`c${c}b`, 1_100_000),
        Buffer.alloc(100_000, c),
        text(`c${c}c`, 70_000, 'ñandú café '),
        `é ${c}`,
      ]);
      clients.forEach((client, c) => {
        client.write(
          Buffer.concat(
            plans[c]!.map((m) => (typeof m === 'string' ? frame(OP.TEXT, m) : frame(OP.BINARY, m))),
          ),
        );
      });
      for (let c = 0; c < clients.length; c++) {
        for (const m of plans[c]!) expect(await readText(clients[c]!)).toBe(digestOf(m));
      }
      const stats = wss.offloadStats!.text;
      // Nine large non-ASCII messages: each went to the pool or, when its queue was full, inline.
      expect(stats.offloaded + stats.saturated).toBe(9);
      expect(stats.offloaded).toBeGreaterThan(0);
      // Messages larger than a socket read were joined by the core and moved without a copy.
      expect(stats.moved).toBeGreaterThan(0);
      expect(stats.failed).toBe(0);
      expect(errors).toEqual([]);
      for (const client of clients) client.socket.destroy();
    } finally {
      await wss.close();
    }
  });

  it('a fragmented large text message (4.3) is joined, then decoded in the pool', async () => {
    const pool = newPool();
    const { wss, port } = await startDigest({ pool, minBytes: 16 * 1024 });
    try {
      const client = await openWebSocket(port);
      const message = text('frag', 300_000);
      const bytes = Buffer.from(message);
      // Split inside a multi-byte sequence on purpose: only the joined message is decoded.
      const cut = bytes.indexOf(Buffer.from('日')) + 1;
      client.write(
        Buffer.concat([
          frame(OP.TEXT, bytes.subarray(0, cut), true),
          frame(OP.PING, 'between'),
          frame(OP.CONT, bytes.subarray(cut), false),
        ]),
      );
      const pong = await readFrame(client);
      expect(pong).toMatchObject({ opcode: OP.PONG, payload: Buffer.from('between') });
      expect(await readText(client)).toBe(digestOf(message));
      expect(wss.offloadStats!.text.offloaded).toBe(1);
      client.socket.destroy();
    } finally {
      await wss.close();
    }
  });

  it('ASCII and small text stay inline (nothing sent to the pool)', async () => {
    const pool = newPool();
    const { wss, port } = await startDigest({ pool, minBytes: 16 * 1024 });
    try {
      const client = await openWebSocket(port);
      const messages = ['x'.repeat(500_000), 'héllo', `${'y'.repeat(20_000)}`];
      client.write(Buffer.concat(messages.map((m) => frame(OP.TEXT, m))));
      for (const m of messages) expect(await readText(client)).toBe(digestOf(m));
      expect(wss.offloadStats!.text).toEqual({
        offloaded: 0,
        moved: 0,
        asciiInline: 2,
        saturated: 0,
        failed: 0,
      });
      expect(pool.completed).toBe(0);
      client.socket.destroy();
    } finally {
      await wss.close();
    }
  });

  it('invalid UTF-8 under fail, decoded in the pool: FRAME_INVALID_UTF8 fails that connection only (6)', async () => {
    const pool = newPool();
    const { wss, port, errors } = await startDigest({ pool, minBytes: 16 * 1024 }, 'fail');
    try {
      const bad = await openWebSocket(port);
      const good = await openWebSocket(port);
      const invalid = Buffer.concat([Buffer.from(text('bad', 100_000)), Buffer.from([0xc3, 0x28])]);
      bad.write(
        Buffer.concat([frame(OP.TEXT, 'first'), frame(OP.TEXT, invalid), frame(OP.TEXT, 'never')]),
      );
      expect(await readText(bad)).toBe(digestOf('first'));
      // Failing the connection (7) closes TCP without a Close frame; nothing after the bad message.
      await bad.waitClosed();
      expect(bad.inbox.length).toBe(0);
      expect(errors).toEqual(['FRAME_INVALID_UTF8']);
      expect(wss.offloadStats!.text.offloaded).toBe(1);
      const ok = text('good', 100_000);
      good.write(frame(OP.TEXT, ok));
      expect(await readText(good)).toBe(digestOf(ok));
      good.socket.destroy();
    } finally {
      await wss.close();
    }
  });

  it('invalid UTF-8 under replace, decoded in the pool: U+FFFD as the WHATWG decoder gives (6)', async () => {
    const pool = newPool();
    const { wss, port, errors } = await startDigest({ pool, minBytes: 16 * 1024 }, 'replace');
    try {
      const client = await openWebSocket(port);
      const invalid = Buffer.concat([
        Buffer.from(text('rep', 100_000)),
        Buffer.from([0xc3, 0x28, 0xf0, 0x9f, 0x98]),
      ]);
      client.write(frame(OP.TEXT, invalid));
      const expected = new TextDecoder('utf-8', { ignoreBOM: true }).decode(invalid);
      expect(expected.endsWith('\uFFFD(\uFFFD')).toBe(true);
      expect(await readText(client)).toBe(digestOf(expected));
      expect(wss.offloadStats!.text.offloaded).toBe(1);
      expect(errors).toEqual([]);
      client.socket.destroy();
    } finally {
      await wss.close();
    }
  });
});

describe('adaptive: saturation falls back inline', () => {
  it('maxQueue 0: every large message is decoded inline, none queued', async () => {
    const pool = newPool();
    const { wss, port } = await startDigest({ pool, minBytes: 16 * 1024, maxQueue: 0 });
    try {
      const client = await openWebSocket(port);
      const messages = [text('s1', 100_000), text('s2', 200_000)];
      client.write(Buffer.concat(messages.map((m) => frame(OP.TEXT, m))));
      for (const m of messages) expect(await readText(client)).toBe(digestOf(m));
      expect(wss.offloadStats!.text).toMatchObject({ offloaded: 0, saturated: 2 });
      expect(pool.completed).toBe(0);
      client.socket.destroy();
    } finally {
      await wss.close();
    }
  });

  it('a burst on a one-thread pool: past maxQueue waiting tasks, the rest is decoded inline, all in order', async () => {
    const pool = newPool();
    const { wss, port } = await startDigest({ pool, minBytes: 16 * 1024, maxQueue: 1 });
    try {
      const client = await openWebSocket(port);
      const messages = Array.from({ length: 16 }, (_, i) =>
        text(`burst${i}`, 400_000, '日本語のテキスト'),
      );
      client.write(Buffer.concat(messages.map((m) => frame(OP.TEXT, m))));
      for (const m of messages) expect(await readText(client)).toBe(digestOf(m));
      const stats = wss.offloadStats!.text;
      expect(stats.offloaded + stats.saturated).toBe(16);
      expect(stats.offloaded).toBeGreaterThan(0);
      expect(stats.saturated).toBeGreaterThan(0);
      client.socket.destroy();
    } finally {
      await wss.close();
    }
  });
});

describe('failures: a crashed worker fails only its connection', () => {
  it('worker crash → SOCKET_OFFLOAD_FAILED for that connection; piscina replaces the worker; others keep working', async () => {
    const pool = newPool({
      filename: new URL('./fixtures/crash-worker.mjs', import.meta.url).href,
      maxThreads: 1,
    });
    const { wss, port, errors } = await startDigest({ pool, minBytes: 16 * 1024 });
    try {
      const victim = await openWebSocket(port);
      const other = await openWebSocket(port);
      const before = text('before', 50_000);
      other.write(frame(OP.TEXT, before));
      expect(await readText(other)).toBe(digestOf(before));
      victim.write(
        Buffer.concat([
          frame(OP.TEXT, 'ok'),
          frame(OP.TEXT, text('CRASH', 50_000)),
          frame(OP.TEXT, 'never'),
        ]),
      );
      expect(await readText(victim)).toBe(digestOf('ok'));
      await victim.waitClosed();
      expect(victim.inbox.length).toBe(0);
      expect(errors).toEqual(['SOCKET_OFFLOAD_FAILED']);
      expect(wss.offloadStats!.text.failed).toBe(1);
      // The other connection, and a new one, are served; large text goes to the new worker.
      const after = text('after', 50_000);
      other.write(frame(OP.TEXT, after));
      expect(await readText(other)).toBe(digestOf(after));
      const fresh = await openWebSocket(port);
      fresh.write(frame(OP.TEXT, after));
      expect(await readText(fresh)).toBe(digestOf(after));
      expect(wss.offloadStats!.text.offloaded).toBe(4);
      other.socket.destroy();
      fresh.socket.destroy();
    } finally {
      await wss.close();
    }
  });

  it('a pool whose tasks fail: text fails its connection, handshakes fall back inline, the server keeps serving', async () => {
    const pool = newPool({
      filename: new URL('./fixtures/failing-worker.mjs', import.meta.url).href,
    });
    const { wss, port, errors } = await startDigest({
      pool,
      minBytes: 16 * 1024,
      handshakes: { minBatch: 1 },
    });
    try {
      const client = await openWebSocket(port); // checks the 16-byte answer
      expect(wss.offloadStats!.handshakes).toMatchObject({ failed: 1, inline: 1, batched: 0 });
      client.write(frame(OP.TEXT, text('lost', 50_000)));
      await client.waitClosed();
      expect(errors).toEqual(['SOCKET_OFFLOAD_FAILED']);
      const next = await openWebSocket(port);
      next.write(frame(OP.TEXT, 'small still inline'));
      expect(await readText(next)).toBe(digestOf('small still inline'));
      next.socket.destroy();
    } finally {
      await wss.close();
    }
  });
});

describe('handshake batching (5.2.2 steps 8–9 in the pool)', () => {
  it('gives byte-identical responses to the inline path', async () => {
    const pool = newPool();
    const batched = await startDigest({ pool, handshakes: { minBatch: 4 } });
    const inline = await startDigest(undefined);
    try {
      const handshakes = Array.from({ length: 24 }, (_, i) =>
        createClientHandshake({ url: `ws://example.com/h${i}`, origin: 'http://example.com' }),
      );
      async function respond(port: number): Promise<Buffer[]> {
        const clients = await Promise.all(handshakes.map(() => RawClient.open(port)));
        // Let the server accept every socket, then send all requests in one go: the server reads
        // them in the same event-loop turn (a burst).
        await new Promise((r) => setTimeout(r, 100));
        for (let i = 0; i < clients.length; i++) {
          clients[i]!.write(Buffer.from(handshakes[i]!.request));
        }
        const responses: Buffer[] = [];
        for (const client of clients) {
          await client.until(() => client.inbox.indexOf('\r\n\r\n') !== -1, WAIT_MS, 'head');
          const end = client.inbox.indexOf('\r\n\r\n') + 4;
          responses.push(await client.take(end + 16));
          client.socket.destroy();
        }
        return responses;
      }
      const fromBatched = await respond(batched.port);
      const fromInline = await respond(inline.port);
      for (let i = 0; i < handshakes.length; i++) {
        expect(fromBatched[i]!.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
        expect(fromBatched[i]!.subarray(-16)).toEqual(Buffer.from(handshakes[i]!.expected));
        expect(fromBatched[i]).toEqual(fromInline[i]);
      }
      const stats = batched.wss.offloadStats!.handshakes!;
      expect(stats.batched + stats.inline).toBe(24);
      expect(stats.batches).toBeGreaterThan(0);
      expect(stats.failed).toBe(0);
    } finally {
      await batched.wss.close();
      await inline.wss.close();
    }
  });

  it('is off by default: no pool task for a handshake, the classic answer inline', async () => {
    const pool = newPool();
    const { wss, port } = await startDigest({ pool });
    try {
      const client = await openWebSocket(port);
      expect(wss.offloadStats!.handshakes).toBeUndefined();
      expect(pool.completed).toBe(0);
      client.socket.destroy();
    } finally {
      await wss.close();
    }
  });
});

describe('the shipped worker module and calibration', () => {
  it('warns once about a pool that restarts threads on bursts (piscina defaults)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const churny = newPool({ minThreads: 1, maxThreads: 3, idleTimeout: 0 });
    const fixed = newPool();
    const servers = [
      await startServer({ offload: { pool: churny } }),
      await startServer({ offload: { pool: churny } }),
      await startServer({ offload: { pool: fixed } }),
    ];
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    for (const { wss } of servers) await wss.close();
    const ours = warnings.filter(
      (w) => (w as { code?: string }).code === 'WS02_OFFLOAD_THREAD_CHURN',
    );
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toContain('minThreads 1 < maxThreads 3');
  });

  it('offloadWorkerUrl names dist/offload-worker.js, from the ESM and the CJS build alike', () => {
    expect(existsSync(fileURLToPath(offloadWorkerUrl))).toBe(true);
    expect(offloadWorkerUrl.endsWith('/dist/offload-worker.js')).toBe(true);
    const require = createRequire(import.meta.url);
    const cjs = require('../dist/index.cjs') as { offloadWorkerUrl: string };
    expect(cjs.offloadWorkerUrl).toBe(offloadWorkerUrl);
  });

  it('the worker decodes with the policies, hashes batches, and rejects unknown tasks', async () => {
    const pool = newPool();
    const bytes = new TextEncoder().encode('héllo');
    expect(await pool.run({ kind: 'text', bytes: bytes.buffer, policy: 'fail' })).toBe('héllo');
    const bad = Uint8Array.of(0x61, 0xff);
    expect(await pool.run({ kind: 'text', bytes: bad.buffer, policy: 'fail' })).toBeNull();
    expect(await pool.run({ kind: 'text', bytes: bad.buffer, policy: 'replace' })).toBe('a\uFFFD');
    // The draft's 5.2.2 worked example: challenge → response "n`9eBk9z$R8pOtVb".
    const challenge = Buffer.from('36096565 0AB96733 576A4E7D 7C4D2836'.replaceAll(' ', ''), 'hex');
    const out = (await pool.run({
      kind: 'md5',
      challenges: new Uint8Array(challenge).buffer,
    })) as ArrayBuffer;
    expect(Buffer.from(out).toString('latin1')).toBe('n`9eBk9z$R8pOtVb');
    await expect(pool.run({ kind: 'nope' })).rejects.toThrow(/unknown task/);
    await expect(pool.run({ kind: 'text', bytes: bad.buffer, policy: 'raw' })).rejects.toThrow(
      /unknown text policy/,
    );
  });

  it('calibrateOffload measures inline vs pool and picks a threshold at or above its floor', async () => {
    const pool = newPool();
    const result = await calibrateOffload(pool, { sizes: [16 * 1024, 256 * 1024], rounds: 2 });
    expect(result.samples.map((s) => s.bytes)).toEqual([16 * 1024, 256 * 1024]);
    for (const s of result.samples) {
      expect(s.inlineMicros).toBeGreaterThanOrEqual(0);
      expect(s.offloadMainMicros).toBeGreaterThanOrEqual(0);
      expect(s.offloadWallMicros).toBeGreaterThan(0);
    }
    // Decoding 256 KiB of mixed text costs the main thread hundreds of µs on any machine.
    expect(result.samples[1]!.inlineMicros).toBeGreaterThan(0);
    expect(result.method).toBe(process.platform === 'linux' ? 'thread-cpu' : 'wall');
    expect(result.roundTripMicros).toBeGreaterThan(0);
    expect(result.minBytes === Number.POSITIVE_INFINITY || result.minBytes >= 16 * 1024).toBe(true);
    await expect(calibrateOffload({ run: async () => 0, queueSize: 0 })).rejects.toThrow(
      /does not run the offload worker/,
    );
  });
});
