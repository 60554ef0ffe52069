/**
 * The regression corpus: fuzz/corpus/<target>/<name>.hex — hex bytes (whitespace ignored),
 * `# ` comment lines, and optionally `# expect: <text>` that the target's outcome must contain.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetName } from './targets.js';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus', import.meta.url));

export interface CorpusEntry {
  readonly target: TargetName;
  readonly name: string;
  readonly comment: string;
  readonly expect: string | undefined;
  readonly bytes: Uint8Array;
}

export function loadCorpus(dir = CORPUS_DIR): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const target of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, target)).sort()) {
      if (!file.endsWith('.hex')) continue;
      const text = readFileSync(join(dir, target, file), 'utf8');
      const lines = text.split('\n');
      const comments = lines.filter((l) => l.startsWith('#')).map((l) => l.slice(1).trim());
      const expectLine = comments.find((c) => c.startsWith('expect:'));
      const hex = lines
        .filter((l) => !l.startsWith('#'))
        .join('')
        .replace(/\s+/g, '');
      out.push({
        target: target as TargetName,
        name: file.slice(0, -4),
        comment: comments.filter((c) => !c.startsWith('expect:')).join(' '),
        expect: expectLine?.slice('expect:'.length).trim(),
        bytes: new Uint8Array(Buffer.from(hex, 'hex')),
      });
    }
  }
  return out;
}
