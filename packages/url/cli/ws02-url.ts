// `ws02-url <url> [--origin O] [--protocol P]... [--json]`: the section 3 breakdown of a URL.
// Node-only (it lives outside src/, which must stay runtime-neutral).
import { parseArgs } from 'node:util';
import { describeWebSocketUrl, formatWebSocketUrlReport } from '../src/index.js';

const USAGE = `usage: ws02-url <url> [--origin <origin>] [--protocol <p>]... [--json]

Parses a WebSocket URL (draft-02 section 3.1), shows its components, the URL constructed
back from them (3.2), and whether it is valid to connect to (3.3).
Exit status: 0 valid, 1 invalid, 2 usage error.`;

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const input = positionals[0] ?? 'ws://example.com/chat';
  if (positionals.length === 0) {
    process.stdout.write(`(no URL given; showing ${input})\n`);
  }
  const report = describeWebSocketUrl(input, { origin: values.origin, protocols: values.protocol });
  process.stdout.write(
    `${values.json ? JSON.stringify(report, null, 2) : formatWebSocketUrlReport(report)}\n`,
  );
  return report.valid ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      origin: { type: 'string' },
      protocol: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

process.exitCode = main(process.argv.slice(2));
