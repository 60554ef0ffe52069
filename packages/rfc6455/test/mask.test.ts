import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask } from '../src/index.js';
import { hex, toHex } from './helpers.js';

function naive(data: Uint8Array, start: number, end: number, key: Uint8Array, phase: number) {
  const out = data.slice();
  for (let i = start; i < end; i++) out[i]! ^= key[(phase + i - start) & 3]!;
  return out;
}

describe('applyMask (RFC 6455 5.3)', () => {
  it('5.7: "Hello" with 37 fa 21 3d is 7f 9f 4d 51 58, and masking twice restores it', () => {
    const data = hex('48 65 6c 6c 6f');
    const key = hex('37 fa 21 3d');
    applyMask(data, 0, 5, key, 0, 0);
    expect(toHex(data)).toBe('7f 9f 4d 51 58');
    applyMask(data, 0, 5, key, 0, 0);
    expect(toHex(data)).toBe('48 65 6c 6c 6f');
  });

  it('equals the byte-by-byte definition at any offset, alignment, length and key phase', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }), // byteOffset of the view: every alignment
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 3 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 9 }),
        (offset, length, phase, key, slack) => {
          const buffer = new ArrayBuffer(offset + length + slack + 8);
          const data = new Uint8Array(buffer, offset, length + slack);
          for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 5) & 0xff;
          const start = Math.min(slack, length);
          const end = length + slack - (slack - start);
          const expected = naive(data, start, end, key, phase);
          const before = new Uint8Array(buffer).slice();
          applyMask(data, start, end, key, 0, phase);
          expect(toHex(data)).toBe(toHex(expected));
          // Nothing outside [start, end) of the view changed, in the whole buffer.
          const after = new Uint8Array(buffer);
          for (let i = 0; i < after.length; i++) {
            if (i < offset + start || i >= offset + end) expect(after[i]).toBe(before[i]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads the key at an offset inside another array (a header in the chunk)', () => {
    const frame = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    applyMask(frame, 6, 11, frame, 2, 0);
    expect(new TextDecoder().decode(frame.subarray(6))).toBe('Hello');
  });
});
