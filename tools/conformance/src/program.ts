/** The ws02-conformance command line (commander). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { caseModes } from './cases/case.js';
import { selectCases } from './cases/registry.js';
import { Output } from './cli-output.js';
import type { CaseResult, SuiteReport } from './report/suite-report.js';
import { TOOL_VERSION } from './report/suite-report.js';
import { writeReport } from './report/write-report.js';
import { runRobustness, SCENARIOS } from './robustness/robustness-run.js';
import { driveClient, type WebSocketFactory } from './runner/client-driver.js';
import { FuzzingServer } from './runner/fuzzing-server.js';
import { runServerSuite } from './runner/server-runner.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}–${max}`);
    return n;
  };
}

function printCase(out: Output, r: CaseResult, verbose: boolean): void {
  out.line(`${r.id.padEnd(9)} ${out.verdict(r.verdict)} ${r.title}`);
  if (verbose || r.verdict === 'FAILED' || r.verdict === 'NON-STRICT')
    out.line(out.dim(`          ${r.reason}`));
}

async function finishReport(
  out: Output,
  report: SuiteReport,
  dir: string | undefined,
  json: boolean,
): Promise<void> {
  if (dir !== undefined) {
    const files = await writeReport(dir, report);
    if (!json) out.line(out.dim(`report: ${files.html} (${files.json})`));
  }
  if (json) out.line(JSON.stringify(report, null, 2));
  out.line(report.summary);
  process.exitCode = report.failed > 0 ? EXIT.FAILED : EXIT.OK;
}

/** The bundled @ws02/client as a WHATWG-shaped factory (a devDependency in this workspace). */
async function ws02ClientFactory(origin: string): Promise<WebSocketFactory> {
  const mod = (await import('@ws02/client')) as typeof import('@ws02/client');
  return (url) => {
    const ws = new mod.WebSocket(url, undefined, { origin });
    ws.on('error', () => {});
    return ws as unknown as ReturnType<WebSocketFactory>;
  };
}

export function createProgram(): Command {
  const program = new Command('ws02-conformance')
    .description(
      'Draft-02 (draft-ietf-hybi-thewebsocketprotocol-02) conformance suite, Autobahn-style',
    )
    .version(TOOL_VERSION)
    .option('--no-color', 'no colours in the output')
    .showHelpAfterError()
    .exitOverride();

  const selection = (cmd: Command) =>
    cmd
      .option(
        '-c, --cases <patterns>',
        'case ids or patterns to run, comma-separated (e.g. 1.*,5.*,15.2.4)',
        list,
      )
      .option('-x, --exclude <patterns>', 'case ids or patterns to leave out', list)
      .option(
        '-q, --quick',
        'leave out the slow cases (8/16 MiB messages, 64/256-byte fragments, waits)',
      )
      .option('-t, --timeout <ms>', 'answer timeout per step', integer(100, 600_000), 4000)
      .option('-r, --report <dir>', 'write <agent>.json and <agent>.html there');

  selection(
    program
      .command('server')
      .description('test a draft-02 echo server: connect to <url> once per case')
      .argument(
        '<url>',
        'ws:// or wss:// URL of an echo server (text echoed as text, binary as binary)',
      )
      .option('-a, --agent <name>', 'name of the server under test (report title)')
      .option('--origin <origin>', 'Origin to send', 'http://localhost')
      .option('-k, --insecure', 'wss: accept any certificate')
      .option('-v, --verbose', 'print every reason')
      .option('--json', 'print the JSON report'),
  ).action(async (url: string, o: Record<string, unknown>) => {
    const out = new Output({ color: program.opts().color as boolean });
    const report = await runServerSuite({
      url,
      agent: o.agent as string | undefined,
      origin: o.origin as string,
      insecure: o.insecure === true,
      timeout: o.timeout as number,
      include: o.cases as string[] | undefined,
      exclude: o.exclude as string[] | undefined,
      quick: o.quick === true,
      onCase: o.json ? undefined : (r) => printCase(out, r, o.verbose === true),
    });
    await finishReport(out, report, o.report as string | undefined, o.json === true);
  });

  selection(
    program
      .command('client')
      .description('test a draft-02 client: serve the cases on a port the client is pointed at')
      .option('-p, --port <port>', 'port to listen on', integer(0, 65535), 9001)
      .option('-H, --host <host>', 'address to listen on', '127.0.0.1')
      .option('--once', 'exit after the first /updateReports (exit code 1 if any case FAILED)')
      .addOption(
        new Option(
          '--drive <client>',
          'also run a bundled client against the cases, then exit',
        ).choices(['ws02']),
      )
      .option('--origin <origin>', 'Origin the bundled client sends', 'http://localhost')
      .option('-v, --verbose', 'print every reason')
      .option('--json', 'print the JSON report'),
  ).action(async (o: Record<string, unknown>) => {
    const out = new Output({ color: program.opts().color as boolean });
    let resolveDone: (report: SuiteReport) => void = () => {};
    const done = new Promise<SuiteReport>((resolve) => {
      resolveDone = resolve;
    });
    const server = new FuzzingServer({
      port: o.port as number,
      host: o.host as string,
      timeout: o.timeout as number,
      include: o.cases as string[] | undefined,
      exclude: o.exclude as string[] | undefined,
      quick: o.quick === true,
      onCase: o.json ? undefined : (_agent, r) => printCase(out, r, o.verbose === true),
      onReport: async (report) => {
        if (o.once || o.drive) {
          resolveDone(report);
          return;
        }
        if (o.report !== undefined) await writeReport(o.report as string, report);
        out.line(`${report.agent}: ${report.summary}`);
      },
    });
    const port = await server.listen();
    out.line(`fuzzing server: ws://${o.host as string}:${port}/ — ${server.cases.length} cases`);
    out.line(
      out.dim(
        'protocol: /getCaseCount, then /runCase?case=N&agent=NAME for N = 1..count (echo every message), then /updateReports?agent=NAME',
      ),
    );
    if (o.drive === 'ws02') {
      const factory = await ws02ClientFactory(o.origin as string);
      driveClient(factory, `ws://${o.host as string}:${port}`, '@ws02/client').catch(
        (error: unknown) => out.error(`driver: ${(error as Error).message}`),
      );
    }
    if (!o.once && !o.drive) return;
    const report = await done;
    await server.close();
    await finishReport(out, report, o.report as string | undefined, o.json === true);
  });

  program
    .command('list')
    .description('list the cases')
    .addOption(
      new Option('-m, --mode <mode>', 'only cases of this mode').choices(['server', 'client']),
    )
    .option('-c, --cases <patterns>', 'case ids or patterns', list)
    .option('-q, --quick', 'leave out the slow cases')
    .action((o: Record<string, unknown>) => {
      const out = new Output({ color: program.opts().color as boolean });
      const modes = o.mode === undefined ? (['server', 'client'] as const) : ([o.mode] as const);
      const seen = new Set<string>();
      let count = 0;
      for (const mode of modes) {
        for (const c of selectCases(mode as 'server' | 'client', {
          include: o.cases as string[] | undefined,
          quick: o.quick === true,
        })) {
          if (seen.has(c.id)) continue;
          seen.add(c.id);
          count++;
          out.line(
            `${c.id.padEnd(9)} ${caseModes(c).join('+').padEnd(13)} ${c.draft.padEnd(24)} ${c.title}`,
          );
        }
      }
      out.line(`${count} cases`);
    });

  program
    .command('robustness')
    .description(
      'load, fault and soak scenarios against a server (ours is spawned in its own process by default)',
    )
    .option('-u, --url <url>', 'test this running server instead of spawning @ws02/server')
    .option('-s, --scenarios <names>', `comma-separated: ${SCENARIOS.join(', ')}`, list)
    .option('-q, --quick', 'CI sizes: 2,000 connections, short soak')
    .option('--connections <n>', 'concurrent connections for the load scenario', integer(1, 60_000))
    .option('--messages <n>', 'messages per connection in the load scenario', integer(1, 100_000))
    .option('--soak-seconds <s>', 'soak duration', integer(1, 86_400))
    .option('-r, --report <dir>', 'write robustness.json there')
    .option('--json', 'print the JSON report')
    .action(async (o: Record<string, unknown>) => {
      const out = new Output({ color: program.opts().color as boolean });
      const report = await runRobustness({
        url: o.url as string | undefined,
        scenarios: o.scenarios as string[] | undefined,
        quick: o.quick === true,
        connections: o.connections as number | undefined,
        messages: o.messages as number | undefined,
        soakSeconds: o.soakSeconds as number | undefined,
        reportDir: o.report as string | undefined,
        log: o.json ? () => {} : (line) => out.line(line),
      });
      if (o.json) out.line(JSON.stringify(report, null, 2));
      out.line(report.summary);
      process.exitCode = report.failed > 0 ? EXIT.FAILED : EXIT.OK;
    });

  return program;
}
