import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchError } from './bench-error.js';
import { WorkerProcess } from './child-process.js';
import { describeEnvironment, distBuildTimes, loadAverageNow } from './environment.js';
import type { LoadOutcome } from './load-scenarios.js';
import { buildScenarios, FULL_SCALE, QUICK_SCALE, type ScenarioScale } from './scenarios.js';
import { maxOf, median, minOf } from './stats.js';
import type {
  BenchResults,
  ContenderId,
  Measurement,
  MetricSummary,
  RatioSummary,
  RoundResult,
  ScenarioResult,
  ScenarioSpec,
  TargetResult,
} from './types.js';

export const DEFAULT_CONTENDERS: readonly ContenderId[] = ['ws02', 'ws', 'raw'];
export const ALL_CONTENDERS: readonly ContenderId[] = [
  'ws02',
  'ws02-cores',
  'ws02-base',
  'ws',
  'raw',
];

export interface BenchOptions {
  /** quick: CI (every scenario runs, small and short); full: the figures. Default full. */
  readonly mode?: 'quick' | 'full';
  /** Rounds of interleaved measurements (default: 1 quick, 5 full). */
  readonly rounds?: number;
  readonly contenders?: readonly ContenderId[];
  /** Keep scenarios whose id contains one of these strings. */
  readonly only?: readonly string[];
  /**
   * Another checkout of this repository, built (`<dir>/tools/bench/dist/worker.js` exists): its
   * own workers measure the `ws02-base` contender with its own @ws02 packages.
   */
  readonly baselineDir?: string;
  /** Override parts of the scale (durations, connection counts). */
  readonly scale?: Partial<ScenarioScale>;
  /** Write a CPU profile of each server process of these contenders into `cpuProfDir`. */
  readonly cpuProfDir?: string;
  readonly cpuProfContenders?: readonly ContenderId[];
  /** Which processes to profile: the server (default) and/or the load generator (the client). */
  readonly cpuProfSides?: readonly ('server' | 'load')[];
  /** Idle memory: write the server's heap snapshots (without and with the connections) here. */
  readonly heapSnapshotDir?: string;
  /**
   * The whole run's time budget, ms. Every wait of a measurement ends by it; a run that spends
   * it fails with BENCH_BUDGET_EXCEEDED (workers stopped) instead of running on. Default: none.
   */
  readonly budgetMs?: number;
  /** The command line, recorded in the results. */
  readonly command?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  readonly scenario: ScenarioSpec;
  readonly round: number;
  readonly rounds: number;
  readonly contender: ContenderId;
  readonly measurement: Measurement;
}

/** The scenarios a run with these options measures. */
export function selectScenarios(options: BenchOptions = {}): ScenarioSpec[] {
  const base = options.mode === 'quick' ? QUICK_SCALE : FULL_SCALE;
  const all = buildScenarios({ ...base, ...options.scale });
  const only = options.only;
  if (only === undefined || only.length === 0) return all;
  return all.filter((s) => only.some((o) => s.id.includes(o)));
}

/** The baseline checkout's worker (for `ws02-base`). */
function baselineWorker(options: BenchOptions): string {
  if (options.baselineDir === undefined) {
    throw new BenchError(
      'BENCH_USAGE',
      'the ws02-base contender needs a baseline checkout (--baseline)',
    );
  }
  const file = resolve(options.baselineDir, 'tools', 'bench', 'dist', 'worker.js');
  if (!existsSync(file))
    throw new BenchError(
      'BENCH_WORKER_MISSING',
      `no baseline worker at ${file}: build that checkout`,
    );
  return file;
}

function timeoutFor(spec: ScenarioSpec): number {
  const { warmupMs = 0, durationMs = 0 } = spec.params;
  const base = warmupMs + durationMs + 30_000;
  if (spec.kind === 'idle-memory' || spec.kind === 'broadcast') return base + 90_000;
  return base;
}

/** One contender in one round: a fresh server process, a fresh load process. */
export async function measure(
  spec: ScenarioSpec,
  contender: ContenderId,
  round: number,
  options: BenchOptions = {},
  deadline = Number.POSITIVE_INFINITY,
): Promise<Measurement> {
  /** A wait of `ms`, shortened to what is left of the run's budget. */
  const bounded = (ms: number) => Math.max(0, Math.min(ms, deadline - performance.now()));
  const profiled =
    options.cpuProfDir !== undefined && (options.cpuProfContenders ?? ['ws02']).includes(contender);
  const sides = options.cpuProfSides ?? ['server'];
  const profileServer = profiled && sides.includes('server');
  const profileLoad = profiled && sides.includes('load');
  const profileName = `${spec.id}.${contender}.r${round}.cpuprofile`;
  const loadProfileName = `${spec.id}.${contender}.r${round}.load.cpuprofile`;
  const profileArgs = (name: string) => [
    '--cpu-prof',
    '--cpu-prof-dir',
    resolve(options.cpuProfDir!),
    '--cpu-prof-name',
    name,
  ];
  if (profiled) mkdirSync(options.cpuProfDir!, { recursive: true });
  const execArgv = [
    '--expose-gc',
    ...(profileServer ? profileArgs(profileName) : []),
    ...diagnosticArgs('SERVER'),
  ];
  // ws02-base runs in the baseline checkout's own workers, which know it as ws02.
  const entry = contender === 'ws02-base' ? baselineWorker(options) : undefined;
  const asContender = contender === 'ws02-base' ? 'ws02' : contender;
  const server = new WorkerProcess(
    'server',
    {
      contender: asContender,
      mode: spec.kind === 'broadcast' ? 'broadcast' : 'echo',
      broadcastPayload: spec.params.payload ?? 32,
      ...(spec.params.flushMs === undefined ? {} : { flushMs: spec.params.flushMs }),
    },
    execArgv,
    entry,
  );
  let load: WorkerProcess | undefined;
  // When, and how busy the machine was: rates depend on it (CPU per operation much less).
  const provenance = {
    startedAt: new Date().toISOString(),
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
  };
  try {
    const listening = await server.waitFor(
      ['listening', 'failed'],
      bounded(60_000),
      'starting the server',
    );
    if (listening.type === 'failed') {
      throw new BenchError('BENCH_LOAD_FAILED', `server: ${String(listening.error)}`);
    }
    let timeoutMs = timeoutFor(spec);
    const snapshotPrefix =
      options.heapSnapshotDir !== undefined && spec.kind === 'idle-memory'
        ? resolve(options.heapSnapshotDir, `${spec.id}.${contender}.r${round}`)
        : undefined;
    if (snapshotPrefix !== undefined) {
      mkdirSync(options.heapSnapshotDir!, { recursive: true });
      timeoutMs += 120_000;
    }
    load = new WorkerProcess(
      'load',
      {
        contender: asContender,
        port: listening.port,
        scenario: spec,
        timeoutMs,
        ...(snapshotPrefix ? { heapSnapshotPrefix: snapshotPrefix } : {}),
      },
      [...(profileLoad ? profileArgs(loadProfileName) : []), ...diagnosticArgs('LOAD')],
      entry,
    );
    const loader = load;
    // Relay the load generator's snapshot requests to the server and the replies back.
    loader.onMessage('request', (message) => {
      server.send(message);
    });
    server.onMessage('reply', (message) => loader.send(message));
    const done = await loader.waitFor(
      ['result', 'failed'],
      bounded(timeoutMs + 20_000),
      'running the load',
    );
    if (done.type === 'failed') throw new BenchError('BENCH_LOAD_FAILED', String(done.error));
    const outcome = done.outcome as LoadOutcome;
    await loader.exited;
    await server.stop();
    return {
      ok: true,
      metrics: outcome.metrics,
      details: { ...outcome.details, ...provenance },
      ...(profileServer ? { cpuProfile: join(options.cpuProfDir!, profileName) } : {}),
      ...(profileLoad ? { cpuProfileLoad: join(options.cpuProfDir!, loadProfileName) } : {}),
      ...(snapshotPrefix
        ? {
            heapSnapshots: {
              baseline: `${snapshotPrefix}.baseline.heapsnapshot`,
              loaded: `${snapshotPrefix}.loaded.heapsnapshot`,
            },
          }
        : {}),
    };
  } catch (error) {
    return { ok: false, metrics: {}, details: provenance, error: (error as Error).message };
  } finally {
    load?.kill();
    await server.stop();
  }
}

function summarise(values: number[]): MetricSummary {
  return { median: median(values), min: minOf(values), max: maxOf(values), values };
}

/** Medians per contender and metric, per-round ratios of ws02 against every baseline. */
export function summariseScenario(
  spec: ScenarioSpec,
  rounds: readonly RoundResult[],
  contenders: readonly ContenderId[],
): ScenarioResult {
  const summary: Partial<Record<ContenderId, Record<string, MetricSummary>>> = {};
  for (const contender of contenders) {
    const perMetric: Record<string, MetricSummary> = {};
    for (const metric of spec.metrics) {
      const values = rounds
        .map((r) => r.results[contender])
        .filter((m): m is Measurement => m?.ok === true)
        .map((m) => m.metrics[metric.key])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      perMetric[metric.key] = summarise(values);
    }
    summary[contender] = perMetric;
  }
  const ratios: Record<string, Record<string, RatioSummary>> = {};
  const ours = contenders.filter((c) => c === 'ws02' || c === 'ws02-cores');
  const baselines = contenders.filter((c) => c === 'ws' || c === 'raw' || c === 'ws02-base');
  for (const a of ours) {
    for (const b of baselines) {
      const perMetric: Record<string, RatioSummary> = {};
      for (const metric of spec.metrics) {
        const perRound: number[] = [];
        for (const r of rounds) {
          const x = r.results[a];
          const y = r.results[b];
          if (!x?.ok || !y?.ok) continue;
          const vx = x.metrics[metric.key];
          const vy = y.metrics[metric.key];
          if (vx === undefined || vy === undefined || !(vy > 0) || !Number.isFinite(vx)) continue;
          perRound.push(vx / vy);
        }
        perMetric[metric.key] = {
          perRound,
          median: median(perRound),
          min: minOf(perRound),
          max: maxOf(perRound),
        };
      }
      ratios[`${a}/${b}`] = perMetric;
    }
  }
  const judged: ContenderId | undefined = ours.includes('ws02') ? 'ws02' : ours[0];
  const targetResults: TargetResult[] = spec.targets.map((t) => {
    const ratio = judged === undefined ? undefined : ratios[`${judged}/${t.against}`]?.[t.metric];
    const measured = ratio !== undefined && Number.isFinite(ratio.median) ? ratio.median : null;
    const met = measured !== null && (t.op === '>=' ? measured >= t.ratio : measured <= t.ratio);
    return { ...t, contender: judged ?? 'ws02', measured, met };
  });
  return { ...spec, rounds, summary, ratios, targetResults };
}

/**
 * Runs the benchmark: for each scenario, `rounds` rounds; in each round every contender once, in
 * the same order (A B C, A B C, …), each with its own server process and load process.
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const mode = options.mode ?? 'full';
  const rounds = options.rounds ?? (mode === 'quick' ? 1 : 5);
  const contenders = options.contenders ?? DEFAULT_CONTENDERS;
  const scenarios = selectScenarios(options);
  const startedAt = new Date();
  const t0 = performance.now();
  const environment = describeEnvironment(
    contenders.includes('ws02')
      ? '@ws02/client'
      : contenders.includes('ws02-cores')
        ? 'ws02-cores: a minimal client on @ws02/frame (not @ws02/client)'
        : 'none',
  );
  const builtAtStart = distBuildTimes();
  const deadline = t0 + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  const total = scenarios.length * rounds * contenders.length;
  let made = 0;
  const results: ScenarioResult[] = [];
  for (const spec of scenarios) {
    const roundResults: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      const measured: Partial<Record<ContenderId, Measurement>> = {};
      for (const contender of contenders) {
        if (performance.now() >= deadline) {
          throw new BenchError(
            'BENCH_BUDGET_EXCEEDED',
            `the budget of ${options.budgetMs} ms was spent after ${made} of ${total} measurements`,
          );
        }
        const m = await measure(spec, contender, round, options, deadline);
        made++;
        measured[contender] = m;
        options.onProgress?.({ scenario: spec, round, rounds, contender, measurement: m });
      }
      roundResults.push({ round, order: contenders, results: measured });
    }
    results.push(summariseScenario(spec, roundResults, contenders));
  }
  return {
    schema: 'ws02-bench/1',
    mode,
    command: options.command ?? '',
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    rounds,
    contenders,
    environment: {
      ...environment,
      loadAverageEnd: loadAverageNow(),
      distBuilt: builtAtStart,
      // Changed code, not merely rebuilt: compare the content hashes.
      rebuiltDuringRun: Object.entries(distBuildTimes())
        .filter(([name, build]) => builtAtStart[name]?.split(' ')[1] !== build.split(' ')[1])
        .map(([name]) => name),
    },
    scenarios: results,
  };
}

/**
 * Extra Node flags for diagnosis (e.g. `--trace-gc`, which NODE_OPTIONS refuses), from
 * WS02_BENCH_SERVER_ARGS / WS02_BENCH_LOAD_ARGS, space-separated. Never used for the figures.
 */
function diagnosticArgs(side: 'SERVER' | 'LOAD'): string[] {
  const raw = process.env[`WS02_BENCH_${side}_ARGS`];
  return raw === undefined ? [] : raw.split(' ').filter((a) => a !== '');
}
