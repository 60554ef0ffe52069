/**
 * Offload benchmark (issue 10): where does a piscina pool pay on this machine?
 *
 *   pnpm bench                        (= node --import tsx bench/offload.ts; build first: npx tsup)
 *   pnpm bench -- --quick             (smoke run: short cells, one round)
 *   pnpm bench -- --only=text,small,handshake,micro --duration=1000 --rounds=3
 *
 * The server (and its pool) runs in this process; the load runs in a child process
 * (bench/load-client.ts) with raw sockets. Every cell is measured in interleaved rounds (modes
 * rotate within a round) and the median is reported, because other work may share the machine.
 *
 * - text: Text messages of 1 KiB … 4 MiB, ASCII and mixed (1–3-byte UTF-8), 4 connections, one
 *   message in flight each (send → small ack): messages/s, MB/s, latency p50/p99, and the
 *   server's main-thread utilization (ELU) and process CPU (main + workers), for: inline (no
 *   offload), offload with defaults, offload with a one-thread pool, and everything offloaded.
 * - small: 32 B and 1 KiB messages, 8 connections × 16 in flight: offload on (defaults) vs off.
 * - micro: one MD5 inline (TypeScript core, node:crypto), one empty pool round trip, and the
 *   HandshakeBatcher inline vs through the pool for batches of 1 … 1024.
 * - handshake: bursts of 256 / 1024 handshakes over real sockets, batching on vs off.
 */

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type ConnectionEvent, FrameConnection } from '@ws02/frame';
import { md5 } from '@ws02/handshake';
import { forkInGroup } from '@ws02/process-group';
import { type DeliveredEvent, TextOffload, TextOffloadQueue } from '@ws02/socket';
import { Piscina } from 'piscina';
import { HandshakeBatcher } from '../src/handshake-batcher.js';
import {
  calibrateOffload,
  type OffloadOptions,
  offloadWorkerUrl,
  WebSocketServer,
} from '../src/index.js';
import type { HandshakeBurst, PayloadKind, TextLoad, TextResult } from './load-client.js';

const argv = process.argv.slice(2);
const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const QUICK = argv.includes('--quick');
const DURATION = Number(arg('duration') ?? (QUICK ? 200 : 1000));
const ROUNDS = Number(arg('rounds') ?? (QUICK ? 1 : 3));
const ONLY = new Set((arg('only') ?? 'text,small,micro,handshake').split(','));

// --- the load child ---------------------------------------------------------------------------

// Its own process group; it exits when this process goes (load-client.ts: exitWithParent).
const child = forkInGroup(new URL('./load-client.ts', import.meta.url), ['--role=client'], {
  execArgv: process.execArgv,
});
let nextId = 0;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
  const w = waiting.get(m.id);
  waiting.delete(m.id);
  if (m.error !== undefined) w?.reject(new Error(m.error));
  else w?.resolve(m.result);
});
function rpc<T>(message: Record<string, unknown>): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    child.send({ id, ...message });
  });
}

// --- servers ------------------------------------------------------------------------------------

async function start(
  offload: OffloadOptions | undefined,
): Promise<{ wss: WebSocketServer; port: number }> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxPendingHandshakes: 5000,
    ...(offload ? { offload } : {}),
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    // The ack proves the message was decoded (a string) without echoing megabytes back.
    ws.on('message', (data) => ws.send(typeof data === 'string' ? 'k' : 'b'));
  });
  return { wss, port: (wss.address() as { port: number }).port };
}

// piscina's defaults on 2 cores: minThreads 1, maxThreads 3, idleTimeout 0 — threads above the
// first are started for a burst and exit as soon as they are idle.
const poolDefault = new Piscina({ filename: offloadWorkerUrl });
// Fixed-size pools (the recommended shape): threads are started once and stay.
const poolOne = new Piscina({ filename: offloadWorkerUrl, minThreads: 1, maxThreads: 1 });
const poolTwo = new Piscina({ filename: offloadWorkerUrl, minThreads: 2, maxThreads: 2 });

// --- helpers ------------------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const sizeName = (b: number) =>
  b >= 1 << 20 ? `${b / (1 << 20)} MiB` : b >= 1024 ? `${b / 1024} KiB` : `${b} B`;
const rotate = <T>(xs: T[], r: number) => xs.map((_, i) => xs[(i + r) % xs.length]!);

interface Cell {
  rate: number;
  mbps: number;
  p50: number;
  p99: number;
  elu: number;
  cpu: number;
  /** Main-thread CPU per message (µs), from /proc: not inflated by preemption, unlike ELU. */
  mainUs: number;
  /** Worker-thread CPU per message (µs): process CPU minus the main thread's. */
  workerUs: number;
}

/**
 * CPU time of this process's main thread (ms): Linux schedstat (ns; exact at each sleep, and
 * every read here follows an await), NaN elsewhere.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'latin1');
    return Number(stat.split(' ', 1)[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * Server-only capacity on 2 cores it has to itself, from the CPU per message: the main thread
 * can use at most one core, main + workers at most two.
 */
function twoCoreBound(c: Cell): number {
  return 1e6 / Math.max(c.mainUs, (c.mainUs + c.workerUs) / 2);
}

async function measure(port: number, load: Omit<TextLoad, 'port'>): Promise<Cell> {
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  const r = await rpc<TextResult>({ op: 'text', load: { ...load, port } });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mainMs = mainThreadCpuMs() - main0;
  // Messages acked after the window still cost CPU inside the measurement: count them all.
  const handled = Math.max(1, r.total);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const rate = (r.messages / r.elapsedMs) * 1000;
  return {
    rate,
    mbps: (rate * load.bytes) / 1e6,
    p50: r.p50,
    p99: r.p99,
    elu: elu * 100,
    cpu: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    mainUs: (mainMs * 1000) / handled,
    workerUs: (((cpu.user + cpu.system) / 1000 - mainMs) * 1000) / handled,
  };
}

function medianCell(cells: Cell[]): Cell {
  const pick = (k: keyof Cell) => median(cells.map((c) => c[k]));
  return {
    rate: pick('rate'),
    mbps: pick('mbps'),
    p50: pick('p50'),
    p99: pick('p99'),
    elu: pick('elu'),
    cpu: pick('cpu'),
    mainUs: pick('mainUs'),
    workerUs: pick('workerUs'),
  };
}

// --- main ---------------------------------------------------------------------------------------

const load0 = loadavg();
console.log(
  `# offload bench — node ${process.version}, ${DURATION} ms × ${ROUNDS} rounds, load ${load0.map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(
  `pool defaults: maxThreads ${poolDefault.maxThreads}, minThreads ${poolDefault.minThreads}`,
);

const calibration = await calibrateOffload(poolOne);
console.log(
  `\ncalibrateOffload(1-thread pool, ${calibration.method}): minBytes ${calibration.minBytes}, empty round trip ${fmt(calibration.roundTripMicros)} µs`,
);
console.log('| size | inline decode µs | offloaded: main-thread µs | offloaded: wall µs |');
console.log('|---|---|---|---|');
for (const s of calibration.samples) {
  console.log(
    `| ${sizeName(s.bytes)} | ${fmt(s.inlineMicros)} | ${fmt(s.offloadMainMicros)} | ${fmt(s.offloadWallMicros)} |`,
  );
}

if (ONLY.has('text')) {
  const modes = {
    inline: await start(undefined),
    'offload, 1 worker': await start({ pool: poolOne }),
    'offload, 1 worker, maxQueue 8': await start({ pool: poolOne, maxQueue: 8 }),
    'offload, 2 workers': await start({ pool: poolTwo }),
    'offload, piscina defaults': await start({ pool: poolDefault }),
    'offload everything, 1 worker': await start({
      pool: poolOne,
      minBytes: 1,
      keepAsciiInline: false,
      maxQueue: Number.POSITIVE_INFINITY,
    }),
  };
  const names = Object.keys(modes) as (keyof typeof modes)[];
  const sizes = QUICK
    ? [1024, 256 * 1024, 1 << 20]
    : [1024, 64 * 1024, 256 * 1024, 1 << 20, 4 << 20];
  console.log('\n## Text messages: 4 connections, 1 in flight each (send → ack)\n');
  console.log(
    '| payload | mode | msg/s | MB/s | p50 ms | p99 ms | main CPU µs/msg | other threads CPU µs/msg | main busy (ELU) | vs inline (msg/s) | 2-core bound msg/s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const kind of ['mixed', 'ascii'] as PayloadKind[]) {
    for (const bytes of sizes) {
      const cells = new Map<string, Cell[]>(names.map((n) => [n, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const name of rotate(names, r)) {
          cells.get(name)!.push(
            await measure(modes[name].port, {
              kind,
              bytes,
              connections: 4,
              window: 1,
              durationMs: DURATION,
            }),
          );
        }
      }
      const base = medianCell(cells.get('inline')!);
      for (const name of names) {
        const c = medianCell(cells.get(name)!);
        console.log(
          `| ${kind} ${sizeName(bytes)} | ${name} | ${fmt(c.rate)} | ${fmt(c.mbps, 1)} | ${fmt(c.p50, 2)} | ${fmt(c.p99, 2)} | ${fmt(c.mainUs)} | ${fmt(c.workerUs)} | ${fmt(c.elu)}% | ${name === 'inline' ? '' : `${fmt(c.rate / base.rate, 2)}×`} | ${fmt(twoCoreBound(c))} |`,
        );
      }
    }
  }
  for (const name of names) await modes[name].wss.close();
}

if (ONLY.has('small')) {
  const off = await start(undefined);
  const on = await start({ pool: poolOne });
  const rounds = Math.max(ROUNDS, QUICK ? 1 : 5);
  console.log(
    '\n## Small messages: offload on (default settings, 1-worker pool) vs off — 8 connections × 16 in flight\n',
  );
  console.log(
    '| payload | off msg/s | on msg/s | on ÷ off | off p99 ms | on p99 ms | off main CPU µs/msg | on main CPU µs/msg | rounds (on ÷ off each) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const kind of ['ascii', 'mixed'] as PayloadKind[]) {
    for (const bytes of [32, 1024]) {
      const offCells: Cell[] = [];
      const onCells: Cell[] = [];
      for (let r = 0; r < rounds; r++) {
        const load = { kind, bytes, connections: 8, window: 16, durationMs: DURATION };
        if (r % 2 === 0) {
          offCells.push(await measure(off.port, load));
          onCells.push(await measure(on.port, load));
        } else {
          onCells.push(await measure(on.port, load));
          offCells.push(await measure(off.port, load));
        }
      }
      const a = medianCell(offCells);
      const b = medianCell(onCells);
      const each = onCells.map((c, i) => fmt(c.rate / offCells[i]!.rate, 2)).join(' ');
      console.log(
        `| ${kind} ${sizeName(bytes)} | ${fmt(a.rate)} | ${fmt(b.rate)} | ${fmt(b.rate / a.rate, 2)}× | ${fmt(a.p99, 2)} | ${fmt(b.p99, 2)} | ${fmt(a.mainUs, 2)} | ${fmt(b.mainUs, 2)} | ${each} |`,
      );
    }
  }
  console.log(
    `\n(pool tasks run during the small-message rows: ${on.wss.offloadStats!.text.offloaded})`,
  );
  await off.wss.close();
  await on.wss.close();
}

if (ONLY.has('micro')) {
  // The price of the offload stage for text that stays inline: the core decoding (policy
  // replace) against the core delivering bytes (raw) and the stage decoding them — in process,
  // 1,024 small Text frames per chunk.
  const small = (i: number) => {
    const b = Buffer.from(`hello ${i} world 12345678`);
    return Buffer.concat([Buffer.from([0x04, b.length]), b]);
  };
  const chunk = Buffer.concat(Array.from({ length: 1024 }, (_, i) => small(i)));
  const idle = new TextOffload({ pool: poolOne });
  let sink = 0;
  const deliver = (e: DeliveredEvent) => {
    if (e.type === 'message') sink += e.data.length;
  };
  const perMessage = (withStage: boolean) => {
    const stage = new TextOffloadQueue(idle, 'replace', deliver, () => {});
    const core = new FrameConnection({
      textPolicy: withStage ? 'raw' : 'replace',
      onEvent: withStage ? (e: ConnectionEvent) => stage.push(e) : deliver,
    });
    const t = performance.now();
    for (let i = 0; i < 300; i++) core.receiveData(chunk);
    return ((performance.now() - t) * 1e6) / (300 * 1024);
  };
  const plain: number[] = [];
  const staged: number[] = [];
  for (let r = 0; r < 15; r++) {
    plain.push(perMessage(false));
    staged.push(perMessage(true));
  }
  console.log('\n## The offload stage on small text (in process, 25-byte Text frames)\n');
  console.log(
    `core decoding: ${fmt(median(plain), 1)} ns/message; core raw + stage decoding inline: ${fmt(median(staged), 1)} ns/message (${sink > 0 ? 'checked' : '?'})`,
  );

  console.log('\n## Handshake MD5: inline vs pool (this process, no sockets)\n');
  const challenge = randomBytes(16);
  const timeIt = (fn: () => void, n: number) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return ((performance.now() - t) * 1e6) / n; // ns
  };
  const tsNs: number[] = [];
  const nodeNs: number[] = [];
  for (let r = 0; r < 5; r++) {
    tsNs.push(timeIt(() => md5(challenge), 200_000));
    nodeNs.push(timeIt(() => createHash('md5').update(challenge).digest(), 100_000));
  }
  const trips: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await poolOne.run({ kind: 'noop' });
    trips.push((performance.now() - t) * 1000);
  }
  console.log(
    `one MD5 of a 16-byte challenge: TypeScript core ${fmt(median(tsNs))} ns, node:crypto createHash ${fmt(median(nodeNs))} ns`,
  );
  console.log(
    `one empty pool round trip (1-thread pool): median ${fmt(median(trips))} µs, p90 ${fmt([...trips].sort((a, b) => a - b)[Math.floor(trips.length * 0.9)]!)} µs\n`,
  );
  console.log(
    '| batch | inline: main µs/handshake (least) | inline: wall ms/batch (median) | pool: main µs/handshake (least) | pool: wall ms/batch (median) |',
  );
  console.log('|---|---|---|---|---|');
  for (const n of [1, 16, 64, 256, 1024]) {
    const reps = Math.max(20, Math.floor(20_000 / n));
    const result: Record<string, { main: number[]; wall: number[] }> = {
      inline: { main: [], wall: [] },
      pool: { main: [], wall: [] },
    };
    for (const mode of ['inline', 'pool'] as const) {
      // minBatch n: the batch goes to the pool; minBatch n + 1: the same batch is answered inline.
      const batcher = new HandshakeBatcher(
        poolOne,
        mode === 'pool' ? n : n + 1,
        Number.POSITIVE_INFINITY,
      );
      const challenges = Array.from({ length: n }, () => new Uint8Array(randomBytes(16)));
      for (let rep = 0; rep < reps; rep++) {
        const responses = challenges.map(() => new Uint8Array(180));
        const elu0 = performance.eventLoopUtilization();
        const t = performance.now();
        await Promise.all(challenges.map((c, i) => batcher.answer(c, responses[i]!)));
        result[mode]!.wall.push(performance.now() - t);
        result[mode]!.main.push((performance.eventLoopUtilization(elu0).active * 1000) / n);
      }
    }
    console.log(
      `| ${n} | ${fmt(Math.min(...result.inline!.main), 2)} | ${fmt(median(result.inline!.wall), 3)} | ${fmt(Math.min(...result.pool!.main), 2)} | ${fmt(median(result.pool!.wall), 3)} |`,
    );
  }
}

if (ONLY.has('handshake')) {
  const inline = await start(undefined);
  const batched = await start({ pool: poolOne, handshakes: { minBatch: 64 } });
  const rounds = Math.max(ROUNDS, QUICK ? 1 : 5);
  console.log('\n## Handshake bursts over real sockets (all requests sent at once)\n');
  console.log(
    '| burst | mode | wall ms (all answered) | main-thread CPU µs/handshake | main busy (ELU) µs/handshake | handshakes batched (batches) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const count of QUICK ? [256] : [256, 1024]) {
    const cells: Record<string, { wall: number[]; main: number[]; elu: number[] }> = {
      inline: { wall: [], main: [], elu: [] },
      batched: { wall: [], main: [], elu: [] },
    };
    const stats = batched.wss.offloadStats!.handshakes!;
    const before = { batched: stats.batched, batches: stats.batches };
    for (let r = 0; r < rounds; r++) {
      for (const name of rotate(['inline', 'batched'], r)) {
        const server = name === 'inline' ? inline : batched;
        const elu0 = performance.eventLoopUtilization();
        const main0 = mainThreadCpuMs();
        const { wallMs } = await rpc<{ wallMs: number }>({
          op: 'handshakes',
          burst: { port: server.port, count } satisfies HandshakeBurst,
        });
        cells[name]!.wall.push(wallMs);
        // Includes accepting the sockets and closing them: the same work in both modes.
        cells[name]!.main.push(((mainThreadCpuMs() - main0) * 1000) / count);
        cells[name]!.elu.push((performance.eventLoopUtilization(elu0).active * 1000) / count);
      }
    }
    for (const name of ['inline', 'batched']) {
      const share =
        name === 'batched'
          ? `${stats.batched - before.batched} of ${count * rounds} (${stats.batches - before.batches})`
          : '';
      console.log(
        `| ${count} | ${name} | ${fmt(median(cells[name]!.wall), 1)} | ${fmt(median(cells[name]!.main), 1)} | ${fmt(median(cells[name]!.elu), 1)} | ${share} |`,
      );
    }
  }
  await inline.wss.close();
  await batched.wss.close();
}

console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
child.send({ op: 'exit' });
await Promise.all([poolDefault.destroy(), poolOne.destroy(), poolTwo.destroy()]);
