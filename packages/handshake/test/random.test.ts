import { describe, expect, it } from 'vitest';
import { defaultRandom, generateClientKeys } from '../src/index.js';
import { RandomIntegers, randomIntegersFor } from '../src/random.js';
import { seededRandom } from './helpers.js';

// The draws behind 5.1 steps 19–27 and 29.
describe('RandomIntegers (5.1 steps 19–27, 29)', () => {
  it('small ranges (one byte per draw) and large ones (32 bits) are uniform', () => {
    const random = new RandomIntegers(seededRandom(5));
    for (const bound of [3, 12, 84, 255, 256, 300, 1_000_003]) {
      const buckets = new Array<number>(4).fill(0);
      const n = 8000;
      for (let i = 0; i < n; i++) {
        const v = random.below(bound);
        expect(v >= 0 && v < bound && Number.isInteger(v)).toBe(true);
        // Four equal-ish quarters of the range (bound ≥ 3).
        buckets[Math.min(3, Math.floor((v * 4) / bound))]!++;
      }
      const share = (q: number) =>
        (Math.ceil(((q + 1) * bound) / 4) - Math.ceil((q * bound) / 4)) / bound;
      for (let q = 0; q < 4; q++) {
        expect(Math.abs(buckets[q]! / n - share(q))).toBeLessThan(0.03);
      }
    }
  });

  it('a draw of 0..bound−1 covers every value (bound 12: step 19)', () => {
    const random = new RandomIntegers(seededRandom(9));
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(random.between(1, 12));
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('refills its pool from the source when used up, never repeating bytes', () => {
    let calls = 0;
    let counter = 0;
    const counting = (bytes: Uint8Array) => {
      calls++;
      for (let i = 0; i < bytes.length; i++) bytes[i] = counter++ & 0xff;
    };
    const random = new RandomIntegers(counting, 16);
    const out = new Uint8Array(40);
    random.fill(out);
    expect(calls).toBe(3);
    expect([...out]).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('the default source shares one process-wide pool; an injected source gets its own', () => {
    expect(randomIntegersFor(undefined)).toBe(randomIntegersFor(defaultRandom));
    const source = seededRandom(1);
    expect(randomIntegersFor(source)).not.toBe(randomIntegersFor(source));
    // Keys from the shared pool keep coming (refills across 8 KiB boundaries) and differ.
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) keys.add(generateClientKeys().key1);
    expect(keys.size).toBe(200);
  });
});
