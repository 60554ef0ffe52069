// 5.1 step 2: no more than one connection per remote IP address in the CONNECTING state;
// when the address is unknown (proxy), host names count as distinct hosts under a total cap.
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectQueue, connect, defaultConnectQueue, WebSocket } from '../src/index.js';
import { closed, oneTurn, startEcho, startRawServer, until } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const lookup = async () => ({ address: '127.0.0.1', family: 4 });

/** An echo server whose handshakes take `ms`, recording how many run at the same time. */
async function slowServer(ms: number) {
  let running = 0;
  let maxRunning = 0;
  const started = await startEcho({
    verifyClient: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return true;
    },
  });
  cleanups.push(() => started.wss.close());
  return { ...started, max: () => maxRunning };
}

/**
 * An echo server whose handshakes each wait in verifyClient until `together` of them are there
 * at the same time: they complete only if the attempts are allowed to overlap.
 */
async function meetingServer(together: number) {
  let running = 0;
  let maxRunning = 0;
  const started = await startEcho({
    verifyClient: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await until(() => maxRunning >= together, `${together} handshakes at the server at once`);
      running--;
      return true;
    },
  });
  cleanups.push(() => started.wss.close());
  return { ...started, max: () => maxRunning };
}

describe('per-IP serialization (5.1 step 2)', () => {
  it('connections to one address, even by different names, never handshake at the same time', async () => {
    const server = await slowServer(60);
    const queue = new ConnectQueue();
    const log: string[] = [];
    queue.on('wait', (key) => log.push(`wait ${key}`));
    queue.on('acquire', (key) => log.push(`acquire ${key}`));
    queue.on('release', (key) => log.push(`release ${key}`));
    const urls = ['a.test', 'b.test', '127.0.0.1', 'a.test'].map(
      (host) => `ws://${host}:${server.port}/`,
    );
    const sockets = await Promise.all(
      urls.map((url) => connect(url, { connectQueue: queue, lookup, proxy: false })),
    );
    // Seen from the server: one handshake at a time.
    expect(server.max()).toBe(1);
    // Seen from the queue: acquire/release strictly alternate for the one address.
    const steps = log.filter((l) => !l.startsWith('wait'));
    expect(steps).toEqual(
      Array.from({ length: 4 }, () => ['acquire 127.0.0.1', 'release 127.0.0.1']).flat(),
    );
    expect(log.filter((l) => l.startsWith('wait'))).toHaveLength(3);
    expect(queue.maxConcurrentPerAddress).toBe(1);
    expect(queue.connecting).toEqual([]);
    for (const ws of sockets) {
      ws.close();
      await closed(ws);
    }
  });

  it('control: without a shared queue the same connections do overlap (the check above can fail)', async () => {
    // Each handshake waits for the other at the server: this completes only if they overlap.
    const server = await meetingServer(2);
    const sockets = await Promise.all(
      ['a.test', 'b.test'].map((host) =>
        connect(`ws://${host}:${server.port}/`, {
          connectQueue: new ConnectQueue(),
          lookup,
          proxy: false,
        }),
      ),
    );
    expect(server.max()).toBe(2);
    for (const ws of sockets) ws.terminate();
  });

  it('a second connection does not even open TCP until the first one has failed', async () => {
    // Never answers; the test fails the first attempt by dropping its connection, and the
    // second (request index 1) is dropped as soon as its request arrives.
    const raw = await startRawServer((socket, _request, index) => {
      if (index === 1) socket.destroy();
    });
    cleanups.push(raw.close);
    const queue = new ConnectQueue();
    const first = new WebSocket(`ws://127.0.0.1:${raw.port}/`, [], { connectQueue: queue });
    const second = new WebSocket(`ws://localhost.test:${raw.port}/`, [], {
      connectQueue: queue,
      lookup,
      proxy: false,
    });
    await until(() => raw.requests.length === 1, "the first attempt's request");
    expect(queue.waiting).toBe(1); // the second waits in the queue
    // Order, not time: a sentinel TCP connection opened now. Had the second attempt opened its
    // TCP connection, the server would have accepted that one before the sentinel.
    const sentinel = netConnect(raw.port, '127.0.0.1');
    sentinel.on('error', () => {});
    cleanups.push(() => sentinel.destroy());
    await once(sentinel, 'connect');
    await until(() => raw.sockets.length >= 2, 'the sentinel connection accepted');
    expect(raw.sockets).toHaveLength(2);
    expect(raw.sockets[1]!.remotePort).toBe(sentinel.localPort);
    expect(queue.waiting).toBe(1);
    raw.sockets[0]!.destroy(); // the first attempt fails
    expect((await closed(first))[1]).toBe(false);
    expect(first.closeError).toBeDefined();
    // Only now does the second open TCP and send its request.
    expect((await closed(second))[1]).toBe(false);
    expect(raw.sockets).toHaveLength(3);
    expect(raw.requests).toHaveLength(2);
  });

  it('the process-wide queue is used by default', async () => {
    const server = await slowServer(0);
    const keys: string[] = [];
    const onAcquire = (key: string) => keys.push(key);
    defaultConnectQueue.on('acquire', onAcquire);
    cleanups.push(() => defaultConnectQueue.off('acquire', onAcquire));
    const ws = await connect(server.url);
    expect(keys).toEqual(['127.0.0.1']);
    ws.terminate();
  });
});

describe('ConnectQueue', () => {
  it('serves each key one at a time, in arrival order, and different keys at once', async () => {
    const queue = new ConnectQueue();
    const order: string[] = [];
    const a1 = await queue.acquire({ key: '10.0.0.1', unresolved: false });
    const b1 = await queue.acquire({ key: '10.0.0.2', unresolved: false });
    const a2 = queue.acquire({ key: '10.0.0.1', unresolved: false }).then((r) => {
      order.push('a2');
      return r;
    });
    const a3 = queue.acquire({ key: '10.0.0.1', unresolved: false }).then((r) => {
      order.push('a3');
      return r;
    });
    expect(queue.connecting).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(queue.waiting).toBe(2);
    a1();
    a1(); // releasing twice is harmless
    (await a2)();
    (await a3)();
    b1();
    expect(order).toEqual(['a2', 'a3']);
    expect(queue.connecting).toEqual([]);
  });

  it('caps attempts whose address is unknown (proxy), and serializes each host name', async () => {
    const queue = new ConnectQueue({ maxPendingUnresolved: 2 });
    const h1 = await queue.acquire({ key: 'one.example', unresolved: true });
    const h2 = await queue.acquire({ key: 'two.example', unresolved: true });
    expect(queue.pendingUnresolved).toBe(2);
    let third = false;
    const p3 = queue.acquire({ key: 'three.example', unresolved: true }).then((r) => {
      third = true;
      return r;
    });
    let again = false;
    const p1b = queue.acquire({ key: 'one.example', unresolved: true }).then((r) => {
      again = true;
      return r;
    });
    // A resolved address is not subject to the cap.
    // Requested after the two others: had either been granted, it would have resolved first. One
    // more turn of the event loop lets anything already due run.
    const direct = await queue.acquire({ key: '192.0.2.1', unresolved: false });
    await oneTurn();
    expect([third, again]).toEqual([false, false]);
    h2();
    (await p3)();
    expect(again).toBe(false); // one.example is still CONNECTING
    h1();
    (await p1b)();
    direct();
    expect(queue.pendingUnresolved).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue', async () => {
    const queue = new ConnectQueue();
    const held = await queue.acquire({ key: 'x', unresolved: false });
    const controller = new AbortController();
    const waiting = queue.acquire({ key: 'x', unresolved: false }, controller.signal);
    expect(queue.waiting).toBe(1);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(queue.waiting).toBe(0);
    held();
    await expect(queue.acquire({ key: 'y', unresolved: false }, controller.signal)).rejects.toThrow(
      'gone',
    );
  });

  it('request(): granted synchronously when free, in turn when busy, withdrawable while waiting', () => {
    const queue = new ConnectQueue();
    const grants: string[] = [];
    const releases: (() => void)[] = [];
    const grant = (name: string) => (release: () => void) => {
      grants.push(name);
      releases.push(release);
    };
    queue.request({ key: 'x', unresolved: false }, grant('first'));
    // Step 2's one-at-a-time holds for the callback form too.
    expect(grants).toEqual(['first']);
    queue.request({ key: 'x', unresolved: false }, grant('second'));
    const withdraw = queue.request({ key: 'x', unresolved: false }, grant('withdrawn'));
    queue.request({ key: 'x', unresolved: false }, grant('third'));
    expect(grants).toEqual(['first']);
    expect(queue.waiting).toBe(3);
    withdraw();
    expect(queue.waiting).toBe(2);
    releases[0]!();
    expect(grants).toEqual(['first', 'second']);
    expect(queue.connecting).toEqual(['x']);
    releases[1]!();
    expect(grants).toEqual(['first', 'second', 'third']);
    releases[2]!();
    expect(queue.connecting).toEqual([]);
    expect(queue.waiting).toBe(0);
  });

  it('close() while an attempt waits for its turn withdraws it: it never connects', async () => {
    const server = await slowServer(10);
    const queue = new ConnectQueue();
    const held = await queue.acquire({ key: '127.0.0.1', unresolved: false });
    const ws = new WebSocket(server.url, undefined, { connectQueue: queue, proxy: false });
    ws.on('error', () => {});
    await until(() => queue.waiting === 1, 'the attempt to wait');
    const done = closed(ws);
    ws.close();
    await done;
    expect(ws.closeError?.code).toBe('CLIENT_CLOSED_BEFORE_OPEN');
    expect(queue.waiting).toBe(0);
    held();
    expect(queue.connecting).toEqual([]);
  });

  it('rejects a bad cap', () => {
    expect(() => new ConnectQueue({ maxPendingUnresolved: 0 })).toThrow(RangeError);
  });
});
