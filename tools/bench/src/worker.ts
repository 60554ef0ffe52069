/**
 * The child processes of a benchmark run: `worker.js server <json>` runs one contender's server,
 * `worker.js load <json>` runs the load generator. They talk to the orchestrator over the IPC
 * channel of `child_process.fork`; the load generator's requests to the server (CPU and memory
 * snapshots) are relayed by the orchestrator, so server and load never share a process.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { exitWithParent } from '@ws02/process-group';
import { type BenchServerOptions, startBenchServer } from './bench-servers.js';
import { clientFor } from './load-clients.js';
import { type LoadContext, runLoad, type ServerRequest } from './load-scenarios.js';
import type { ContenderId, ScenarioSpec } from './types.js';

/** What the orchestrator passes to a load generator. */
export interface LoadWorkerArgs {
  readonly contender: ContenderId;
  readonly port: number;
  readonly scenario: ScenarioSpec;
  /** ms the scenario may take. */
  readonly timeoutMs: number;
  readonly heapSnapshotPrefix?: string;
}

type Message = { type: string; id?: number; body?: unknown; [key: string]: unknown };

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function runServer(args: BenchServerOptions): Promise<void> {
  const server = await startBenchServer(args);
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', async (message: Message) => {
    if (message.type === 'stop') {
      await Promise.race([server.close(), delay(3000)]);
      // Exit (not kill) so that --cpu-prof writes its profile.
      process.exit(0);
    }
    if (message.type !== 'request') return;
    const request = message.body as ServerRequest;
    if (request.type === 'cpu') {
      const usage = process.cpuUsage();
      await send({ type: 'reply', id: message.id, body: { cpuMicros: usage.user + usage.system } });
      return;
    }
    // Wait for the expected connection count (bounded).
    const deadline = performance.now() + 60_000;
    while (server.connections() !== request.expect && performance.now() < deadline) {
      await delay(10);
    }
    if (request.type === 'connections') {
      await send({ type: 'reply', id: message.id, body: { connections: server.connections() } });
      return;
    }
    // Memory: collect garbage, then measure.
    for (let i = 0; i < 4; i++) {
      gc?.();
      await delay(20);
    }
    const m = process.memoryUsage();
    const space = (name: string): number =>
      getHeapSpaceStatistics().find((x) => x.space_name === name)?.space_size ?? 0;
    // After measuring, so the snapshot's own allocations are not counted.
    if (request.snapshot !== undefined) writeHeapSnapshot(request.snapshot);
    await send({
      type: 'reply',
      id: message.id,
      body: {
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        newSpace: space('new_space'),
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        connections: server.connections(),
        gc: gc !== undefined,
      },
    });
  });
  await send({ type: 'listening', port: server.port });
}

async function runLoadWorker(args: LoadWorkerArgs): Promise<void> {
  let nextId = 1;
  const pending = new Map<number, (body: unknown) => void>();
  process.on('message', (message: Message) => {
    if (message.type === 'reply' && message.id !== undefined) {
      pending.get(message.id)?.(message.body);
      pending.delete(message.id);
    }
  });
  const ctx: LoadContext = {
    port: args.port,
    connect: await clientFor(args.contender),
    deadline: performance.now() + args.timeoutMs,
    ...(args.heapSnapshotPrefix ? { heapSnapshotPrefix: args.heapSnapshotPrefix } : {}),
    server: ((request: ServerRequest) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve as (body: unknown) => void);
        void send({ type: 'request', id, body: request });
      })) as LoadContext['server'],
  };
  const outcome = await runLoad(args.scenario, ctx);
  await send({ type: 'result', outcome });
}

async function main(): Promise<void> {
  // The orchestrator started this process in a group of its own: when it goes (even SIGKILLed),
  // the IPC channel closes and this process goes with it, its listening server included.
  exitWithParent();
  const [role, json] = process.argv.slice(2);
  if (json === undefined) throw new Error('usage: worker (server|load) <json>');
  if (role === 'server') await runServer(JSON.parse(json) as BenchServerOptions);
  else if (role === 'load') {
    await runLoadWorker(JSON.parse(json) as LoadWorkerArgs);
    process.exit(0);
  } else throw new Error(`unknown worker role ${role}`);
}

main().catch(async (error: Error) => {
  await send({ type: 'failed', error: error.stack ?? String(error) });
  process.exit(1);
});
