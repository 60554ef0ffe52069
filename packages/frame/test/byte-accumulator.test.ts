import { describe, expect, it } from 'vitest';
import { ByteAccumulator } from '../src/byte-accumulator.js';
import { FrameDecoder } from '../src/index.js';
import { concat, hex, pattern, sameBytes, splitAt } from './helpers.js';

describe('ByteAccumulator (internal): one join, bounded retention', () => {
  it('joins pieces of a known total ≤ 64 KiB into one exact buffer', () => {
    const acc = new ByteAccumulator();
    acc.begin(10);
    acc.push(hex('00 01 02'));
    acc.push(hex('03 04 05 06 07 08 09'));
    const out = acc.take();
    expect(out).toEqual(hex('00 01 02 03 04 05 06 07 08 09'));
    expect(out.length).toBe(10);
  });

  it('copies small pieces (their chunk may be reused) and borrows large ones', () => {
    const acc = new ByteAccumulator();
    acc.begin(0);
    const small = hex('01 02');
    const large = pattern(20_000);
    acc.push(small);
    acc.push(large);
    small[0] = 0xff; // Mutating a small piece after pushing must not matter: it was copied.
    const out = acc.take();
    expect(out.length).toBe(20_002);
    expect(out.subarray(0, 2)).toEqual(hex('01 02'));
    expect(sameBytes(out.subarray(2), large)).toBe(true);
  });

  it('returns a single large piece as is (no copy) and empty for nothing', () => {
    const acc = new ByteAccumulator();
    acc.begin(0);
    expect(acc.take().length).toBe(0);
    const large = pattern(70_000);
    acc.begin(0);
    acc.push(large);
    expect(acc.take()).toBe(large);
  });

  it('a large frame arriving in mixed piece sizes decodes exactly', () => {
    const data = pattern(200_000, 3);
    const wire = concat([hex('05 7f 00 00 00 00 00 03 0d 40'), data]);
    const cuts = [3, 4, 11, 12, 13, 30_000, 30_001, 30_005, 100_000, 150_000, 150_001, 199_999];
    const d = new FrameDecoder();
    for (const c of splitAt(wire, cuts)) d.receiveData(c);
    const [f] = d.takeFrames();
    expect(sameBytes(f!.payload, data)).toBe(true);
  });
});

describe('custom allocator (e.g. Buffer.allocUnsafe in a Node shell)', () => {
  /** Simulates uninitialized memory: every byte starts as 0xAA. */
  function dirty(sizes: number[]) {
    return (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xaa);
    };
  }

  it('serves joins over 4 KiB, which are entirely overwritten before delivery', () => {
    const sizes: number[] = [];
    const data = pattern(100_000, 9);
    const wire = concat([hex('05 7f 00 00 00 00 00 01 86 a0'), data]);
    const d = new FrameDecoder({ allocate: dirty(sizes) });
    for (const c of splitAt(wire, [7, 20_000, 99_000])) d.receiveData(c);
    expect(sameBytes(d.takeFrames()[0]!.payload, data)).toBe(true);
    expect(sizes).toEqual([100_000]);
  });

  it('serves the exact-size buffer of a spanning frame ≤ 64 KiB; not small ones', () => {
    const sizes: number[] = [];
    const d = new FrameDecoder({ allocate: dirty(sizes) });
    const big = pattern(10_000);
    const small = pattern(300);
    const wire = concat([hex('05 7e 27 10'), big, hex('05 7e 01 2c'), small]);
    for (const c of splitAt(wire, [100, 10_010])) d.receiveData(c);
    const [f1, f2] = d.takeFrames();
    expect(sameBytes(f1!.payload, big)).toBe(true);
    expect(sameBytes(f2!.payload, small)).toBe(true);
    expect(sizes).toEqual([10_000]);
  });

  it('falls back to a plain buffer when the allocator returns the wrong size', () => {
    const d = new FrameDecoder({ allocate: () => new Uint8Array(1) });
    const big = pattern(10_000);
    const wire = concat([hex('05 7e 27 10'), big]);
    for (const c of splitAt(wire, [100])) d.receiveData(c);
    expect(sameBytes(d.takeFrames()[0]!.payload, big)).toBe(true);
  });
});
