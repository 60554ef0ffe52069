import type { MetricSpec, ScenarioSpec, TargetSpec } from './types.js';

/** Echo payload sizes of issue 8. */
export const ECHO_PAYLOADS = [32, 1024, 64 * 1024, 1024 * 1024] as const;
/** Echo connection counts of issue 8. */
export const ECHO_CONNECTIONS = [1, 32, 256] as const;

/** Bytes in flight (per direction, all connections) the echo window aims at. */
const WINDOW_BYTES = 4 * 1024 * 1024;
const MAX_WINDOW = 64;

/**
 * Messages in flight per connection for an echo scenario: 64 for small messages, fewer as the
 * bytes in flight grow (about 4 MiB over all connections), never fewer than one. The same window
 * is used for every contender.
 */
export function echoWindow(payload: number, connections: number): number {
  return Math.max(1, Math.min(MAX_WINDOW, Math.floor(WINDOW_BYTES / (payload * connections))));
}

/** `32B`, `1KiB`, `64KiB`, `1MiB`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

/** How long and how big: quick (CI, only checks that every scenario runs) or full (figures). */
export interface ScenarioScale {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly latencyRate: number;
  readonly latencyConnections: number;
  readonly handshakeConcurrency: number;
  readonly idleConnections: number;
  readonly broadcastClients: number;
  readonly broadcastBurst: number;
}

export const QUICK_SCALE: ScenarioScale = {
  warmupMs: 100,
  durationMs: 300,
  latencyRate: 5_000,
  latencyConnections: 32,
  handshakeConcurrency: 32,
  idleConnections: 300,
  broadcastClients: 50,
  broadcastBurst: 20,
};

export const FULL_SCALE: ScenarioScale = {
  warmupMs: 750,
  durationMs: 2_500,
  latencyRate: 20_000,
  latencyConnections: 32,
  handshakeConcurrency: 32,
  idleConnections: 10_000,
  broadcastClients: 1_000,
  broadcastBurst: 300,
};

const M = {
  messages: { key: 'messagesPerSec', label: 'messages/s', unit: 'msg/s', better: 'higher' },
  mb: { key: 'mbPerSec', label: 'MB/s', unit: 'MB/s', better: 'higher', inline: true },
  p50: { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower' },
  p99: { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower' },
  p999: { key: 'p999Ms', label: 'p99.9', unit: 'ms', better: 'lower' },
  handshakes: { key: 'handshakesPerSec', label: 'handshakes/s', unit: '/s', better: 'higher' },
  rss: { key: 'rssBytesPerConnection', label: 'RSS/conn', unit: 'B', better: 'lower' },
  heap: { key: 'heapBytesPerConnection', label: 'heap/conn', unit: 'B', better: 'lower' },
  deliveries: { key: 'deliveriesPerSec', label: 'deliveries/s', unit: '/s', better: 'higher' },
  serverCpu: {
    key: 'serverCpuMicrosPerOp',
    label: 'server CPU/op',
    unit: 'µs',
    better: 'lower',
    diagnostic: true,
  },
  clientCpu: {
    key: 'clientCpuMicrosPerOp',
    label: 'client CPU/op',
    unit: 'µs',
    better: 'lower',
    diagnostic: true,
  },
} as const satisfies Record<string, MetricSpec>;

function target(
  metric: string,
  against: TargetSpec['against'],
  op: TargetSpec['op'],
  ratio: number,
): TargetSpec {
  return { metric, against, op, ratio };
}

/** Issue 8's targets for an echo scenario. */
function echoTargets(payload: number, connections: number): TargetSpec[] {
  const t: TargetSpec[] = [];
  if (payload === 32 && connections === 32) {
    t.push(target(M.messages.key, 'ws', '>=', 5), target(M.messages.key, 'raw', '>=', 0.5));
  }
  if (payload === 32 && connections === 1) t.push(target(M.messages.key, 'ws', '>=', 3));
  if (payload === 1024) t.push(target(M.messages.key, 'ws', '>=', 3));
  if (payload === 1024 * 1024) t.push(target(M.messages.key, 'raw', '>=', 0.9));
  return t;
}

/** Every scenario of issue 8 at the given scale, in run order. */
export function buildScenarios(scale: ScenarioScale): ScenarioSpec[] {
  const timing = { warmupMs: scale.warmupMs, durationMs: scale.durationMs };
  const list: ScenarioSpec[] = [];
  for (const payload of ECHO_PAYLOADS) {
    for (const connections of ECHO_CONNECTIONS) {
      const window = echoWindow(payload, connections);
      list.push({
        id: `echo-${formatSize(payload)}-c${connections}`,
        kind: 'echo',
        title: `echo ${formatSize(payload)} × ${connections} conn (window ${window})`,
        params: { payload, connections, window, ...timing },
        metrics: [M.messages, M.mb, M.serverCpu, M.clientCpu],
        targets: echoTargets(payload, connections),
      });
    }
  }
  list.push({
    id: `latency-32B-c${scale.latencyConnections}`,
    kind: 'latency',
    title: `latency 32B at ${scale.latencyRate} msg/s over ${scale.latencyConnections} conn`,
    params: {
      payload: 32,
      connections: scale.latencyConnections,
      rate: scale.latencyRate,
      ...timing,
    },
    metrics: [M.p50, M.p99, M.p999],
    targets: [],
  });
  list.push({
    id: `handshake-c${scale.handshakeConcurrency}`,
    kind: 'handshake',
    title: `connect + handshake + close, concurrency ${scale.handshakeConcurrency}`,
    params: { concurrency: scale.handshakeConcurrency, ...timing },
    metrics: [M.handshakes, M.serverCpu, M.clientCpu],
    targets: [target(M.handshakes.key, 'ws', '>=', 1.5)],
  });
  list.push({
    id: `idle-memory-${scale.idleConnections}`,
    kind: 'idle-memory',
    title: `server memory per idle connection (${scale.idleConnections} connections)`,
    params: { connections: scale.idleConnections },
    metrics: [M.rss, M.heap],
    targets: [target(M.rss.key, 'ws', '<=', 0.7), target(M.heap.key, 'ws', '<=', 0.7)],
  });
  for (const variant of ['paced', 'tick', 'flush'] as const) {
    const pacing = variant === 'tick' ? 'tick' : 'paced';
    list.push({
      id: `broadcast-${variant === 'paced' ? '' : variant === 'tick' ? 'tick-' : 'flush1ms-'}32B-${scale.broadcastClients}`,
      kind: 'broadcast',
      title:
        `broadcast 32B to ${scale.broadcastClients} clients, ${scale.broadcastBurst} messages ` +
        (pacing === 'tick' ? 'in one tick' : 'one per event-loop turn') +
        (variant === 'flush' ? ', ws02 with flush: 1 ms (ws, raw: per event)' : ''),
      params: {
        payload: 32,
        connections: scale.broadcastClients,
        burst: scale.broadcastBurst,
        pacing,
        ...(variant === 'flush' ? { flushMs: 1 } : {}),
      },
      metrics: [M.deliveries, M.serverCpu, M.clientCpu],
      // Issue 8: "one message to 1,000 clients" — each broadcast its own event (paced), with
      // @ws02/server's defaults; and again with its opt-in write coalescing (`flush: 1`).
      targets: variant === 'tick' ? [] : [target(M.deliveries.key, 'ws', '>=', 3)],
    });
  }
  return list;
}
