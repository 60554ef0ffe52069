import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { pino } from 'pino';
import { ChatConfigError } from './chat-error.js';
import { type ChatServer, createChatServer } from './chat-server.js';
import { parseServerConfig, type ServerConfig } from './server-config.js';

/**
 * `ws02-chat-server`: the embedded default — one process, in-memory rooms and history, no
 * external service. Human-readable status on stdout, JSON logs (pino) on stderr.
 * Exit status: 0 after a graceful shutdown (SIGINT/SIGTERM), 2 on bad configuration, 1 when it
 * cannot listen or fails.
 */
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
      process.stderr.write(`ws02-chat-server: ${err.detail}\n`);
      process.exit(2);
    }
    throw err;
  }

  const logger = pino(
    {
      name: 'ws02-chat-server',
      level: config.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 2, sync: true }),
  );
  const server = createChatServer({ ...config.options, logger });
  let address: Awaited<ReturnType<ChatServer['start']>>;
  try {
    address = await server.start();
  } catch (err) {
    const detail = err instanceof ChatConfigError ? err.detail : (err as Error).message;
    process.stderr.write(`ws02-chat-server: ${detail}\n`);
    process.exit(1);
  }

  const cli = fileURLToPath(new URL('./chat-cli.js', import.meta.url));
  const cliPath = relative(process.cwd(), cli) || cli;
  const everywhere = address.host === '0.0.0.0' || address.host === '::';
  process.stdout.write(
    [
      `ws02 chat server listening on ${address.url}${everywhere ? ` (all interfaces, ${address.host})` : ''}`,
      `  connect:  node ${cliPath} ${address.url} --nick <name>`,
      `            (or: ws02-chat ${address.url}  where the ws02-chat bin is installed)`,
      `  health:   ${address.httpUrl}/healthz`,
      `  metrics:  ${address.httpUrl}/metrics`,
      '  stop:     Ctrl+C (graceful: every client gets a Close frame)',
      '',
    ].join('\n'),
  );

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

main().catch((err: unknown) => {
  process.stderr.write(`ws02-chat-server: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
