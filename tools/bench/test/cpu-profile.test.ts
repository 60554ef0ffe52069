import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CpuProfile,
  formatProfileSummary,
  readCpuProfile,
  summariseCpuProfile,
} from '../src/index.js';

const frame = (id: number, functionName: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url: '', lineNumber: 0, columnNumber: 0 },
  children,
});

describe('summariseCpuProfile on a known profile', () => {
  // root → main → (hot, cold). Sample i lasts timeDeltas[i + 1] µs.
  const profile: CpuProfile = {
    nodes: [frame(1, '(root)', [2]), frame(2, 'main', [3, 4]), frame(3, 'hot'), frame(4, 'cold')],
    startTime: 0,
    endTime: 50,
    samples: [3, 3, 4, 2, 3],
    timeDeltas: [0, 10, 10, 10, 10],
  };
  const summary = summariseCpuProfile(profile, { sourceMaps: false });

  it('sums self time by function, most first', () => {
    expect(summary.totalMs).toBeCloseTo(0.04);
    expect(summary.functions.map((f) => [f.functionName, f.selfMs])).toEqual([
      ['hot', 0.02],
      ['cold', 0.01],
      ['main', 0.01],
    ]);
    expect(summary.functions[0]!.selfPct).toBeCloseTo(50);
  });

  it('counts total (inclusive) time along the stack', () => {
    const main = summary.functions.find((f) => f.functionName === 'main')!;
    expect(main.totalMs).toBeCloseTo(0.04);
    expect(main.totalPct).toBeCloseTo(100);
  });

  it('formats a markdown table', () => {
    const text = formatProfileSummary(summary, 2);
    expect(text).toContain('| 50.0 | 50.0 | `hot` |');
    expect(text).not.toContain('`main`');
  });
});

describe('summariseCpuProfile on a real node --cpu-prof profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws02-bench-prof-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the hot function and maps bundled @ws02/frame code to its TypeScript source', () => {
    const frameEntry = createRequire(import.meta.url).resolve('@ws02/frame');
    const script = join(dir, 'hot.cjs');
    writeFileSync(
      script,
      `const { FrameConnection } = require(${JSON.stringify(frameEntry)});
       const conn = new FrameConnection();
       const payload = new Uint8Array(32);
       function spin() {
         const end = Date.now() + 400;
         let n = 0;
         while (Date.now() < end) {
           for (let i = 0; i < 64; i++) conn.sendBinary(payload);
           n += conn.takeOutgoing().length;
         }
         return n;
       }
       spin();`,
    );
    execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, script], {
      timeout: 30_000,
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    expect(file).toBeDefined();
    const summary = summariseCpuProfile(readCpuProfile(join(dir, file!)), {
      root: join(frameEntry, '../../../..'),
    });
    expect(summary.totalMs).toBeGreaterThan(100);
    const spin = summary.functions.find((f) => f.functionName === 'spin');
    expect(spin).toBeDefined();
    expect(spin!.totalPct).toBeGreaterThan(50);
    // Frame encoding shows up at its TypeScript source, not at dist/index.cjs.
    const mapped = summary.functions.filter((f) =>
      /packages\/frame\/src\/[\w-]+\.ts:\d+$/.test(f.location),
    );
    expect(mapped.length).toBeGreaterThan(0);
    expect(summary.files.some((f) => f.file.startsWith('packages/frame/src/'))).toBe(true);
  });
});
