import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHistory, saveHistory } from '../src/index.js';

describe('history file', () => {
  it('is stored oldest first and loaded newest first (readline order)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ws02-h-')), 'nested', 'history');
    expect(loadHistory(file)).toEqual([]);
    saveHistory(file, ['newest', 'older', 'oldest']);
    expect(readFileSync(file, 'utf8')).toBe('oldest\nolder\nnewest\n');
    expect(loadHistory(file)).toEqual(['newest', 'older', 'oldest']);
  });

  it('a file that cannot be written is not an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws02-h-'));
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'x');
    expect(() => saveHistory(join(notADirectory, 'sub', 'history'), ['x'])).not.toThrow();
  });
});
