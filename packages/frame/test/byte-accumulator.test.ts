import { ByteAccumulator } from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
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

describe('large known totals: the exact-size buffer once a quarter has arrived (one copy, bounded)', () => {
  function counting(sizes: number[]) {
    return (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xaa);
    };
  }

  it('nothing of the total is allocated before a quarter arrives; then one exact buffer, returned as is', () => {
    const sizes: number[] = [];
    const acc = new ByteAccumulator(counting(sizes));
    const data = pattern(1_000_000, 5);
    acc.begin(data.length);
    let off = 0;
    // 12 pieces of 20,000 bytes: 240,000 < 250,000 (a quarter), all borrowed, none allocated.
    for (let i = 0; i < 12; i++, off += 20_000) acc.push(data.subarray(off, off + 20_000));
    expect(sizes).toEqual([]);
    acc.push(data.subarray(off, off + 20_000)); // 260,000 ≥ a quarter: the exact buffer.
    off += 20_000;
    expect(sizes).toEqual([1_000_000]);
    for (; off < data.length; off += 65_536) acc.push(data.subarray(off, off + 65_536));
    const out = acc.take();
    expect(sizes).toEqual([1_000_000]);
    expect(out.length).toBe(1_000_000);
    expect(out.buffer.byteLength).toBe(1_000_000); // Its own buffer, not a view of a piece.
    expect(sameBytes(out, data)).toBe(true);
  });

  it('pieces pushed before the switch may change afterwards: they were copied in', () => {
    const acc = new ByteAccumulator();
    acc.begin(200_000);
    const first = pattern(60_000, 1);
    const expected = concat([first, pattern(140_000, 2)]);
    acc.push(first); // 60,000 ≥ 50,000: copied into the exact buffer at once.
    first.fill(0);
    acc.push(expected.subarray(60_000));
    expect(sameBytes(acc.take(), expected)).toBe(true);
  });

  it('small pieces of a large total (owned blocks) and large ones join exactly across the switch', () => {
    const data = pattern(300_000, 7);
    const cuts: number[] = [];
    for (let c = 10; c < 80_000; c += 997) cuts.push(c); // small pieces in owned blocks
    cuts.push(100_000, 120_000, 299_990);
    const acc = new ByteAccumulator();
    acc.begin(data.length);
    for (const piece of splitAt(data, cuts)) acc.push(piece);
    expect(sameBytes(acc.take(), data)).toBe(true);
  });

  it('memory bound: a header announcing 2^31 bytes followed by a trickle allocates no large buffer', () => {
    const sizes: number[] = [];
    const d = new FrameDecoder({
      allocate: counting(sizes),
      maxFrameSize: 2 ** 31,
      maxMessageSize: 2 ** 31,
    });
    d.receiveData(hex('05 7f 00 00 00 00 80 00 00 00'));
    for (let i = 0; i < 50; i++) d.receiveData(pattern(20_000, i)); // 1 MB of 2 GiB
    expect(sizes).toEqual([]);
    expect(d.takeFrames()).toEqual([]);
  });
});
