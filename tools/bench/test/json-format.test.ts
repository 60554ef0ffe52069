import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatJson } from '../src/index.js';

const sample = {
  schema: 'ws02-bench/1',
  empty: [],
  none: {},
  short: [1.23456789, 2, 'x', null, true],
  long: Array.from({ length: 40 }, (_, i) => i * 1000.123456),
  words: Array.from({ length: 30 }, (_, i) => `word-${i}`),
  nested: { list: [{ a: 1 }, { b: [3, 4] }], deep: { value: 983858.717503 } },
};

describe('formatJson', () => {
  it('keeps the data (numbers to 6 significant digits)', () => {
    const back = JSON.parse(formatJson(sample));
    expect(back.short).toEqual([1.23457, 2, 'x', null, true]);
    expect(back.nested.deep.value).toBe(983859);
    expect(back.long).toHaveLength(40);
    expect(back.empty).toEqual([]);
    expect(back.none).toEqual({});
  });

  it('prints short scalar arrays on one line and fills lines with long number arrays', () => {
    const text = formatJson(sample);
    expect(text).toContain('"short": [1.23457, 2, "x", null, true],');
    expect(text).toContain('"long": [\n    0, 1000.12, 2000.25,');
  });

  it('prints exactly what the repository formatter (biome) prints', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const biome = join(root, 'node_modules', '.bin', 'biome');
    expect(existsSync(biome)).toBe(true);
    const text = formatJson(sample);
    const formatted = execFileSync(biome, ['format', '--stdin-file-path=results.json'], {
      input: text,
      cwd: root,
      encoding: 'utf8',
    });
    expect(formatted).toBe(text);
  });
});
