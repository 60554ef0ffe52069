import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../fuzz/corpus.js';
import {
  chunk,
  runClientHandshake,
  runFrameConnection,
  runFrameDecoder,
  runServerHandshake,
  TARGETS,
} from '../../fuzz/targets.js';

const OUTCOME = {
  'server-handshake': (c: Uint8Array[]) => runServerHandshake(c, true),
  'client-handshake': (c: Uint8Array[]) => runClientHandshake(c, true),
  'frame-decoder': (c: Uint8Array[]) => runFrameDecoder(c),
  'frame-connection': (c: Uint8Array[]) => runFrameConnection(c),
} as const;

const corpus = loadCorpus();

describe('the fuzz regression corpus (fuzz/corpus)', () => {
  it('has entries for every target', () => {
    expect(new Set(corpus.map((e) => e.target))).toEqual(new Set(Object.keys(TARGETS)));
  });

  it.each(corpus.map((e) => [`${e.target}/${e.name}`, e] as const))('%s', (_name, entry) => {
    const target = TARGETS[entry.target];
    const n = entry.bytes.length;
    // Whole, halves, and one byte at a time: the invariants hold and the outcome is the same.
    target(entry.bytes, []);
    target(entry.bytes, [n >> 1]);
    target(
      entry.bytes,
      Array.from({ length: n }, (_, i) => i),
    );
    const outcome = OUTCOME[entry.target](chunk(entry.bytes, []));
    if (entry.expect !== undefined) expect(outcome).toContain(entry.expect);
  });
});
