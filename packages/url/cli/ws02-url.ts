// `ws02-url <url> [--origin O] [--protocol P]... [--json]`: the section 3 breakdown of a URL.
// Node-only (it lives outside src/, which must stay runtime-neutral).
import { parseArgs } from 'node:util';
import {
  constructWebSocketUrl,
  isWs02Error,
  parseWebSocketUrl,
  validateWebSocketUrl,
  type WebSocketUrl,
} from '../src/index.js';

const USAGE = `usage: ws02-url <url> [--origin <origin>] [--protocol <p>]... [--json]

Parses a WebSocket URL (draft-02 section 3.1), shows its components, the URL constructed
back from them (3.2), and whether it is valid to connect to (3.3).
Exit status: 0 valid, 1 invalid, 2 usage error.`;

interface Report {
  input: string;
  valid: boolean;
  parts?: WebSocketUrl;
  url?: string;
  error?: { code: string; section: string; step?: number | undefined; message: string };
}

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
  const report: Report = { input, valid: false };
  try {
    const parts = parseWebSocketUrl(input);
    report.parts = parts;
    report.url = constructWebSocketUrl(parts);
    validateWebSocketUrl({ ...parts, origin: values.origin, protocols: values.protocol });
    report.valid = true;
  } catch (e) {
    if (!isWs02Error(e)) throw e;
    report.error = { code: e.code, section: e.section, step: e.step, message: e.message };
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [`input          ${JSON.stringify(input)}`];
    if (report.parts) {
      lines.push(
        `secure         ${report.parts.secure} (${report.parts.secure ? 'wss' : 'ws'})`,
        `host           ${report.parts.host}`,
        `port           ${report.parts.port}`,
        `resource name  ${report.parts.resourceName}`,
        `constructed    ${report.url}`,
      );
    }
    lines.push(
      report.valid
        ? 'valid          yes (section 3.3)'
        : `valid          no: ${report.error?.message}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
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
