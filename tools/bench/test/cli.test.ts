import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendantsOf, isRunning, type ProcessRow } from '@ws02/process-group';
import { afterAll, describe, expect, it } from 'vitest';
import { scaledBudget } from '../../../scripts/test-utils/machine.js';
import { PROCESS_WAIT_MS, Spawned } from '../../../scripts/test-utils/spawned.js';
import {
  type BenchResults,
  DEFAULT_CONTENDERS,
  MARKDOWN_END,
  MARKDOWN_START,
  selectScenarios,
} from '../src/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time of the files in a directory. */
function newest(dirPath: string): number {
  return Math.max(...readdirSync(dirPath).map((f) => statSync(join(dirPath, f)).mtimeMs));
}

/**
 * The built bin when dist is at least as new as every source file (turbo builds before
 * testing), else the sources through tsx (slower to start: every worker transpiles).
 */
const command = (() => {
  const bin = join(packageDir, 'dist', 'cli.js');
  const worker = join(packageDir, 'dist', 'worker.js');
  const fresh =
    existsSync(bin) &&
    existsSync(worker) &&
    Math.min(statSync(bin).mtimeMs, statSync(worker).mtimeMs) >= newest(join(packageDir, 'src'));
  return fresh ? [bin] : ['--import', 'tsx', join(packageDir, 'src', 'cli.ts')];
})();

/**
 * The quick run's budget, scaled to how busy the machine is now (about a minute on a quiet
 * 2-core machine; 4 minutes is the base). The bench enforces it itself (--budget): a run that
 * cannot finish fails with BENCH_BUDGET_EXCEEDED and stops its workers; the test's own timeout
 * is a margin above it, so the test runner never times out.
 */
const BUDGET_MS = await scaledBudget(240_000);
const MARGIN_MS = 60_000;

const BUDGET = ['--budget', String(Math.ceil(BUDGET_MS / 1000))];

/** Runs the CLI (its workers run from the same place: dist, or src through tsx). */
async function runCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = Spawned.node(command[0]!, [...command.slice(1), ...args], {
    cwd: packageDir,
    env: { NO_COLOR: '1' },
  });
  const { code } = await p.exit(BUDGET_MS + MARGIN_MS / 2);
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** The TCP ports these processes listen on (Linux: their socket inodes in /proc/net/tcp). */
function listeningPorts(pids: readonly number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      }
    } catch {}
  }
  const ports: number[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // local_address rem_address st … inode; st 0A is LISTEN
    if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(Number.parseInt(f[1]!.split(':')[1]!, 16));
  }
  return ports;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ws02-bench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ws02-bench --quick: every scenario runs for every contender', () => {
  it(
    'writes JSON of the documented shape, the table, the charts and the markdown',
    async () => {
      const json = join(dir, 'results.json');
      const charts = join(dir, 'charts');
      const markdown = join(dir, 'BENCHMARKS.md');
      const run = await runCli([
        '--quick',
        ...BUDGET,
        '--json',
        json,
        '--charts',
        charts,
        '--markdown',
        markdown,
      ]);
      expect(run.stderr).not.toContain('FAILED');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('targets met:');

      const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
      expect(results.schema).toBe('ws02-bench/1');
      expect(results.mode).toBe('quick');
      expect(results.rounds).toBe(1);
      expect(results.contenders).toEqual(DEFAULT_CONTENDERS);
      expect(results.command).toContain('--quick');
      expect(results.environment.wsNative.bufferutil).toBe(true);
      expect(results.environment.versions.ws).toBe('8.23.0');
      const expected = selectScenarios({ mode: 'quick' });
      expect(results.scenarios.map((s) => s.id)).toEqual(expected.map((s) => s.id));
      expect(new Set(results.scenarios.map((s) => s.kind))).toEqual(
        new Set(['echo', 'latency', 'handshake', 'idle-memory', 'broadcast']),
      );

      for (const scenario of results.scenarios) {
        expect(scenario.rounds).toHaveLength(1);
        for (const contender of DEFAULT_CONTENDERS) {
          const m = scenario.rounds[0]!.results[contender];
          expect(m?.error, `${scenario.id} ${contender}`).toBeUndefined();
          expect(m?.ok).toBe(true);
          for (const metric of scenario.metrics) {
            expect(Number.isFinite(m!.metrics[metric.key]), `${scenario.id} ${metric.key}`).toBe(
              true,
            );
            expect(scenario.summary[contender]![metric.key]!.values).toHaveLength(1);
          }
        }
        if (
          scenario.kind === 'echo' ||
          scenario.kind === 'handshake' ||
          scenario.kind === 'broadcast'
        ) {
          for (const contender of DEFAULT_CONTENDERS) {
            const primary = scenario.metrics[0]!.key;
            expect(scenario.rounds[0]!.results[contender]!.metrics[primary]).toBeGreaterThan(0);
          }
        }
        expect(Object.keys(scenario.ratios).sort()).toEqual(['ws02/raw', 'ws02/ws']);
        expect(scenario.targetResults).toHaveLength(scenario.targets.length);
        for (const t of scenario.targetResults) {
          expect(t.contender).toBe('ws02');
          // null when a baseline value is not positive (RSS deltas of a few hundred quick
          // connections can be); a number otherwise.
          expect(t.measured === null || Number.isFinite(t.measured)).toBe(true);
          expect(typeof t.met).toBe('boolean');
        }
      }

      expect(readdirSync(charts).sort()).toEqual([
        'broadcast.svg',
        'echo-messages.svg',
        'echo-throughput.svg',
        'handshakes.svg',
        'latency.svg',
        'memory.svg',
        'server-cpu.svg',
        'targets.svg',
      ]);
      const doc = readFileSync(markdown, 'utf8');
      expect(doc).toContain(MARKDOWN_START);
      expect(doc).toContain(MARKDOWN_END);
      expect(doc).toContain('echo-1MiB-c256');
      expect(doc).toContain('broadcast-tick-32B-50');
    },
    BUDGET_MS + MARGIN_MS,
  );
});

describe('ws02-bench --cpu-prof, the ws02-cores contender, profile', () => {
  it(
    'profiles the ws02 server and summarises the profile',
    async () => {
      const profDir = join(dir, 'prof');
      const json = join(dir, 'cores.json');
      const run = await runCli([
        '--quick',
        ...BUDGET,
        '--only',
        'echo-32B-c1,handshake',
        '--contenders',
        'ws02,ws02-cores,raw',
        '--cpu-prof',
        profDir,
        '--json',
        json,
      ]);
      expect(run.code).toBe(0);
      const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
      expect(results.scenarios.map((s) => s.id)).toEqual(['echo-32B-c1', 'handshake-c32']);
      for (const s of results.scenarios) {
        expect(s.rounds[0]!.results['ws02-cores']?.ok).toBe(true);
        expect(Object.keys(s.ratios).sort()).toEqual(['ws02-cores/raw', 'ws02/raw']);
      }
      const file = join(profDir, 'echo-32B-c1.ws02.r1.cpuprofile');
      expect(existsSync(file)).toBe(true);
      expect(existsSync(join(profDir, 'echo-32B-c1.raw.r1.cpuprofile'))).toBe(false);
      expect(readFileSync(join(profDir, 'summary.md'), 'utf8')).toContain(
        '## echo-32B-c1 — ws02 server, round 1',
      );
      const summary = await runCli(['profile', file, '--json']);
      expect(summary.code).toBe(0);
      const parsed = JSON.parse(summary.stdout) as { totalMs: number; functions: unknown[] };
      expect(parsed.totalMs).toBeGreaterThan(0);
      expect(parsed.functions.length).toBeGreaterThan(0);
    },
    BUDGET_MS + MARGIN_MS,
  );

  it(
    '--baseline measures another built checkout as ws02-base, with ws02/ws02-base ratios',
    async () => {
      const json = join(dir, 'baseline.json');
      // This checkout stands in for "another": what is checked is the shape, not the figures.
      const repo = join(packageDir, '..', '..');
      const run = await runCli([
        '--quick',
        ...BUDGET,
        '--only',
        'echo-32B-c1',
        '--contenders',
        'ws02,raw',
        '--baseline',
        repo,
        '--json',
        json,
      ]);
      expect(run.code).toBe(0);
      const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
      expect(results.contenders).toEqual(['ws02', 'ws02-base', 'raw']);
      const [s] = results.scenarios;
      expect(s!.rounds[0]!.results['ws02-base']?.ok).toBe(true);
      expect(Object.keys(s!.ratios).sort()).toEqual(['ws02/raw', 'ws02/ws02-base']);
      const missing = await runCli([
        '--quick',
        ...BUDGET,
        '--only',
        'echo-32B-c1',
        '--baseline',
        dir,
      ]);
      expect(missing.code).not.toBe(0);
      expect(missing.stdout + missing.stderr).toContain('BENCH_WORKER_MISSING');
    },
    BUDGET_MS + MARGIN_MS,
  );

  it(
    'refuses an unknown contender',
    async () => {
      const run = await runCli(['--quick', '--contenders', 'nope']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('unknown contender nope');
    },
    BUDGET_MS + MARGIN_MS,
  );
});

describe('ws02-bench leaves nothing behind', () => {
  it(
    'SIGKILL of the bench mid-measurement: its server and load workers exit, nothing listens',
    async () => {
      // A plain spawn, so that only the bench's own mechanism (its workers lead groups of their
      // own and watch their IPC channel: exitWithParent) can clean up after it; the test kills
      // whatever it saw at the end, as a safety net.
      const args = [
        '--quick',
        '--only',
        'echo-32B-c1',
        '--contenders',
        'ws02',
        '--duration',
        '600000',
      ];
      const bench = spawn(process.execPath, [...command, ...args], {
        cwd: packageDir,
        stdio: 'ignore',
        detached: true,
      });
      let seen: ProcessRow[] = [];
      try {
        const workers = () => descendantsOf(bench.pid!).filter((p) => p.command.includes('worker'));
        const both = (rows: ProcessRow[]) =>
          rows.some((p) => / server /.test(p.command)) &&
          rows.some((p) => / load /.test(p.command));
        const started = Date.now() + BUDGET_MS;
        for (;;) {
          seen = workers();
          if (both(seen)) break;
          if (Date.now() > started)
            throw new Error('the bench never had a server and a load worker');
          await new Promise((r) => setTimeout(r, 50));
        }
        const ports = listeningPorts(seen.map((p) => p.pid));
        expect(ports.length).toBeGreaterThan(0); // the server worker listens
        bench.kill('SIGKILL');
        await new Promise((r) => bench.once('exit', r));
        const gone = Date.now() + PROCESS_WAIT_MS;
        while (seen.some((p) => isRunning(p.pid))) {
          if (Date.now() > gone) throw new Error('a bench worker outlived the bench');
          await new Promise((r) => setTimeout(r, 50));
        }
        for (const port of ports) expect(await refused(port)).toBe(true);
      } finally {
        for (const pid of [bench.pid!, ...seen.map((p) => p.pid)]) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {}
        }
      }
    },
    BUDGET_MS + MARGIN_MS,
  );
});
