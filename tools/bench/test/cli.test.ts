import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
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

/** Runs the CLI (its workers run from the same place: dist, or src through tsx). */
function runCli(
  args: string[],
  timeout: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...command, ...args],
      {
        cwd: packageDir,
        timeout,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ws02-bench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ws02-bench --quick: every scenario runs for every contender', () => {
  it('writes JSON of the documented shape, the table, the charts and the markdown', async () => {
    const json = join(dir, 'results.json');
    const charts = join(dir, 'charts');
    const markdown = join(dir, 'BENCHMARKS.md');
    const run = await runCli(
      ['--quick', '--json', json, '--charts', charts, '--markdown', markdown],
      170_000,
    );
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
  }, 180_000);
});

describe('ws02-bench --cpu-prof, the ws02-cores contender, profile', () => {
  it('profiles the ws02 server and summarises the profile', async () => {
    const profDir = join(dir, 'prof');
    const json = join(dir, 'cores.json');
    const run = await runCli(
      [
        '--quick',
        '--only',
        'echo-32B-c1,handshake',
        '--contenders',
        'ws02,ws02-cores,raw',
        '--cpu-prof',
        profDir,
        '--json',
        json,
      ],
      90_000,
    );
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
    const summary = await runCli(['profile', file, '--json'], 30_000);
    expect(summary.code).toBe(0);
    const parsed = JSON.parse(summary.stdout) as { totalMs: number; functions: unknown[] };
    expect(parsed.totalMs).toBeGreaterThan(0);
    expect(parsed.functions.length).toBeGreaterThan(0);
  }, 120_000);

  it('refuses an unknown contender', async () => {
    const run = await runCli(['--quick', '--contenders', 'nope'], 30_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('unknown contender nope');
  }, 40_000);
});
