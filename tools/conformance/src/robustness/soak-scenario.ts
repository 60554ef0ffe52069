/**
 * Soak: connections exchanging checked messages of varied sizes for a fixed time while some are
 * closed and replaced every second (churn); the server's RSS and heap (after a full GC) are
 * sampled all along. A leak shows as heap growth that the GC does not take back.
 */
import { binaryFrame, OP } from '../wire/frame-bytes.js';
import { checkedMessage, classicRequest, LoadPeer, sleep, verifyMessage } from './load-peer.js';
import { MiB, mib, type ScenarioContext, type ScenarioResult } from './scenario.js';

export interface SoakOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Connections closed and replaced per second. */
  readonly churnPerSecond: number;
}

export interface SoakSample {
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly connections: number;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function soakScenario(
  ctx: ScenarioContext,
  options: SoakOptions,
): Promise<ScenarioResult> {
  const started = performance.now();
  const problems: string[] = [];
  const request = classicRequest(ctx.target);
  let nextId = 0;
  let messages = 0;
  let bytes = 0;
  let corrupted = 0;
  let lost = 0;
  let opened = 0;
  let churned = 0;
  let uncleanCloses = 0;
  let running = true;

  interface Live {
    readonly peer: LoadPeer;
    readonly done: Promise<void>;
    /** Stops sending; resolves once the last echo is in (or counts it lost after 5 s). */
    stop(): Promise<void>;
  }

  const start = async (): Promise<Live> => {
    const id = nextId++;
    const peer = await LoadPeer.open(ctx.target, request, 30_000);
    opened++;
    let stopped = false;
    let outstanding = false;
    const done = new Promise<void>((resolve) => {
      let seq = 0;
      const send = () => {
        if (stopped || !running || peer.closed) {
          resolve();
          return;
        }
        const size = (seq * 7919 + id * 104729) % (16 * 1024);
        outstanding = true;
        peer.send(binaryFrame(checkedMessage(id, seq, size)));
      };
      peer.onFrame = ({ op, payload }) => {
        if (op !== OP.BINARY) return;
        outstanding = false;
        messages++;
        bytes += payload.length;
        const bad = verifyMessage(payload, id, seq);
        if (bad !== undefined) {
          corrupted++;
          if (problems.length < 5) problems.push(`connection ${id}: ${bad}`);
        }
        seq++;
        setTimeout(send, 1);
      };
      peer.onClosed = () => resolve();
      send();
    });
    return {
      peer,
      done,
      stop: async () => {
        stopped = true;
        await Promise.race([done, sleep(5000)]);
        if (outstanding) lost++;
      },
    };
  };

  const live: Live[] = await Promise.all(
    Array.from({ length: options.connections }, () => start()),
  );
  const samples: SoakSample[] = [];
  const sample = async () => {
    if (!ctx.server) return;
    const s = await ctx.server.stats(true);
    samples.push({
      t: Math.round(performance.now() - started),
      rss: s.rss,
      heapUsed: s.heapUsed,
      connections: s.connections,
    });
  };
  await sample();
  const end = started + options.seconds * 1000;
  let lastLog = performance.now();
  while (performance.now() < end) {
    await sleep(1000);
    // Churn: close some connections cleanly, open as many new ones.
    for (let i = 0; i < options.churnPerSecond && live.length > 0; i++) {
      const index = (churned * 31 + i * 17) % live.length;
      const [victim] = live.splice(index, 1);
      // Wait for its last echo (a Close now would make the server drop it), then close.
      await victim!.stop();
      if (!(await victim!.peer.closeCleanly(5000))) uncleanCloses++;
      churned++;
      live.push(await start());
    }
    await sample();
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      const last = samples.at(-1);
      ctx.log(
        `soak: ${Math.round((performance.now() - started) / 1000)} s, ${messages} messages${last ? `, server heap ${mib(last.heapUsed)} MiB, RSS ${mib(last.rss)} MiB` : ''}`,
      );
    }
  }
  running = false;
  await Promise.all(live.map((l) => l.stop()));
  for (const l of live) if (!(await l.peer.closeCleanly(5000))) uncleanCloses++;
  await sleep(200);
  await sample();

  if (corrupted > 0) problems.push(`${corrupted} messages corrupted`);
  if (lost > 0) problems.push(`${lost} messages lost`);
  if (uncleanCloses > 0) problems.push(`${uncleanCloses} connections did not close cleanly`);
  const figures: Record<string, number | string> = {
    seconds: options.seconds,
    connections: options.connections,
    connectionsOpened: opened,
    churnedConnections: churned,
    messages,
    megabytesEchoed: mib(bytes),
    lost,
    corrupted,
  };
  if (samples.length >= 3) {
    // Leave out the first fifth (warm-up: JIT, pools), then compare and fit the rest.
    const steady = samples.slice(Math.floor(samples.length / 5), -1);
    const points = steady.map((s) => ({ x: s.t / 60_000, y: s.heapUsed / MiB }));
    const heapSlope = slope(points);
    const first = steady[0]!;
    const last = samples.at(-1)!;
    figures.samples = samples.length;
    figures.serverHeapStartMiB = mib(first.heapUsed);
    figures.serverHeapEndMiB = mib(steady.at(-1)!.heapUsed);
    figures.serverHeapAfterCloseMiB = mib(last.heapUsed);
    figures.serverHeapMaxMiB = mib(Math.max(...samples.map((s) => s.heapUsed)));
    figures.serverRssStartMiB = mib(first.rss);
    figures.serverRssEndMiB = mib(steady.at(-1)!.rss);
    figures.serverRssMaxMiB = mib(Math.max(...samples.map((s) => s.rss)));
    figures.serverHeapSlopeMiBPerMin = Math.round(heapSlope * 1000) / 1000;
    // A leak proportional to traffic grows without bound; allow noise of a few MiB.
    const growth = (steady.at(-1)!.heapUsed - first.heapUsed) / MiB;
    if (options.seconds >= 60 && heapSlope > 1)
      problems.push(`server heap grows ${heapSlope.toFixed(2)} MiB/min after warm-up`);
    if (growth > 32) problems.push(`server heap grew ${growth.toFixed(1)} MiB after warm-up`);
    if (last.connections !== 0)
      problems.push(`${last.connections} connections left on the server after closing`);
  }
  return {
    name: 'soak',
    passed: problems.length === 0,
    problems,
    figures,
    durationMs: Math.round(performance.now() - started),
  };
}
