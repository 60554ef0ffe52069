import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { TerminalChat } from './terminal-chat.js';

/**
 * `ws02-chat <url>`: the terminal client of the chat server (README "Terminal client").
 * Exit status: 0 after /quit or end of input, 1 when the server can't be reached or the
 * connection is given up, 2 on bad usage.
 */
async function main(): Promise<void> {
  const program = new Command('ws02-chat')
    .description('Terminal client for the ws02 chat server (WebSocket draft-02).')
    .argument('<url>', 'the server, e.g. ws://127.0.0.1:8080/')
    .option('-n, --nick <nick>', 'your nick (env CHAT_NICK; default: your user name)')
    .option('-j, --join <rooms>', 'comma-separated rooms to join on connect', 'general')
    .option('--origin <origin>', 'Origin to send (servers with an allowlist check it)')
    .option('--insecure', 'wss: accept a certificate that does not verify (self-signed)')
    .addOption(new Option('--retries <n>', 'reconnect attempts in a row').default('20'))
    .addOption(
      new Option('--reconnect-delay <ms>', 'first reconnect delay, doubled per attempt').default(
        '500',
      ),
    )
    .addOption(new Option('--keepalive <ms>', 'liveness ping interval; 0 = off').default('30000'))
    .option('--no-color', 'no colours (also NO_COLOR, or when output is not a terminal)')
    .exitOverride();
  try {
    program.parse(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
  const opts = program.opts<{
    nick?: string;
    join: string;
    origin?: string;
    insecure?: boolean;
    retries: string;
    reconnectDelay: string;
    keepalive: string;
    color: boolean;
  }>();
  const number = (name: string, value: string, min: number): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) {
      process.stderr.write(
        `ws02-chat: invalid ${name} ${JSON.stringify(value)}: an integer ≥ ${min}\n`,
      );
      process.exit(2);
    }
    return n;
  };
  const nick = opts.nick ?? process.env.CHAT_NICK ?? defaultNick();
  const color = opts.color && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const chat = new TerminalChat({
    url: program.args[0]!,
    nick,
    rooms: opts.join
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
    ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
    insecure: opts.insecure === true,
    color,
    retries: number('--retries', opts.retries, 0),
    reconnectDelay: number('--reconnect-delay', opts.reconnectDelay, 1),
    keepalive: number('--keepalive', opts.keepalive, 0),
    input: process.stdin,
    output: process.stdout,
  });
  let code: number;
  try {
    code = await chat.run();
  } catch (err) {
    // A URL that can't be used (3.1/3.3) is thrown synchronously by the client: a usage error.
    process.stderr.write(`ws02-chat: ${(err as Error).message.split(' [')[0]}\n`);
    process.exit(2);
  }
  process.exit(code);
}

/** The user's login name made into a valid nick, or guest<digits>. */
function defaultNick(): string {
  let name = '';
  try {
    name = userInfo().username;
  } catch {
    // No user database entry (containers): fall back below.
  }
  const nick = name.replace(/[^A-Za-z0-9_\-[\]{}|^]/g, '').slice(0, 24);
  return /^[A-Za-z_]/.test(nick) ? nick : `guest${Math.floor(Math.random() * 9000) + 1000}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`ws02-chat: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
