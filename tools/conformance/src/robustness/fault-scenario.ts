/**
 * Faults: while a pool of healthy clients keeps doing checked round trips, bad peers of every
 * kind come and go — killed mid-handshake and mid-frame, half-open, slowloris, header floods,
 * declared 1 GiB frames, peers that never read. Every bad peer must be freed by the server, the
 * healthy clients must lose nothing, and the server's memory must stay bounded.
 */
import { connect, type Socket } from 'node:net';
import { utf8 } from '../wire/bytes.js';
import { binaryFrame, frameBytes, OP } from '../wire/frame-bytes.js';
import { checkedMessage, classicRequest, LoadPeer, sleep, verifyMessage } from './load-peer.js';
import {
  MiB,
  mib,
  percentile,
  pool,
  type ScenarioContext,
  type ScenarioResult,
  until,
} from './scenario.js';

export interface FaultOptions {
  /** Healthy clients doing round trips throughout. */
  readonly healthy: number;
  /** Bad peers per kind. */
  readonly perKind: number;
  /** The server's handshake timeout (slowloris peers must be freed by it), ms. */
  readonly handshakeTimeout: number;
  /** The server's outgoing-buffer limit per connection (non-reading peers), bytes. */
  readonly maxBufferedBytes: number;
  /** Non-reading peers (each pushes 32 MiB of echoes it never reads). */
  readonly nonReaders: number;
}

interface FaultOutcome {
  readonly kind: string;
  readonly tried: number;
  /** Peers the server closed (freed) by the deadline. */
  readonly freed: number;
  readonly note: string;
}

/** A raw socket that records when the server closes it. */
function rawSocket(
  ctx: ScenarioContext,
): Promise<{ socket: Socket; closed: Promise<number>; data: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ctx.target.host, port: ctx.target.port });
    const chunks: Buffer[] = [];
    let size = 0;
    const started = performance.now();
    const closed = new Promise<number>((r) =>
      socket.once('close', () => r(performance.now() - started)),
    );
    socket.on('data', (c: Buffer) => {
      if (size < 4096) chunks.push(c);
      size += c.length;
    });
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, closed, data: () => Buffer.concat(chunks) }));
    socket.once('error', reject);
  });
}

/** Resolves true if `p` settles within `ms`. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

export async function faultScenario(
  ctx: ScenarioContext,
  options: FaultOptions,
): Promise<ScenarioResult> {
  const started = performance.now();
  const problems: string[] = [];
  const request = classicRequest(ctx.target);
  const baseline = ctx.server ? await ctx.server.stats(true) : undefined;
  let peakRss = baseline?.rss ?? 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling && ctx.server) {
      peakRss = Math.max(peakRss, (await ctx.server.stats()).rss);
      await sleep(250);
    }
  })();

  // ── the healthy pool ──
  const healthy = await Promise.all(
    Array.from({ length: options.healthy }, () => LoadPeer.open(ctx.target, request, 30_000)),
  );
  let running = true;
  let roundTrips = 0;
  let healthyFailures = 0;
  const latencies: number[] = [];
  const loops = healthy.map(
    (peer, conn) =>
      new Promise<void>((resolve) => {
        let seq = 0;
        let sentAt = 0;
        let timer: NodeJS.Timeout | undefined;
        const next = () => {
          clearTimeout(timer);
          if (!running || peer.closed) {
            if (peer.closed && running) healthyFailures++;
            resolve();
            return;
          }
          sentAt = performance.now();
          peer.send(binaryFrame(checkedMessage(conn, seq, 256)));
          timer = setTimeout(() => {
            healthyFailures++;
            if (problems.length < 10)
              problems.push(`healthy connection ${conn}: no echo of message ${seq} within 30 s`);
            resolve();
          }, 30_000);
        };
        peer.onFrame = ({ op, payload }) => {
          if (op !== OP.BINARY) return;
          latencies.push(performance.now() - sentAt);
          const bad = verifyMessage(payload, conn, seq);
          if (bad !== undefined) {
            healthyFailures++;
            if (problems.length < 10) problems.push(`healthy connection ${conn}: ${bad}`);
          }
          roundTrips++;
          seq++;
          setTimeout(next, 5);
        };
        peer.onClosed = () => next();
        next();
      }),
  );

  const outcomes: FaultOutcome[] = [];
  const K = options.perKind;
  const ids = Array.from({ length: K }, (_, i) => i);
  const freeWait = 10_000;

  // 1. Killed mid-handshake: half the head, then reset (or FIN for every other one).
  {
    let freed = 0;
    await pool(ids, 100, async (i) => {
      const s = await rawSocket(ctx);
      s.socket.write(request.subarray(0, 60));
      await sleep(5);
      if (i % 2 === 0) s.socket.resetAndDestroy();
      else s.socket.destroy();
      freed++;
    });
    outcomes.push({
      kind: 'killed mid-handshake',
      tried: K,
      freed,
      note: "half the request head, then RST (even) or FIN (odd); freed = the server's socket count at the end",
    });
  }
  // 2. Killed mid-frame: handshake, half a 1,000-byte frame, reset.
  {
    let freed = 0;
    await pool(ids, 100, async () => {
      const peer = await LoadPeer.open(ctx.target, request, 30_000);
      const frame = binaryFrame(Buffer.alloc(1000, 7));
      peer.send(frame.subarray(0, 300));
      await sleep(5);
      peer.socket.resetAndDestroy();
      freed++;
    });
    outcomes.push({
      kind: 'killed mid-frame',
      tried: K,
      freed,
      note: "handshake, 300 of 1,004 frame bytes, then RST; freed = the server's socket count at the end",
    });
  }
  // 3. Half-open: handshake, FIN without a Close frame; the server must close its side.
  {
    let freed = 0;
    await pool(ids, 100, async () => {
      const peer = await LoadPeer.open(ctx.target, request, 30_000);
      const closed = new Promise<void>((r) => peer.socket.once('close', () => r()));
      peer.socket.end();
      if (await within(closed, freeWait)) freed++;
      peer.socket.destroy();
    });
    outcomes.push({
      kind: 'half-open (FIN, no Close)',
      tried: K,
      freed,
      note: `server closed its side within ${freeWait / 1000} s`,
    });
  }
  // 4. Slowloris: the head one byte every 500 ms; the handshake timeout must free them.
  {
    const slow = await Promise.all(ids.map(() => rawSocket(ctx)));
    let stop = false;
    const drip = (async () => {
      for (let b = 0; !stop && b < request.length; b++) {
        for (const s of slow) if (!s.socket.destroyed) s.socket.write(request.subarray(b, b + 1));
        await sleep(500);
      }
    })();
    const limit = options.handshakeTimeout + 5000;
    const times = await Promise.all(
      slow.map((s) => Promise.race([s.closed, sleep(limit).then(() => -1)])),
    );
    stop = true;
    await drip;
    for (const s of slow) s.socket.destroy();
    const freedTimes = times.filter((t) => t >= 0);
    outcomes.push({
      kind: 'slowloris (1 byte / 500 ms)',
      tried: K,
      freed: freedTimes.length,
      note: `freed after ${Math.round(percentile(freedTimes, 50))}–${Math.round(percentile(freedTimes, 100))} ms (handshake timeout ${options.handshakeTimeout} ms)`,
    });
  }
  // 5. Header floods: 5,000 fields (≈110 KB); refused (431 or closed).
  {
    let freed = 0;
    const flood = utf8(
      `GET / HTTP/1.1\r\nHost: ${ctx.target.hostField}\r\n${Array.from({ length: 5000 }, (_, i) => `X-Flood-${i}: ${'v'.repeat(8)}\r\n`).join('')}\r\n`,
    );
    let refusedWithStatus = 0;
    await pool(ids, 50, async () => {
      const s = await rawSocket(ctx);
      s.socket.write(flood);
      if (await within(s.closed, freeWait)) freed++;
      if (/^HTTP\/1\.1 4\d\d/.test(s.data().toString('latin1'))) refusedWithStatus++;
      s.socket.destroy();
    });
    outcomes.push({
      kind: 'header flood (5,000 fields)',
      tried: K,
      freed,
      note: `${refusedWithStatus} answered with a 4xx status before closing`,
    });
  }
  // 6. Declared 1 GiB frames: refused from the header, nothing allocated.
  {
    let freed = 0;
    const rssBefore = ctx.server ? (await ctx.server.stats(true)).rss : 0;
    let rssDuring = rssBefore;
    await pool(ids, 50, async () => {
      const peer = await LoadPeer.open(ctx.target, request, 30_000);
      const closed = new Promise<void>((r) =>
        peer.closed ? r() : peer.socket.once('close', () => r()),
      );
      peer.send(
        Buffer.concat([
          frameBytes({ op: OP.BINARY, declaredLength: 1n << 30n }),
          Buffer.alloc(4096, 1),
        ]),
      );
      if (await within(closed, freeWait)) freed++;
      peer.socket.destroy();
    });
    if (ctx.server) rssDuring = (await ctx.server.stats()).rss;
    outcomes.push({
      kind: 'declared 1 GiB frame',
      tried: K,
      freed,
      note: ctx.server
        ? `server RSS ${mib(rssBefore)} → ${mib(rssDuring)} MiB`
        : 'server memory not observable',
    });
    if (ctx.server && rssDuring - rssBefore > 256 * MiB)
      problems.push(
        `server RSS grew by ${mib(rssDuring - rssBefore)} MiB on declared 1 GiB frames`,
      );
  }
  // 7. Non-reading peers: push 32 MiB of messages each, never read the echoes.
  {
    let freed = 0;
    const R = options.nonReaders;
    const chunk = binaryFrame(Buffer.alloc(64 * 1024, 3));
    const rssBefore = ctx.server ? (await ctx.server.stats(true)).rss : 0;
    const peakBefore = peakRss;
    peakRss = rssBefore;
    await Promise.all(
      Array.from({ length: R }, async () => {
        const peer = await LoadPeer.open(ctx.target, request, 30_000);
        peer.socket.pause(); // never read: the server's echoes pile up on its side
        const closed = new Promise<void>((r) =>
          peer.closed ? r() : peer.socket.once('close', () => r()),
        );
        for (let i = 0; i < 512 && !peer.closed; i++) {
          if (!peer.socket.write(chunk))
            await within(new Promise((r) => peer.socket.once('drain', r)), 2000);
          if (peer.socket.writableLength > 8 * MiB) break;
        }
        if (await within(closed, 30_000)) freed++;
        peer.socket.destroy();
      }),
    );
    const grown = peakRss - rssBefore;
    const bound = R * (options.maxBufferedBytes + 16 * MiB) + 64 * MiB;
    outcomes.push({
      kind: 'non-reading peers',
      tried: R,
      freed,
      note: ctx.server
        ? `server RSS peak +${mib(grown)} MiB over ${mib(rssBefore)} MiB (bound ${mib(bound)} MiB)`
        : 'server memory not observable',
    });
    if (ctx.server && grown > bound)
      problems.push(
        `server RSS grew ${mib(grown)} MiB with ${R} non-reading peers (bound ${mib(bound)} MiB)`,
      );
    peakRss = Math.max(peakRss, peakBefore);
  }

  // Everything bad is gone: only the healthy pool is left on the server.
  const settled = ctx.server
    ? await until(async () => {
        const s = await ctx.server!.stats();
        return s.connections === options.healthy && s.sockets === options.healthy;
      }, 20_000)
    : true;
  const after = ctx.server ? await ctx.server.stats(true) : undefined;
  running = false;
  await Promise.all(loops);
  let clean = 0;
  for (const peer of healthy) if (await peer.closeCleanly(10_000)) clean++;
  sampling = false;
  await sampler;

  for (const o of outcomes) {
    if (o.freed < o.tried) problems.push(`${o.kind}: ${o.tried - o.freed} of ${o.tried} not freed`);
  }
  if (!settled) {
    problems.push(
      `the server kept ${after?.connections ?? '?'} connections and ${after?.sockets ?? '?'} sockets, ${options.healthy} expected (leaked bad peers)`,
    );
  }
  if (healthyFailures > 0) problems.push(`${healthyFailures} healthy round trips failed`);
  if (clean < healthy.length)
    problems.push(`${healthy.length - clean} healthy connections did not close cleanly`);
  if (after !== undefined && after.sendErrors > 0)
    problems.push(`${after.sendErrors} echo sends threw in the server`);
  const badTried = outcomes.reduce((n, o) => n + o.tried, 0);
  const figures: Record<string, number | string> = {
    healthyConnections: options.healthy,
    healthyRoundTrips: roundTrips,
    healthyFailures,
    healthyLatencyP50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    healthyLatencyP99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
    healthyLatencyMaxMs: Math.round(percentile(latencies, 100) * 100) / 100,
    badPeersTried: badTried,
    badPeersFreed: outcomes.reduce((n, o) => n + o.freed, 0),
  };
  for (const o of outcomes) figures[o.kind] = `${o.freed}/${o.tried} freed; ${o.note}`;
  if (baseline) figures.serverRssBeforeMiB = mib(baseline.rss);
  if (ctx.server) figures.serverRssPeakMiB = mib(peakRss);
  if (after) {
    // The server's own account of what it refused or cut (errors by stable code).
    const errors = (after.counters as { errors?: Record<string, number> }).errors ?? {};
    const before =
      (baseline?.counters as { errors?: Record<string, number> } | undefined)?.errors ?? {};
    figures.serverErrorCodes = Object.entries(errors)
      .map(([code, n]) => [code, n - (before[code] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    figures.serverRssAfterMiB = mib(after.rss);
    figures.serverConnectionsAfter = after.connections;
    figures.serverSocketsAfter = after.sockets;
  }
  return {
    name: 'faults',
    passed: problems.length === 0,
    problems,
    figures,
    durationMs: Math.round(performance.now() - started),
  };
}
