// Opt-in reconnection: exponential backoff with jitter; `reconnecting` events; `close` only
// when the application closes or the retries run out.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  ClientError,
  connect,
  RECONNECT_DEFAULTS,
  type ReconnectingInfo,
  WebSocket,
} from '../src/index.js';
import { closed, failure, nextEvent, startEcho, startServer, until } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const fast = { minDelay: 20, maxDelay: 100, factor: 2, jitter: 0.5 };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('reconnect', () => {
  it('after the server drops the connection: reconnecting, then open again, no close in between', async () => {
    const { url, wss } = await startEcho();
    cleanups.push(() => wss.close());
    const peers: { terminate(): void }[] = [];
    wss.on('connection', (peer) => peers.push(peer));
    const ws = await connect(url, { reconnect: fast });
    cleanups.push(() => ws.terminate());
    const events: string[] = [];
    ws.on('close', () => events.push('close'));
    ws.on('open', () => events.push('open'));
    await until(() => peers.length === 1, 'the server side of the connection');
    const reconnecting = nextEvent<[ReconnectingInfo]>(ws, 'reconnecting');
    peers[0]!.terminate(); // the server drops the connection, once the test is listening
    const [info] = await reconnecting;
    expect(info.attempt).toBe(1);
    expect(info.delay).toBeGreaterThanOrEqual(10);
    expect(info.delay).toBeLessThanOrEqual(20);
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    expect(() => ws.send('while down')).toThrow(
      expect.objectContaining({ code: 'CLIENT_NOT_OPEN' }),
    );
    await nextEvent(ws, 'open');
    expect(events).toEqual(['open']);
    ws.send('back');
    expect((await nextEvent<[string]>(ws, 'message'))[0]).toBe('back');
    ws.close();
    await closed(ws);
    expect(events).toEqual(['open', 'close']);
    expect(peers).toHaveLength(2);
  });

  it('a server-initiated Close also triggers a reconnection; the application close() does not', async () => {
    const { url, wss } = await startServer();
    cleanups.push(() => wss.close());
    const resources: string[] = [];
    wss.on('connection', (peer, req) => {
      resources.push(String(req.url));
      if (resources.length === 1) peer.close('restarting');
    });
    const ws = new WebSocket(url, [], { reconnect: fast });
    const attempts: number[] = [];
    ws.on('reconnecting', (info) => attempts.push(info.attempt));
    await nextEvent(ws, 'reconnecting');
    await nextEvent(ws, 'open');
    // From here the timers the client sets are fake: a reconnection that close() scheduled
    // could only start when the test runs them, not whenever the scheduler gets to it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    ws.close();
    const [, wasClean] = await closed(ws);
    expect(wasClean).toBe(true);
    vi.runOnlyPendingTimers(); // a reconnection scheduled by close() would start now...
    vi.useRealTimers();
    // ...and, through the same per-address queue (5.1 step 2), reach the server before this
    // sentinel connection: order, not time.
    const sentinel = await connect(`${url}sentinel`);
    expect(resources).toEqual(['/', '/', '/sentinel']);
    expect(attempts).toEqual([1]);
    sentinel.terminate();
    await closed(sentinel);
  });

  it('gives up after `retries` failed attempts: error (the last failure), then close', async () => {
    const port = await freePort();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [], { reconnect: { ...fast, retries: 3 } });
    const attempts: number[] = [];
    ws.on('reconnecting', (info) => attempts.push(info.attempt));
    const error = await failure(ws);
    expect(attempts).toEqual([1, 2, 3]);
    expect(error).toMatchObject({ code: 'CLIENT_CONNECT_FAILED' });
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('retries a failed first connection until the server is there', async () => {
    const port = await freePort();
    // No limit on the retries: however long the server below takes to start, it is found.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [], {
      reconnect: { ...fast, retries: Infinity },
    });
    cleanups.push(() => ws.terminate());
    const [info] = await nextEvent<[ReconnectingInfo]>(ws, 'reconnecting');
    expect(info.error).toBeInstanceOf(ClientError);
    const { WebSocketServer } = await import('@ws02/server');
    const wss = new WebSocketServer({ port, host: '127.0.0.1' });
    cleanups.push(() => wss.close());
    await nextEvent(ws, 'open');
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('close() while waiting to reconnect ends it: CLIENT_CLOSED_BEFORE_OPEN, then close', async () => {
    const port = await freePort();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [], {
      reconnect: { ...fast, minDelay: 5000, maxDelay: 5000 },
    });
    await nextEvent(ws, 'reconnecting');
    ws.close();
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const error = await failure(ws);
    expect(error).toMatchObject({ code: 'CLIENT_CLOSED_BEFORE_OPEN' });
  });

  it('for await keeps yielding across a reconnection', async () => {
    const { url, wss } = await startServer();
    cleanups.push(() => wss.close());
    let n = 0;
    wss.on('connection', (peer) => {
      n++;
      // The first connection is dropped once its message is written; for the second, the
      // server stops listening and then closes it (wss.close()), so the one retry finds no
      // server and the iteration ends.
      if (n === 1) peer.send('hello 1', () => peer.terminate());
      else peer.send('hello 2', () => void wss.close());
    });
    const ws = new WebSocket(url, [], { reconnect: { ...fast, retries: 1 } });
    const attempts: number[] = [];
    ws.on('reconnecting', (info) => attempts.push(info.attempt));
    const got: string[] = [];
    for await (const { data } of ws) got.push(data as string);
    expect(got).toEqual(['hello 1', 'hello 2']);
    expect(attempts).toEqual([1, 1]);
    expect(n).toBe(2);
    expect(ws.closeError).toMatchObject({ code: 'CLIENT_CONNECT_FAILED' });
  });
});

describe('backoffDelay', () => {
  it('grows by `factor` from `minDelay`, is capped at `maxDelay`, and jitter only shortens it', () => {
    const o = { ...RECONNECT_DEFAULTS, minDelay: 100, maxDelay: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, o))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempt, jitter, r) => {
          const opts = { ...RECONNECT_DEFAULTS, jitter };
          const base = Math.min(opts.maxDelay, opts.minDelay * opts.factor ** (attempt - 1));
          const d = backoffDelay(attempt, opts, () => r);
          return d <= base && d >= Math.floor(base * (1 - jitter)) && d >= 0;
        },
      ),
      { numRuns: 200 },
    );
  });
});
