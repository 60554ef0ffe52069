import cluster, { type Worker } from 'node:cluster';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { type Logger, pino } from 'pino';
import type { ChatAdapter } from './chat-adapter.js';
import { ChatConfigError } from './chat-error.js';
import { SERVER_OPTION_DEFAULTS } from './chat-options.js';
import { type ChatServer, type ChatServerAddress, createChatServer } from './chat-server.js';
import { ClusterAdapter } from './cluster-adapter.js';
import type { IpcPort, SupervisorMessage } from './cluster-ipc.js';
import { ClusterRouter } from './cluster-router.js';
import { MemoryAdapter } from './memory-adapter.js';
import { newInstanceId } from './message-id.js';
import { RedisAdapter } from './redis-adapter.js';
import { parseServerConfig, type ServerConfig } from './server-config.js';

/**
 * `ws02-chat-server`. By default the embedded server — one process, in-memory rooms and
 * history, no external service. With `--workers N` (N > 1, or `--adapter cluster`) this
 * process becomes the node:cluster primary: it forks N workers that share the port, routes
 * room events between them (cluster adapter) and restarts a worker that dies. With
 * `--adapter redis` every process is an instance of a Redis-backed chat spanning machines.
 *
 * Human-readable status on stdout, JSON logs (pino) on stderr. Exit status: 0 after a graceful
 * shutdown (SIGINT/SIGTERM), 2 on bad configuration, 1 when it cannot listen, cannot reach
 * Redis at start, or fails.
 */

/** Set by the primary for each worker: the worker's instance id. */
const WORKER_INSTANCE_ENV = 'WS02_CHAT_WORKER_INSTANCE';
/** Workers get this long beyond the closing handshakes to stop before they are killed. */
const WORKER_STOP_GRACE = 10_000;

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = parseServerConfig(process.argv.slice(2), process.env, (program) =>
      program.version('0.1.0'),
    );
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed the help, version or usage error already.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof ChatConfigError) {
      process.stderr.write(`ws02-chat-server: ${err.reason}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { workers, adapter } = config.scale;
  if (workers > 1 || adapter === 'cluster') {
    if (cluster.isPrimary) return runPrimary(config);
    return runWorker(config);
  }
  return runSingle(config);
}

function makeLogger(config: ServerConfig, base: Record<string, unknown> = {}): Logger {
  return pino(
    {
      name: 'ws02-chat-server',
      level: config.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid, ...base },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** The adapter of one instance (a single process, or one worker). */
async function makeAdapter(
  config: ServerConfig,
  instanceId: string | undefined,
  logger: Logger,
): Promise<ChatAdapter> {
  const limits = config.options.limits ?? {};
  const id = instanceId ?? config.scale.instanceId;
  if (config.scale.adapter === 'redis') {
    const redis = new RedisAdapter({
      url: config.scale.redisUrl,
      ...(id !== undefined ? { instanceId: id } : {}),
      ...(limits.historySize !== undefined ? { historySize: limits.historySize } : {}),
      ...(limits.resumeWindow !== undefined ? { resumeWindow: limits.resumeWindow } : {}),
      heartbeatInterval: config.scale.redisHeartbeat,
      instanceTtl: config.scale.redisTtl,
      logger,
    });
    await redis.connect();
    return redis;
  }
  if (config.scale.adapter === 'cluster') {
    const adapter = new ClusterAdapter({ ...(id !== undefined ? { instanceId: id } : {}), logger });
    await adapter.connect();
    return adapter;
  }
  return new MemoryAdapter({
    ...(id !== undefined ? { instanceId: id } : {}),
    ...(limits.historySize !== undefined ? { historySize: limits.historySize } : {}),
  });
}

/** One process serving the port: memory (the embedded default) or Redis adapter. */
async function runSingle(config: ServerConfig): Promise<void> {
  const logger = makeLogger(config);
  let adapter: ChatAdapter;
  try {
    adapter = await makeAdapter(config, undefined, logger);
  } catch (err) {
    failStart(err);
  }
  const server = createChatServer({ ...config.options, adapter, logger });
  const address = await listenOrExit(server);
  const how =
    config.scale.adapter === 'redis' ? ` (redis adapter, instance ${adapter.instanceId})` : '';
  printBanner(address, how);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`ws02-chat-server: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(
      `${signal}: shutting down (closing ${server.stats().connections} connections)\n`,
    );
    server.stop().then(
      () => {
        process.stdout.write('chat server stopped\n');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ event: 'stop-failed', err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** A node:cluster worker: a full server on the shared port, told what to do by the primary. */
async function runWorker(config: ServerConfig): Promise<void> {
  const instanceId = process.env[WORKER_INSTANCE_ENV];
  const logger = makeLogger(config, { worker: cluster.worker?.id, instance: instanceId });
  const tell = (message: SupervisorMessage) =>
    process.send?.(message, undefined, undefined, () => {});
  let adapter: ChatAdapter;
  try {
    adapter = await makeAdapter(config, instanceId, logger);
  } catch (err) {
    const detail = err instanceof ChatConfigError ? err.reason : (err as Error).message;
    tell({ ctl: 'listen-failed', detail });
    process.exit(1);
  }
  const server = createChatServer({ ...config.options, adapter, logger });
  let address: ChatServerAddress;
  try {
    address = await server.start();
  } catch (err) {
    const detail = err instanceof ChatConfigError ? err.reason : (err as Error).message;
    tell({ ctl: 'listen-failed', detail });
    process.exit(1);
  }
  tell({
    ctl: 'listening',
    url: address.url,
    httpUrl: address.httpUrl,
    host: address.host,
    instance: adapter.instanceId,
  });

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'worker-stopping', why }, 'worker shutting down');
    server.stop().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ event: 'stop-failed', err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('message', (message: unknown) => {
    if ((message as SupervisorMessage | undefined)?.ctl === 'shutdown') stop('primary');
  });
  // The primary is gone (killed): nothing routes between workers any more.
  process.on('disconnect', () => stop('primary gone'));
  // Ctrl+C in a terminal signals the whole process group: the primary coordinates the stop.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The node:cluster primary: forks the workers, routes between them (cluster adapter), restarts
 * a worker that dies, and stops them all on SIGINT/SIGTERM.
 */
function runPrimary(config: ServerConfig): void {
  const { workers: count, adapter } = config.scale;
  const logger = makeLogger(config, { role: 'primary' });
  const base = config.scale.instanceId ?? newInstanceId();
  const limits = config.options.limits ?? {};
  const router =
    adapter === 'cluster'
      ? new ClusterRouter({
          ...(limits.historySize !== undefined ? { historySize: limits.historySize } : {}),
          ...(limits.resumeWindow !== undefined ? { resumeWindow: limits.resumeWindow } : {}),
          logger,
        })
      : undefined;
  // Structured clone on the IPC channel: event JSON travels as a string without re-escaping.
  cluster.setupPrimary({ serialization: 'advanced' });

  let forks = 0;
  let stopping = false;
  let bannerShown = false;
  const listening = new Set<Worker>();
  const live = new Set<Worker>();
  const started = new Map<Worker, number>();
  let quickDeaths = 0;

  const fork = () => {
    forks++;
    const instance = `${base}w${forks}`;
    const worker = cluster.fork({ [WORKER_INSTANCE_ENV]: instance });
    live.add(worker);
    started.set(worker, Date.now());
    router?.attach(worker.id, workerPort(worker));
    worker.on('message', (message: unknown) => {
      const m = message as SupervisorMessage | undefined;
      if (m?.ctl === 'listening') {
        listening.add(worker);
        logger.info(
          {
            event: 'worker-listening',
            worker: worker.id,
            instance: m.instance,
            workerPid: worker.process.pid,
          },
          'worker listening',
        );
        if (!bannerShown && listening.size === count) {
          bannerShown = true;
          printBanner(m, ` (${count} worker${count === 1 ? '' : 's'}, ${adapter} adapter)`);
        }
      } else if (m?.ctl === 'listen-failed') {
        process.stderr.write(`ws02-chat-server: ${m.detail}\n`);
        stopAll(1);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker);
    live.delete(worker);
    router?.detach(worker.id, !stopping);
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) {
      if (live.size === 0) finish();
      return;
    }
    // A worker that keeps dying at once (a bug, a bad environment) is restarted ever slower.
    quickDeaths = lived < 5_000 ? quickDeaths + 1 : 0;
    const delay = Math.min(100 * 2 ** quickDeaths, 10_000);
    logger.warn(
      {
        event: 'worker-died',
        worker: worker.id,
        workerPid: worker.process.pid,
        code,
        signal,
        restartInMs: delay,
      },
      'worker died: restarting it; the other workers keep serving',
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  let exitCode = 0;
  let killTimer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (killTimer !== undefined) clearTimeout(killTimer);
    router?.close();
    if (exitCode === 0) process.stdout.write('chat server stopped\n');
    logger.info({ event: 'stopped' }, 'chat server stopped');
    logger.flush();
    process.exit(exitCode);
  };
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const alive = [...live];
    logger.info({ event: 'stopping', workers: alive.length }, 'shutting down');
    if (alive.length === 0) {
      finish();
      return;
    }
    for (const w of alive)
      w.send({ ctl: 'shutdown' } satisfies SupervisorMessage, undefined, undefined, () => {});
    const grace =
      (config.options.closeTimeout ?? SERVER_OPTION_DEFAULTS.closeTimeout) + WORKER_STOP_GRACE;
    killTimer = setTimeout(() => {
      logger.error({ event: 'stop-timeout' }, 'workers did not stop in time: killing them');
      exitCode = 1;
      for (const w of live) w.process.kill('SIGKILL');
    }, grace);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`ws02-chat-server: ${signal} again, exiting without waiting\n`);
      for (const w of live) w.process.kill('SIGKILL');
      process.exit(1);
    }
    process.stdout.write(`${signal}: shutting down (${listening.size} workers)\n`);
    stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  logger.info(
    { event: 'primary-start', workers: count, adapter, instance: base },
    'starting workers',
  );
  for (let i = 0; i < count; i++) fork();
}

/** A worker's IPC channel as the router sees it. */
function workerPort(worker: Worker): IpcPort {
  return {
    send: (message, callback) => worker.send(message as never, undefined, undefined, callback),
    on: (event, listener) => worker.on(event, listener),
    off: (event, listener) => worker.off(event, listener),
  };
}

async function listenOrExit(server: ChatServer): Promise<ChatServerAddress> {
  try {
    return await server.start();
  } catch (err) {
    failStart(err);
  }
}

function failStart(err: unknown): never {
  const detail = err instanceof ChatConfigError ? err.reason : (err as Error).message;
  process.stderr.write(`ws02-chat-server: ${detail}\n`);
  process.exit(1);
}

function printBanner(
  address: Pick<ChatServerAddress, 'url' | 'httpUrl' | 'host'>,
  how: string,
): void {
  const cli = fileURLToPath(new URL('./chat-cli.js', import.meta.url));
  const cliPath = relative(process.cwd(), cli) || cli;
  const everywhere = address.host === '0.0.0.0' || address.host === '::';
  process.stdout.write(
    [
      `ws02 chat server listening on ${address.url}${everywhere ? ` (all interfaces, ${address.host})` : ''}${how}`,
      `  connect:  node ${cliPath} ${address.url} --nick <name>`,
      `            (or: ws02-chat ${address.url}  where the ws02-chat bin is installed)`,
      `  health:   ${address.httpUrl}/healthz`,
      `  metrics:  ${address.httpUrl}/metrics`,
      '  stop:     Ctrl+C (graceful: every client gets a Close frame)',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`ws02-chat-server: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
