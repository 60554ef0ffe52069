import { describe, expect, it } from 'vitest';
import { fuzz } from '../../fuzz/jazzer-target.js';

describe('the coverage-guided fuzzer entry (fuzz/jazzer-target.ts)', () => {
  it('runs the chosen target (frame-decoder by default) on inputs of any size', () => {
    for (const hex of ['', '00', '0000', '0103040548656c6c6f', '0000047f8000000000000005']) {
      expect(() => fuzz(new Uint8Array(Buffer.from(hex, 'hex')))).not.toThrow();
    }
  });
});
