import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeText, FrameConnection, Opcode } from '../src/index.js';
import { OutgoingQueue } from '../src/outgoing-queue.js';
import { pattern } from './helpers.js';

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

describe('outgoing frames of many connections share one block (memory: idle connections hold none)', () => {
  it('interleaved sends on several connections: each connection takes exactly its own frames, in order', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('text' as const), text: fc.string({ maxLength: 300 }) }),
      fc.record({
        kind: fc.constant('binary' as const),
        bytes: fc.uint8Array({ maxLength: 3000 }),
      }),
      fc.record({ kind: fc.constant('take' as const) }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), op), { maxLength: 200 }),
        (script) => {
          const conns = [0, 1, 2].map(() => new FrameConnection());
          const expected: Uint8Array[][] = [[], [], []];
          const got: Uint8Array[][] = [[], [], []];
          for (const [i, step] of script) {
            const conn = conns[i]!;
            if (step.kind === 'text') {
              conn.sendText(step.text);
              expected[i]!.push(encodeText(step.text));
            } else if (step.kind === 'binary') {
              conn.sendBinary(step.bytes);
              expected[i]!.push(encodeFrame({ opcode: Opcode.Binary, payload: step.bytes }));
            } else {
              got[i]!.push(...conn.takeOutgoing());
            }
          }
          for (let i = 0; i < 3; i++) {
            got[i]!.push(...conns[i]!.takeOutgoing());
            expect(concat(got[i]!)).toEqual(concat(expected[i]!));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a region handed out is never written again, even after other connections fill the block', () => {
    const a = new FrameConnection();
    const b = new FrameConnection();
    a.sendText('first');
    const [taken] = a.takeOutgoing();
    const snapshot = taken!.slice();
    for (let i = 0; i < 5000; i++) b.sendText(`filler ${i}`); // more than one 64 KiB block
    b.takeOutgoing();
    a.sendText('second');
    a.takeOutgoing();
    expect(taken).toEqual(snapshot);
  });

  it('consecutive sends of one connection still leave as one chunk', () => {
    const a = new FrameConnection();
    for (let i = 0; i < 100; i++) a.sendText(`m${i}`);
    expect(a.takeOutgoing()).toHaveLength(1);
  });
});

describe('OutgoingQueue blocks from an allocator (Buffer.allocUnsafe in Node shells)', () => {
  /** Simulates uninitialized memory: every byte starts as 0xAA. */
  function dirty(sizes: number[]) {
    return (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xaa);
    };
  }

  it('takes its blocks from the allocator, and every byte it hands out was written', () => {
    const sizes: number[] = [];
    const q = new OutgoingQueue(dirty(sizes));
    const expected: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const payload = pattern(i * 5, i); // 0 … 995 bytes: all copied into the block
      q.writeFrame(Opcode.Binary, false, 0, new Uint8Array(0), payload);
      expected.push(encodeFrame({ opcode: Opcode.Binary, payload }));
      q.writeText(Opcode.Text, false, `é${i}`);
      expected.push(encodeText(`é${i}`));
    }
    const chunks = q.take();
    expect(concat(chunks)).toEqual(concat(expected));
    expect(sizes.length).toBeGreaterThanOrEqual(2); // more than 64 KiB: a second block
    expect(sizes.every((s) => s === 64 * 1024)).toBe(true);
  });

  it('queues with different allocators never share a block (a zeroed queue never exposes dirty bytes)', () => {
    const sizes: number[] = [];
    const unsafe = new OutgoingQueue(dirty(sizes));
    const plain = new OutgoingQueue();
    for (let i = 0; i < 10; i++) {
      unsafe.writeText(Opcode.Text, false, `u${i}`);
      plain.writeText(Opcode.Text, false, `p${i}`);
    }
    const u = unsafe.take();
    const p = plain.take();
    expect(u).toHaveLength(1); // not interleaved with the plain queue's frames
    expect(p).toHaveLength(1);
    expect(u[0]!.buffer).not.toBe(p[0]!.buffer);
    // A block is written front to back and never rewritten, so what lies past a queue's region
    // is unwritten: zeros in the zeroed queues' block, never the allocator's dirty bytes. (What
    // lies before it is other zeroed queues' frames, real data that may hold any byte value,
    // depending on what the earlier tests of this file happened to send.)
    const unwritten = (chunk: Uint8Array) =>
      new Uint8Array(chunk.buffer, chunk.byteOffset + chunk.byteLength);
    expect(unwritten(p[0]!).every((b) => b === 0)).toBe(true);
    expect(unwritten(u[0]!).every((b) => b === 0xaa)).toBe(true); // the dirty one, for contrast
  });

  it('take() hands over a list the caller owns, also when empty (pushing to it changes nothing)', () => {
    const q = new OutgoingQueue();
    const empty = q.take();
    expect(empty).toEqual([]);
    empty.push(new Uint8Array([1, 2, 3]));
    expect(q.take()).toEqual([]);
    q.writeText(Opcode.Text, false, 'a');
    const one = q.take();
    one.push(new Uint8Array([9]));
    q.writeText(Opcode.Text, false, 'b');
    expect(concat(q.take())).toEqual(encodeText('b'));
  });

  it('falls back to a plain block when the allocator returns the wrong size', () => {
    const q = new OutgoingQueue(() => new Uint8Array(3));
    q.writeText(Opcode.Text, false, 'hello');
    expect(concat(q.take())).toEqual(encodeText('hello'));
  });
});
