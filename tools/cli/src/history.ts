import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Reads a history file (one entry per line, oldest first) as readline wants it: newest first. */
export function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .reverse();
  } catch {
    return [];
  }
}

/** Writes readline's history (newest first) back, oldest first; failures are not fatal. */
export function saveHistory(path: string, history: readonly string[]): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, history.length === 0 ? '' : `${[...history].reverse().join('\n')}\n`, {
      mode: 0o600,
    });
  } catch {
    // A read-only home must not turn a finished session into an error.
  }
}
