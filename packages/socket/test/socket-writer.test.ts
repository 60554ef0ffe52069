import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import { SocketWriter } from '../src/index.js';
import { countWrites, pair } from './tcp-pair.js';

const emptySource = { takeOutgoing: () => [], outgoingBytes: 0 };
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('SocketWriter', () => {
  it('a burst of 3,000 small frames plus a large payload in one tick: bytes intact and in order, few writes', async () => {
    const { a, b, close } = await pair();
    cleanup = close;
    const writes = countWrites(a);
    const writer = new SocketWriter(a, emptySource);
    const expected: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const frame = Buffer.from(`\x04\x05m${String(i).padStart(4, '0')}`, 'latin1');
      expected.push(frame);
      writer.enqueueEncoded([frame]);
      if (i === 1500) {
        const big = Buffer.alloc(100_000, 7);
        expected.push(big);
        writer.enqueueEncoded([big]);
      }
    }
    const all = Buffer.concat(expected);
    let received = Buffer.alloc(0);
    b.on('data', (c) => {
      received = Buffer.concat([received, c]);
    });
    await until(() => received.length >= all.length, `${all.length} bytes on the reading side`);
    expect(received.equals(all)).toBe(true);
    // 21,000 small bytes in blocks of <= 64 KiB around one uncopied 100 KB payload: 3 writes.
    expect(writes).toEqual([1500 * 7 + 7, 100_000, 1499 * 7]);
    expect(writer.bytesWritten).toBe(all.length);
  });

  it('bufferedAmount counts what waits in the writer and in the socket', async () => {
    const { a, close } = await pair();
    cleanup = close;
    const writer = new SocketWriter(a, emptySource);
    writer.enqueueEncoded([Buffer.alloc(512)]);
    writer.enqueueEncoded([Buffer.alloc(1024)]);
    expect(writer.bufferedAmount).toBe(1536);
  });

  it('calls every send callback once the bytes are written, and with an error when the socket is gone', async () => {
    const { a, close } = await pair();
    cleanup = close;
    const writer = new SocketWriter(a, emptySource);
    const done = await new Promise<unknown[]>((resolve) => {
      const results: unknown[] = [];
      writer.enqueueEncoded([Buffer.from([4, 0])], (e) => results.push(e ?? 'ok'));
      writer.enqueueEncoded([Buffer.from([4, 0])], (e) => {
        results.push(e ?? 'ok');
        resolve(results);
      });
    });
    expect(done).toEqual(['ok', 'ok']);
    a.destroy();
    const err = await new Promise<Error | undefined>((resolve) =>
      writer.enqueueEncoded([Buffer.from([4, 0])], resolve),
    );
    expect(err).toBeInstanceOf(Error);
  });
  it('each byte is copied once: chunks of 4 KiB or more (packed runs, payloads) and lone small ones go uncopied, runs of small ones are joined', async () => {
    const { a, b, close } = await pair();
    cleanup = close;
    const writes: Uint8Array[] = [];
    const realWrite = a.write.bind(a);
    a.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      writes.push(chunk);
      return (realWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof a.write;
    // As the core hands them over when a run of frames crossed the end of its block: two packed
    // runs; then two small chunks, a payload, and a lone small chunk.
    const runA = Buffer.alloc(1028 * 3, 1);
    const runB = Buffer.alloc(1028 * 20, 2);
    const small1 = Buffer.from([0x05, 0x02, 9, 9]);
    const small2 = Buffer.from([0x05, 0x7e, 0x13, 0x88]);
    const payload = Buffer.alloc(5000, 3);
    const tail = Buffer.from([0x05, 0x00]);
    let queued = [runA, runB, small1, small2, payload, tail];
    const source = {
      takeOutgoing: () => {
        const out = queued;
        queued = [];
        return out;
      },
      get outgoingBytes() {
        return queued.reduce((n, c) => n + c.byteLength, 0);
      },
    };
    const all = Buffer.concat(queued);
    const writer = new SocketWriter(a, source);
    const written = new Promise<Error | undefined>((r) => writer.schedule(r));
    let received = Buffer.alloc(0);
    b.on('data', (c) => {
      received = Buffer.concat([received, c]);
    });
    expect(await written).toBeUndefined();
    await until(() => received.length >= all.length, `${all.length} bytes on the reading side`);
    expect(received.equals(all)).toBe(true);
    expect(writes).toHaveLength(5);
    expect(writes[0]).toBe(runA);
    expect(writes[1]).toBe(runB);
    expect(Buffer.from(writes[2]!).equals(Buffer.concat([small1, small2]))).toBe(true);
    expect(writes[3]).toBe(payload);
    expect(writes[4]).toBe(tail);
  });
});
