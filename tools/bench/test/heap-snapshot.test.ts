import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatHeapDiff, readHeapDiff } from '../src/index.js';

describe('heap snapshot diff per connection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws02-bench-heap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds what each of N objects adds, with the closures at their source line', () => {
    const script = join(dir, 'probe.cjs');
    // Line 3 creates one closure per Probe.
    writeFileSync(
      script,
      [
        "const { writeHeapSnapshot } = require('node:v8');",
        'class Probe {',
        '  constructor(i) { this.i = i; this.cb = () => this.i; }',
        '}',
        `writeHeapSnapshot(${JSON.stringify(join(dir, 'baseline.heapsnapshot'))});`,
        'globalThis.kept = Array.from({ length: 1000 }, (_, i) => new Probe(i));',
        `writeHeapSnapshot(${JSON.stringify(join(dir, 'loaded.heapsnapshot'))});`,
      ].join('\n'),
    );
    execFileSync(process.execPath, [script], { timeout: 60_000 });
    const diff = readHeapDiff(
      join(dir, 'baseline.heapsnapshot'),
      join(dir, 'loaded.heapsnapshot'),
      1000,
    );
    const probe = diff.find((e) => e.key === 'object Probe');
    expect(probe?.countPer).toBe(1);
    expect(probe!.bytesPer).toBeGreaterThan(0);
    const closure = diff.find((e) => e.key.startsWith('closure') && e.key.endsWith('probe.cjs:3'));
    expect(closure?.countPer).toBe(1);
    expect(formatHeapDiff(diff, 5)).toMatch(/^heap self size added per connection: \d+ B/);
  });
});
