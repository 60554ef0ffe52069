/** The contenders a run can measure. */
/**
 * `ws02-base`: @ws02/server + @ws02/client of another checkout (`--baseline <dir>`), run by that
 * checkout's own bench workers — the "before" of a change, measured in the same run.
 */
export type ContenderId = 'ws02' | 'ws02-cores' | 'ws02-base' | 'ws' | 'raw';

/** What a scenario measures. */
export type ScenarioKind = 'echo' | 'latency' | 'handshake' | 'idle-memory' | 'broadcast';

/** One number a scenario reports, and which way is better. */
export interface MetricSpec {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  /** Shown beside the previous metric in tables (e.g. MB/s beside messages/s), not on its own. */
  readonly inline?: boolean;
  /** Not compared against targets; shown in the CPU-per-operation table. */
  readonly diagnostic?: boolean;
}

/** A target of issue 8: ws02's median per-round ratio against a baseline contender. */
export interface TargetSpec {
  readonly metric: string;
  readonly against: ContenderId;
  /** `>=`: ws02 / baseline must be at least `ratio`; `<=`: at most. */
  readonly op: '>=' | '<=';
  readonly ratio: number;
}

/** The parameters of one scenario (those that apply to its kind). */
export interface ScenarioParams {
  /** Payload bytes of each message. */
  readonly payload?: number;
  /** Connections (echo, latency) or clients (broadcast) or idle connections (idle-memory). */
  readonly connections?: number;
  /** Messages in flight per connection (echo). */
  readonly window?: number;
  /** Offered rate over all connections, messages per second (latency). */
  readonly rate?: number;
  /** Concurrent connect/handshake/close loops (handshake). */
  readonly concurrency?: number;
  /** Messages per broadcast burst (broadcast). */
  readonly burst?: number;
  /** Broadcast: one broadcast per event-loop turn (`paced`) or all in one tick (`tick`). */
  readonly pacing?: 'paced' | 'tick';
  /**
   * Broadcast: @ws02/server's `flush` option in ms (writes of separate events within the window
   * share one write per client). ws and raw have no such option and write per event.
   */
  readonly flushMs?: number;
  /** Warm-up before the measuring window, ms. */
  readonly warmupMs?: number;
  /** Measuring window, ms. */
  readonly durationMs?: number;
}

export interface ScenarioSpec {
  readonly id: string;
  readonly kind: ScenarioKind;
  readonly title: string;
  readonly params: ScenarioParams;
  /** The first metric is the primary one (table, charts). */
  readonly metrics: readonly MetricSpec[];
  readonly targets: readonly TargetSpec[];
}

/** One measurement of one contender in one round. */
export interface Measurement {
  readonly ok: boolean;
  readonly metrics: Readonly<Record<string, number>>;
  /** Diagnostics that are not compared (client/server CPU use, counts). */
  readonly details: Readonly<Record<string, number | string>>;
  readonly error?: string;
  /** The server's CPU profile, when `--cpu-prof` asked for one. */
  readonly cpuProfile?: string;
  /** The load generator's (the client library's) CPU profile, when asked for. */
  readonly cpuProfileLoad?: string;
  /** Idle memory: the server's heap snapshots, when `--heap-snapshot` asked for them. */
  readonly heapSnapshots?: { readonly baseline: string; readonly loaded: string };
}

export interface RoundResult {
  readonly round: number;
  readonly order: readonly ContenderId[];
  readonly results: Readonly<Partial<Record<ContenderId, Measurement>>>;
}

export interface MetricSummary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly values: readonly number[];
}

export interface RatioSummary {
  /** ws02 / baseline, per round (rounds where both succeeded). */
  readonly perRound: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface TargetResult extends TargetSpec {
  /** The contender judged (ws02, or ws02-cores when ws02 was not measured). */
  readonly contender: ContenderId;
  /** The median per-round ratio, or null when it could not be computed. */
  readonly measured: number | null;
  readonly met: boolean;
}

export interface ScenarioResult extends ScenarioSpec {
  readonly rounds: readonly RoundResult[];
  /** summary[contender][metric] */
  readonly summary: Readonly<Partial<Record<ContenderId, Readonly<Record<string, MetricSummary>>>>>;
  /** ratios[`ws02/ws`][metric] */
  readonly ratios: Readonly<Record<string, Readonly<Record<string, RatioSummary>>>>;
  readonly targetResults: readonly TargetResult[];
}

export interface EnvironmentInfo {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly kernel: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly totalMemoryMiB: number;
  readonly ulimitNoFile: string;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
  readonly versions: Readonly<Record<string, string>>;
  /** Whether `ws` loads its native helper (bufferutil) and how it validates UTF-8. */
  readonly wsNative: Readonly<Record<string, string | boolean>>;
  /** Which client drives the ws02 server in the `ws02` contender. */
  readonly ws02Client: string;
  /** Each @ws02 package's dist/index.js at the start: `<mtime> sha256:<12 hex>`. */
  readonly distBuilt: Readonly<Record<string, string>>;
  /** Packages whose dist content changed while the run went on (later rounds, newer code). */
  readonly rebuiltDuringRun: readonly string[];
}

export interface BenchResults {
  readonly schema: 'ws02-bench/1';
  readonly mode: 'quick' | 'full';
  readonly command: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly rounds: number;
  readonly contenders: readonly ContenderId[];
  readonly environment: EnvironmentInfo;
  readonly scenarios: readonly ScenarioResult[];
}
