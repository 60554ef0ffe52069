import { performance } from 'node:perf_hooks';
import { HOST } from './bench-servers.js';
import type { ConnectLoadClient, LoadClient } from './load-clients.js';
import { quantileSorted } from './stats.js';
import type { ScenarioSpec } from './types.js';

/** Requests the load generator sends to the server process (through the orchestrator). */
export type ServerRequest =
  | { readonly type: 'cpu' }
  | { readonly type: 'mem'; readonly expect: number; readonly snapshot?: string }
  | { readonly type: 'connections'; readonly expect: number };

export interface CpuReply {
  /** User + system CPU time of the server process, µs. */
  readonly cpuMicros: number;
}

export interface MemReply {
  readonly rss: number;
  readonly heapUsed: number;
  /** V8 heap committed (used + free space in its pages), and the young generation's part. */
  readonly heapTotal: number;
  readonly newSpace: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly connections: number;
}

export interface LoadContext {
  readonly port: number;
  readonly connect: ConnectLoadClient;
  server(request: { type: 'cpu' }): Promise<CpuReply>;
  server(request: { type: 'mem'; expect: number; snapshot?: string }): Promise<MemReply>;
  /** Resolves once the server counts `expect` open connections (or its wait gives up). */
  server(request: { type: 'connections'; expect: number }): Promise<{ connections: number }>;
  /** Absolute time (performance.now()) by which the scenario must be done. */
  readonly deadline: number;
  /** Idle memory: the server writes heap snapshots `<prefix>.baseline/.loaded.heapsnapshot`. */
  readonly heapSnapshotPrefix?: string;
}

export interface LoadOutcome {
  readonly metrics: Record<string, number>;
  readonly details: Record<string, number | string>;
}

/** Connections opened at once while setting up (a real client fleet connects concurrently). */
const OPEN_CONCURRENCY = 64;

/** One open connection and where its events go. */
interface Slot {
  client: LoadClient;
  onMessages: (count: number, bytes: number) => void;
  /** Set before closing on purpose; an unexpected close fails the scenario. */
  closing: boolean;
  readonly closed: Promise<void>;
}

const noop = (): void => {};

/** Failure channel: a connection error anywhere rejects `failed`. */
class Failure {
  readonly failed: Promise<never>;
  #reject: (error: Error) => void = noop;
  constructor() {
    this.failed = new Promise<never>((_, reject) => {
      this.#reject = reject;
    });
    this.failed.catch(noop);
  }
  fail(error: Error): void {
    this.#reject(error);
  }
}

function timeLeft(ctx: LoadContext): number {
  return Math.max(0, ctx.deadline - performance.now());
}

/** Resolves `promise`, or rejects on failure or when the scenario's deadline passes. */
function bounded<T>(ctx: LoadContext, failure: Failure, promise: Promise<T>, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline passed while ${what}`)), timeLeft(ctx));
  });
  return Promise.race([promise, failure.failed, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openOne(
  ctx: LoadContext,
  payload: Buffer,
  failure: Failure,
  agent: number,
): Promise<Slot> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let markClosed = noop;
    const slot: Slot = {
      client: undefined as unknown as LoadClient,
      onMessages: noop,
      closing: false,
      closed: new Promise<void>((r) => {
        markClosed = r;
      }),
    };
    slot.client = ctx.connect(
      ctx.port,
      HOST,
      payload,
      {
        onOpen() {
          opened = true;
          resolve(slot);
        },
        onMessages(count, bytes) {
          slot.onMessages(count, bytes);
        },
        onClose() {
          markClosed();
          if (!opened) reject(new Error('connection closed before it opened'));
          else if (!slot.closing) failure.fail(new Error('connection closed unexpectedly'));
        },
        onError(error) {
          if (!opened) reject(error);
          else if (!slot.closing) failure.fail(error);
        },
      },
      agent,
    );
  });
}

async function openMany(
  ctx: LoadContext,
  payload: Buffer,
  count: number,
  failure: Failure,
): Promise<Slot[]> {
  const slots: Slot[] = [];
  let next = 0;
  const worker = async (agent: number): Promise<void> => {
    while (next < count) {
      next++;
      slots.push(await bounded(ctx, failure, openOne(ctx, payload, failure, agent), 'connecting'));
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, (_, agent) => worker(agent)),
  );
  return slots;
}

function terminateAll(slots: readonly Slot[]): void {
  for (const slot of slots) {
    slot.closing = true;
    slot.client.terminate();
  }
}

/** A snapshot of both processes' CPU and the wall clock, for per-window figures. */
interface Snapshot {
  readonly wall: number;
  readonly serverCpu: number;
  readonly clientCpu: number;
}

async function snapshot(ctx: LoadContext): Promise<Snapshot> {
  const { cpuMicros } = await ctx.server({ type: 'cpu' });
  const own = process.cpuUsage();
  return { wall: performance.now(), serverCpu: cpuMicros, clientCpu: own.user + own.system };
}

/** CPU use of both processes over a window, as % of one core. */
function cpuDetails(a: Snapshot, b: Snapshot): Record<string, number> {
  const wallMicros = (b.wall - a.wall) * 1000;
  return {
    windowMs: b.wall - a.wall,
    serverCpuPct: (100 * (b.serverCpu - a.serverCpu)) / wallMicros,
    clientCpuPct: (100 * (b.clientCpu - a.clientCpu)) / wallMicros,
  };
}

/**
 * CPU time per operation of the server and of the load generator (µs): unlike rates, barely
 * affected by other processes competing for the CPU.
 */
function cpuPerOp(a: Snapshot, b: Snapshot, ops: number): Record<string, number> {
  return {
    serverCpuMicrosPerOp: ops > 0 ? (b.serverCpu - a.serverCpu) / ops : Number.NaN,
    clientCpuMicrosPerOp: ops > 0 ? (b.clientCpu - a.clientCpu) / ops : Number.NaN,
  };
}

/**
 * Echo throughput: every connection keeps `window` messages in flight and sends one more for
 * each echo received. Counts echoes (and their payload bytes) in the measuring window.
 */
async function runEcho(spec: ScenarioSpec, ctx: LoadContext): Promise<LoadOutcome> {
  const {
    payload = 32,
    connections = 1,
    window = 1,
    warmupMs = 0,
    durationMs = 1000,
  } = spec.params;
  const failure = new Failure();
  const data = Buffer.alloc(payload, 0x61);
  const slots = await openMany(ctx, data, connections, failure);
  let received = 0;
  let bytes = 0;
  let running = true;
  for (const slot of slots) {
    const client = slot.client;
    slot.onMessages = (count, size) => {
      received += count;
      bytes += size;
      if (running) client.sendMany(count);
    };
  }
  for (const slot of slots) slot.client.sendMany(window);
  await bounded(ctx, failure, sleep(warmupMs), 'warming up');
  const a = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  const received0 = received;
  const bytes0 = bytes;
  await bounded(ctx, failure, sleep(durationMs), 'measuring');
  // A window too short to see one echo (1 MiB × 256 in quick mode) is extended until one
  // arrives, so a contender that moves nothing fails at the deadline instead of reporting 0.
  while (received === received0) await bounded(ctx, failure, sleep(20), 'waiting for an echo');
  const b = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  const messages = received - received0;
  const echoed = bytes - bytes0;
  running = false;
  terminateAll(slots);
  const seconds = (b.wall - a.wall) / 1000;
  return {
    metrics: {
      messagesPerSec: messages / seconds,
      mbPerSec: echoed / seconds / 1e6,
      ...cpuPerOp(a, b, messages),
    },
    details: { messages, ...cpuDetails(a, b) },
  };
}

/**
 * Latency at a fixed offered rate (open loop): messages are due at start + i / rate, spread
 * round-robin over the connections; each latency is measured from when the message was due
 * (not when it was sent), so a stalled sender cannot hide queueing (no coordinated omission).
 */
async function runLatency(spec: ScenarioSpec, ctx: LoadContext): Promise<LoadOutcome> {
  const {
    payload = 32,
    connections = 1,
    rate = 1000,
    warmupMs = 0,
    durationMs = 1000,
  } = spec.params;
  const failure = new Failure();
  const data = Buffer.alloc(payload, 0x61);
  const slots = await openMany(ctx, data, connections, failure);
  const total = Math.ceil(((warmupMs + durationMs) * rate) / 1000);
  const warmupCount = Math.floor((warmupMs * rate) / 1000);
  // Per connection, the due times of the messages in flight (echoes come back in order).
  const queues = slots.map(() => ({ due: [] as number[], head: 0 }));
  const latencies = new Float64Array(total);
  let measured = 0;
  let completed = 0;
  let allDone = noop;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const interval = 1000 / rate;
  slots.forEach((slot, index) => {
    const queue = queues[index]!;
    slot.onMessages = (count) => {
      const now = performance.now();
      for (let i = 0; i < count; i++) {
        const due = queue.due[queue.head++]!;
        if (completed++ >= warmupCount) latencies[measured++] = now - due;
      }
      if (queue.head > 1024) {
        queue.due = queue.due.slice(queue.head);
        queue.head = 0;
      }
      if (completed >= total) allDone();
    };
  });
  const start = performance.now() + 5;
  let sent = 0;

  const tick = (): void => {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / interval) + 1);
    while (sent < due) {
      const index = sent % slots.length;
      queues[index]!.due.push(start + sent * interval);
      slots[index]!.client.sendMany(1);
      sent++;
    }
    if (sent < total) setTimeout(tick, 1);
  };
  setTimeout(tick, 5);
  await bounded(ctx, failure, sleep(warmupMs + 5), 'warming up');
  const a = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  await bounded(ctx, failure, done, 'waiting for the last echoes');
  const b = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  terminateAll(slots);
  const sorted = latencies.subarray(0, measured).sort();
  return {
    metrics: {
      p50Ms: quantileSorted(sorted, 0.5),
      p99Ms: quantileSorted(sorted, 0.99),
      p999Ms: quantileSorted(sorted, 0.999),
    },
    details: {
      samples: measured,
      maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
      offeredRate: rate,
      ...cpuDetails(a, b),
    },
  };
}

/** Opening handshakes: `concurrency` loops of connect, handshake, clean close, wait closed. */
async function runHandshake(spec: ScenarioSpec, ctx: LoadContext): Promise<LoadOutcome> {
  const { concurrency = 32, warmupMs = 0, durationMs = 1000 } = spec.params;
  const failure = new Failure();
  const data = Buffer.alloc(0);
  let running = true;
  let counting = false;
  let count = 0;
  // Each loop is one user agent: connect, handshake, close, again.
  const loop = async (agent: number): Promise<void> => {
    while (running) {
      const slot = await openOne(ctx, data, failure, agent);
      slot.closing = true;
      slot.client.close();
      await slot.closed;
      if (counting) count++;
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, (_, agent) => loop(agent)));
  loops.catch((error: Error) => failure.fail(error));
  await bounded(ctx, failure, sleep(warmupMs), 'warming up');
  const a = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  counting = true;
  await bounded(ctx, failure, sleep(durationMs), 'measuring');
  counting = false;
  const handshakes = count;
  const b = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  running = false;
  await bounded(ctx, failure, loops, 'closing');
  return {
    metrics: {
      handshakesPerSec: handshakes / ((b.wall - a.wall) / 1000),
      ...cpuPerOp(a, b, handshakes),
    },
    details: { handshakes, ...cpuDetails(a, b) },
  };
}

/**
 * Server memory per idle connection: after a warm-up (connections opened and closed, so code
 * and pools exist), the server is GC'd and measured with none open, then with N open.
 */
async function runIdleMemory(spec: ScenarioSpec, ctx: LoadContext): Promise<LoadOutcome> {
  const { connections = 100 } = spec.params;
  const failure = new Failure();
  const data = Buffer.alloc(0);
  const warm = await openMany(ctx, data, Math.min(100, connections), failure);
  for (const slot of warm) {
    slot.closing = true;
    slot.client.close();
  }
  await bounded(ctx, failure, Promise.all(warm.map((s) => s.closed)), 'closing the warm-up');
  const prefix = ctx.heapSnapshotPrefix;
  const before = await bounded(
    ctx,
    failure,
    ctx.server({
      type: 'mem',
      expect: 0,
      ...(prefix ? { snapshot: `${prefix}.baseline.heapsnapshot` } : {}),
    }),
    'measuring',
  );
  const t0 = performance.now();
  const slots = await openMany(ctx, data, connections, failure);
  const openMs = performance.now() - t0;
  const after = await bounded(
    ctx,
    failure,
    ctx.server({
      type: 'mem',
      expect: connections,
      ...(prefix ? { snapshot: `${prefix}.loaded.heapsnapshot` } : {}),
    }),
    'measuring',
  );
  terminateAll(slots);
  const per = (key: keyof MemReply): number => (after[key] - before[key]) / connections;
  return {
    metrics: { rssBytesPerConnection: per('rss'), heapBytesPerConnection: per('heapUsed') },
    details: {
      connections: after.connections,
      externalBytesPerConnection: per('external'),
      heapTotalBytesPerConnection: per('heapTotal'),
      newSpaceBytesPerConnection: per('newSpace'),
      arrayBuffersPerConnection: per('arrayBuffers'),
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      openMs,
    },
  };
}

/**
 * Broadcast fan-out: one client asks the server for a burst of `burst` broadcasts; the time
 * until every client has received every message gives deliveries/s. A short burst warms up first.
 */
async function runBroadcast(spec: ScenarioSpec, ctx: LoadContext): Promise<LoadOutcome> {
  const { payload = 32, connections = 10, burst = 10, pacing = 'paced' } = spec.params;
  const failure = new Failure();
  const slots = await openMany(ctx, Buffer.alloc(payload), connections, failure);
  let received = 0;
  let goal = 0;
  let reached = noop;
  for (const slot of slots) {
    slot.onMessages = (count) => {
      received += count;
      if (received >= goal) reached();
    };
  }
  // A raw TCP client is connected before the server has accepted it: wait until every client
  // is known to the server, or the first broadcasts would miss some.
  const known = await bounded(
    ctx,
    failure,
    ctx.server({ type: 'connections', expect: connections }),
    'waiting for the server to see every client',
  );
  if (known.connections !== connections) {
    throw new Error(`the server sees ${known.connections} of ${connections} clients`);
  }
  const trigger = async (count: number): Promise<void> => {
    goal = received + count * slots.length;
    const done = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const message = Buffer.alloc(8);
    message.writeUInt32BE(count, 0);
    message.writeUInt32BE(pacing === 'tick' ? 1 : 0, 4);
    slots[0]!.client.sendBytes(message);
    await bounded(ctx, failure, done, 'waiting for the broadcast deliveries');
  };
  await trigger(Math.min(20, burst));
  const a = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  const start = performance.now();
  await trigger(burst);
  const end = performance.now();
  const b = await bounded(ctx, failure, snapshot(ctx), 'measuring');
  terminateAll(slots);
  const deliveries = burst * slots.length;
  return {
    metrics: {
      deliveriesPerSec: deliveries / ((end - start) / 1000),
      ...cpuPerOp(a, b, deliveries),
    },
    details: { deliveries, burstMs: end - start, ...cpuDetails(a, b) },
  };
}

/** Runs one scenario's load (in the load generator process). */
export function runLoad(spec: ScenarioSpec, ctx: LoadContext): Promise<LoadOutcome> {
  switch (spec.kind) {
    case 'echo':
      return runEcho(spec, ctx);
    case 'latency':
      return runLatency(spec, ctx);
    case 'handshake':
      return runHandshake(spec, ctx);
    case 'idle-memory':
      return runIdleMemory(spec, ctx);
    case 'broadcast':
      return runBroadcast(spec, ctx);
  }
}
