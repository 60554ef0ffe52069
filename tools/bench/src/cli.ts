import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BenchError } from './bench-error.js';
import { renderCharts } from './charts.js';
import { formatProfileSummary, readCpuProfile, summariseCpuProfile } from './cpu-profile.js';
import { formatValue } from './format.js';
import { formatHeapDiff, readHeapDiff } from './heap-snapshot.js';
import { formatJson } from './json-format.js';
import {
  ALL_CONTENDERS,
  type BenchOptions,
  DEFAULT_CONTENDERS,
  runBench,
  selectScenarios,
} from './orchestrator.js';
import { renderMarkdown, replaceMarkdownSection } from './report-markdown.js';
import { renderTable, shouldColor } from './report-table.js';
import type { BenchResults, ContenderId } from './types.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function sideList(value: string): ('server' | 'load')[] {
  const list = value.split(',').map((s) => s.trim());
  for (const side of list) {
    if (side !== 'server' && side !== 'load') {
      throw new InvalidArgumentError(`unknown side ${side} (server or load)`);
    }
  }
  return list as ('server' | 'load')[];
}

function contenderList(value: string): ContenderId[] {
  const list = value.split(',').map((s) => s.trim());
  for (const c of list) {
    if (!(ALL_CONTENDERS as readonly string[]).includes(c)) {
      throw new InvalidArgumentError(
        `unknown contender ${c} (one of ${ALL_CONTENDERS.join(', ')})`,
      );
    }
  }
  return list as ContenderId[];
}

/** Writes the charts of a result set into `dir`; returns the files written. */
export function writeCharts(results: BenchResults, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, svg] of renderCharts(results)) {
    const file = join(dir, name);
    writeFileSync(file, svg);
    files.push(file);
  }
  return files;
}

function writeOutputs(
  results: BenchResults,
  opts: { json?: string; charts?: string; markdown?: string },
): void {
  if (opts.json !== undefined && opts.json !== '-') {
    writeFileSync(opts.json, formatJson(results));
    process.stderr.write(`results: ${opts.json}\n`);
  }
  if (opts.charts !== undefined) {
    for (const f of writeCharts(results, opts.charts)) process.stderr.write(`chart: ${f}\n`);
  }
  if (opts.markdown !== undefined) {
    let text = '';
    try {
      text = readFileSync(opts.markdown, 'utf8');
    } catch {
      text = '# Benchmarks\n';
    }
    writeFileSync(opts.markdown, replaceMarkdownSection(text, renderMarkdown(results)));
    process.stderr.write(`markdown: ${opts.markdown}\n`);
  }
}

interface RunOptions {
  quick?: boolean;
  full?: boolean;
  rounds?: number;
  duration?: number;
  warmup?: number;
  only?: string;
  contenders?: ContenderId[];
  idleConnections?: number;
  broadcastClients?: number;
  broadcastBurst?: number;
  latencyRate?: number;
  json?: string;
  charts?: string;
  markdown?: string;
  cpuProf?: string;
  cpuProfContenders?: ContenderId[];
  cpuProfSides?: ('server' | 'load')[];
  heapSnapshot?: string;
  budget?: number;
  baseline?: string;
  color: boolean;
}

/** The contenders: as given (or the default), plus ws02-base right after ws02 with --baseline. */
function contendersOf(opts: RunOptions): readonly ContenderId[] {
  const list = [...(opts.contenders ?? DEFAULT_CONTENDERS)];
  if (opts.baseline !== undefined && !list.includes('ws02-base')) {
    list.splice(list.indexOf('ws02') + 1, 0, 'ws02-base');
  }
  return list;
}

async function run(opts: RunOptions): Promise<void> {
  const mode = opts.quick ? 'quick' : 'full';
  const scale = {
    ...(opts.duration !== undefined ? { durationMs: opts.duration } : {}),
    ...(opts.warmup !== undefined ? { warmupMs: opts.warmup } : {}),
    ...(opts.idleConnections !== undefined ? { idleConnections: opts.idleConnections } : {}),
    ...(opts.broadcastClients !== undefined ? { broadcastClients: opts.broadcastClients } : {}),
    ...(opts.broadcastBurst !== undefined ? { broadcastBurst: opts.broadcastBurst } : {}),
    ...(opts.latencyRate !== undefined ? { latencyRate: opts.latencyRate } : {}),
  };
  const script = relative(process.cwd(), process.argv[1] ?? 'ws02-bench') || 'ws02-bench';
  const options: BenchOptions = {
    mode,
    ...(opts.rounds !== undefined ? { rounds: opts.rounds } : {}),
    contenders: contendersOf(opts),
    ...(opts.baseline !== undefined ? { baselineDir: opts.baseline } : {}),
    ...(opts.only !== undefined ? { only: opts.only.split(',') } : {}),
    scale,
    ...(opts.cpuProf !== undefined ? { cpuProfDir: opts.cpuProf } : {}),
    ...(opts.cpuProfContenders !== undefined ? { cpuProfContenders: opts.cpuProfContenders } : {}),
    ...(opts.heapSnapshot !== undefined ? { heapSnapshotDir: opts.heapSnapshot } : {}),
    ...(opts.cpuProfSides !== undefined ? { cpuProfSides: opts.cpuProfSides } : {}),
    ...(opts.budget !== undefined ? { budgetMs: opts.budget * 1000 } : {}),
    command: ['node', script, ...process.argv.slice(2)].join(' '),
    onProgress: (() => {
      const total =
        selectScenarios({ mode, scale, ...(opts.only ? { only: opts.only.split(',') } : {}) })
          .length *
        (opts.rounds ?? (mode === 'quick' ? 1 : 5)) *
        contendersOf(opts).length;
      let done = 0;
      return (event) => {
        done++;
        const m = event.measurement;
        const metric = event.scenario.metrics[0]!;
        const value = m.ok
          ? formatValue(m.metrics[metric.key], metric.unit)
          : `FAILED: ${m.error ?? ''}`;
        process.stderr.write(
          `[${String(done).padStart(String(total).length)}/${total}] ${event.scenario.id} ` +
            `r${event.round}/${event.rounds} ${event.contender.padEnd(10)} ${value}\n`,
        );
      };
    })(),
  };
  const results = await runBench(options);
  const toStdout = opts.json === '-';
  const tableStream = toStdout ? process.stderr : process.stdout;
  tableStream.write(`\n${renderTable(results, { color: shouldColor(tableStream, opts.color) })}`);
  if (toStdout) process.stdout.write(formatJson(results));
  writeOutputs(results, opts);
  if (opts.cpuProf !== undefined) {
    const lines: string[] = [];
    for (const s of results.scenarios) {
      for (const r of s.rounds) {
        for (const [contender, m] of Object.entries(r.results)) {
          const files: [string, string | undefined][] = [
            ['server', m?.cpuProfile],
            ['load generator (client)', m?.cpuProfileLoad],
          ];
          for (const [side, path] of files) {
            if (path === undefined) continue;
            try {
              const summary = summariseCpuProfile(readCpuProfile(path));
              lines.push(`## ${s.id} — ${contender} ${side}, round ${r.round}`, '');
              lines.push(formatProfileSummary(summary, 15));
            } catch (error) {
              lines.push(
                `## ${s.id} — ${contender} ${side}: no profile (${(error as Error).message})`,
                '',
              );
            }
          }
        }
      }
    }
    const file = join(opts.cpuProf, 'summary.md');
    writeFileSync(file, `${lines.join('\n')}\n`);
    process.stderr.write(`profile summaries: ${file}\n`);
  }
  if (opts.heapSnapshot !== undefined) {
    const lines: string[] = [];
    for (const s of results.scenarios) {
      for (const r of s.rounds) {
        for (const [contender, m] of Object.entries(r.results)) {
          if (m?.heapSnapshots === undefined) continue;
          const connections = s.params.connections ?? 1;
          lines.push(`## ${s.id} — ${contender} server, round ${r.round}`, '');
          lines.push(
            formatHeapDiff(
              readHeapDiff(m.heapSnapshots.baseline, m.heapSnapshots.loaded, connections),
            ),
          );
        }
      }
    }
    const file = join(opts.heapSnapshot, 'summary.md');
    writeFileSync(file, `${lines.join('\n')}\n`);
    process.stderr.write(`heap summaries: ${file}\n`);
  }
  const failed = results.scenarios.some((s) =>
    s.rounds.some((r) => Object.values(r.results).some((m) => m?.ok === false)),
  );
  if (failed) process.exitCode = 1;
}

export function buildProgram(): Command {
  const program = new Command('ws02-bench')
    .description(
      'Side-by-side benchmarks of @ws02/server + @ws02/client against ws and a raw TCP echo',
    )
    .showHelpAfterError();
  program
    .command('run', { isDefault: true })
    .description('run the benchmark scenarios (default command)')
    .option('--quick', 'CI mode: every scenario, small and short, 1 round (under 2 minutes)')
    .option('--full', 'the documented figures (default): 5 rounds, full sizes')
    .option('--rounds <n>', 'rounds of interleaved measurements', positiveInt)
    .option('--duration <ms>', 'measuring window per measurement', positiveInt)
    .option('--warmup <ms>', 'warm-up before each window', positiveInt)
    .option('--only <ids>', 'only scenarios whose id contains one of these (comma-separated)')
    .option(
      '--contenders <list>',
      `comma-separated, from ${ALL_CONTENDERS.join(', ')} (default ${DEFAULT_CONTENDERS.join(',')})`,
      contenderList,
    )
    .option('--idle-connections <n>', 'idle-memory connections (full: 10000)', positiveInt)
    .option('--broadcast-clients <n>', 'broadcast clients (full: 1000)', positiveInt)
    .option('--broadcast-burst <n>', 'messages per broadcast burst (full: 300)', positiveInt)
    .option('--latency-rate <n>', 'offered rate of the latency scenario, msg/s', positiveInt)
    .option(
      '--baseline <dir>',
      'also measure another built checkout of this repository as ws02-base (before/after in one run)',
    )
    .option(
      '--budget <seconds>',
      'fail (BENCH_BUDGET_EXCEEDED) rather than run longer than this; workers are stopped',
      positiveInt,
    )
    .option('--json <file>', 'write the results as JSON (- for stdout)')
    .option('--charts <dir>', 'write SVG charts of the results')
    .option('--markdown <file>', 'write/replace the generated results section of a markdown file')
    .option('--cpu-prof <dir>', 'CPU-profile the server processes; summaries in <dir>/summary.md')
    .option(
      '--cpu-prof-contenders <list>',
      'whose processes to profile (default ws02)',
      contenderList,
    )
    .option(
      '--cpu-prof-sides <list>',
      'server, load (the client library) or server,load (default server)',
      sideList,
    )
    .option(
      '--heap-snapshot <dir>',
      'idle memory: heap snapshots of the servers; per-connection growth by kind in <dir>/summary.md',
    )
    .addOption(new Option('--no-color', 'no colours (also NO_COLOR, non-TTY)'))
    .action((opts: RunOptions) => run(opts));
  program
    .command('report <results.json>')
    .description('print the table of a results file; optionally write charts and markdown')
    .option('--charts <dir>', 'write SVG charts')
    .option('--markdown <file>', 'write/replace the generated results section of a markdown file')
    .addOption(new Option('--no-color', 'no colours'))
    .action((file: string, opts: { charts?: string; markdown?: string; color: boolean }) => {
      const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
      if (results.schema !== 'ws02-bench/1') {
        throw new BenchError('BENCH_USAGE', `${file} is not a ws02-bench/1 results file`);
      }
      process.stdout.write(
        renderTable(results, { color: shouldColor(process.stdout, opts.color) }),
      );
      writeOutputs(results, opts);
    });
  program
    .command('profile <files...>')
    .description('summarise .cpuprofile files: self time by function and by source file')
    .option('--top <n>', 'functions to list', positiveInt, 25)
    .option('--json', 'print the summary as JSON')
    .addOption(
      new Option('--by <order>', 'order functions by self or total time')
        .choices(['self', 'total'])
        .default('self'),
    )
    .action((files: string[], opts: { top: number; json?: boolean; by: 'self' | 'total' }) => {
      for (const file of files) {
        const summary = summariseCpuProfile(readCpuProfile(file));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ file, ...summary }, null, 2)}\n`);
        } else {
          process.stdout.write(
            `## ${file}\n\n${formatProfileSummary(summary, opts.top, opts.by)}\n`,
          );
        }
      }
    });
  program
    .command('heap <baseline> <loaded>')
    .description(
      'what each connection adds to the heap: (loaded − baseline) / connections, by kind',
    )
    .requiredOption('--connections <n>', 'connections open in the loaded snapshot', positiveInt)
    .option('--top <n>', 'kinds to list', positiveInt, 25)
    .action((baseline: string, loaded: string, opts: { connections: number; top: number }) => {
      process.stdout.write(
        formatHeapDiff(readHeapDiff(baseline, loaded, opts.connections), opts.top),
      );
    });
  program
    .command('scenarios')
    .description('list the scenarios (ids for --only) with their parameters')
    .option('--quick', 'at the quick scale')
    .action((opts: { quick?: boolean }) => {
      for (const s of selectScenarios({ mode: opts.quick ? 'quick' : 'full' })) {
        process.stdout.write(`${s.id.padEnd(22)} ${s.title}\n`);
      }
    });
  return program;
}

buildProgram()
  .parseAsync()
  .catch((error: Error) => {
    process.stderr.write(`ws02-bench: ${error.message}\n`);
    process.exitCode = 2;
  });
