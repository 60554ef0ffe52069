import { Command, CommanderError, Option } from 'commander';
import { runConnect, UsageError } from './connect-command.js';
import { EXIT } from './exit-codes.js';
import { runListen } from './listen-command.js';
import { runUrl } from './url-command.js';

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/**
 * The `ws02` command line. `run` resolves with the exit code; it never calls `process.exit`
 * itself (the bin does), so it can be driven in-process too.
 */
export function createProgram(): { program: Command; run: (argv: string[]) => Promise<number> } {
  let code: number = EXIT.OK;
  const program = new Command('ws02')
    .description('The draft-02 WebSocket command line (Sec-WebSocket-Draft: 2)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(ws02 --help for usage)');

  program
    .command('connect')
    .description('connect to a ws:// or wss:// URL; type (or pipe) lines to send them')
    .argument('<url>', 'the WebSocket URL')
    .option('-p, --protocol <protocol>', 'offer a subprotocol (repeatable)', collect)
    .option('-o, --origin <origin>', 'the Origin to send (lowercased, 3.3)')
    .option('-H, --header <name:value>', 'an extra request header (repeatable)', collect)
    .option(
      '-x, --execute <message>',
      'send this message, print replies, close (repeatable)',
      collect,
    )
    .option(
      '-w, --wait <seconds>',
      'after --execute/--binary or the end of piped input, wait before closing',
      '0',
    )
    .option(
      '--binary <file>',
      "send the file's bytes as one Binary message, then close like --execute",
    )
    .option('--hex', 'show Binary messages as hex; typed/piped lines are hex sent as Binary')
    .option('--no-color', 'no colour (also: NO_COLOR, or output not a terminal)')
    .option('--timestamps', 'prefix every line with the time')
    .option('--trace', "show each frame's header fields (MORE, RSV, opcode, length) as they pass")
    .option('--history-file <path>', 'interactive history file', undefined)
    .option('--no-history', 'do not read or write a history file')
    .option('--no-slash', 'no /commands: every line is a message')
    .option('--proxy <url>', 'HTTP proxy (CONNECT); default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY')
    .option('--ca <file>', 'trust this CA certificate (PEM) for wss')
    .option('-k, --insecure', 'do not verify the server certificate (wss)')
    .addOption(new Option('--handshake-timeout <seconds>', 'opening handshake time limit'))
    .action(async (url: string, opts) => {
      code = await runConnect(url, opts);
    });

  program
    .command('listen')
    .description('a quick draft-02 server (@ws02/server) for any number of clients')
    .requiredOption('--port <port>', 'port to listen on (0: any free port)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--echo', 'send every message back to its sender')
    .option('--broadcast', 'send every message to every client')
    .option('-p, --protocol <protocol>', 'a subprotocol the server speaks (repeatable)', collect)
    .option('--origin <origin>', 'only accept this Origin (repeatable)', collect)
    .option('--hex', 'show Binary messages as hex; stdin lines are hex sent as Binary')
    .option('--no-color', 'no colour')
    .option('--timestamps', 'prefix every line with the time')
    .action(async (opts) => {
      code = await runListen(opts);
    });

  program
    .command('url')
    .description('the section 3 breakdown of a WebSocket URL (parse, construct, validate)')
    .argument('<url>', 'the URL to examine')
    .option('--origin <origin>', 'validate with this origin (3.3: no A–Z)')
    .option('-p, --protocol <protocol>', 'validate with this subprotocol (repeatable)', collect)
    .option('--json', 'print the report as JSON')
    .action((url: string, opts) => {
      code = runUrl(url, opts);
    });

  const run = async (argv: string[]): Promise<number> => {
    try {
      await program.parseAsync(argv);
      return code;
    } catch (error) {
      if (error instanceof CommanderError) {
        // --help and --version end with exit code 0; every other parse error is usage (2).
        return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      }
      if (error instanceof UsageError || isUrlError(error)) {
        process.stderr.write(`error: ${(error as Error).message}\n`);
        return EXIT.USAGE;
      }
      process.stderr.write(`error: ${(error as Error).message}\n`);
      return EXIT.CONNECT_FAILED;
    }
  };
  return { program, run };
}

// Invalid URLs (3.1/3.3), and options the client refuses before connecting, are usage errors.
function isUrlError(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    name === 'WebSocketUrlError' ||
    code === 'CLIENT_INVALID_OPTION' ||
    code === 'HANDSHAKE_INVALID_FIELD' ||
    code === 'HANDSHAKE_INVALID_URL'
  );
}
