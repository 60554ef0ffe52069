import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5 } from '../src/index.js';

describe('md5 against node:crypto', () => {
  it('agrees on every length 0..300', () => {
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      expect(md5(data)).toEqual(new Uint8Array(createHash('md5').update(data).digest()));
    }
  });

  it('agrees on arbitrary inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        expect(md5(data)).toEqual(new Uint8Array(createHash('md5').update(data).digest()));
      }),
      { numRuns: 300 },
    );
  });
});
