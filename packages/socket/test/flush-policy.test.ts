// FlushPolicy: when queued frames leave. Every frame of one tick always shares a write; 'turn'
// and a delay let frames queued in *separate* events share it too (a fan-out's write syscalls).
// Real sockets on 127.0.0.1; socket.write (Node's) is wrapped only to count the writes.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import { FlushScheduler, flushSchedulerFor, SocketWriter } from '../src/index.js';
import { countWrites, pair } from './tcp-pair.js';

/**
 * What `b` reads until it has `bytes` bytes (listening from the call on). Polls with real
 * timers: call it while timers are real (after `vi.useRealTimers()`).
 */
async function received(b: Socket, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  b.on('data', (chunk: Buffer) => {
    parts.push(chunk);
    n += chunk.byteLength;
  });
  await until(() => n >= bytes, `${bytes} bytes on the reading side`);
  return Buffer.concat(parts);
}

/**
 * The flush delay's timer (the scheduler takes `setTimeout` from the globals) on a fake clock:
 * the window ends when the test says, however slowly a busy machine runs the events inside it.
 * Sockets, `setImmediate` and `process.nextTick` stay real.
 */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

const emptySource = { takeOutgoing: () => [], outgoingBytes: 0 };
/** A 34-byte draft-02 Binary frame (4.2: opcode 5, 7-bit length) whose payload is all `fill`. */
const frame = (fill: number) => Buffer.concat([Buffer.from([0x05, 32]), Buffer.alloc(32, fill)]);
/** `count` enqueues, each in its own event-loop turn (setImmediate), like paced broadcasts. */
async function enqueuePaced(writer: SocketWriter, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    writer.enqueueEncoded([frame(i)]);
    await new Promise((r) => setImmediate(r));
  }
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  vi.useRealTimers();
  cleanup?.();
});

describe('FlushPolicy (section 4 frames, unchanged bytes; only the number of writes differs)', () => {
  it("'tick' (no scheduler): one write per event", async () => {
    const { a, b, close } = await pair();
    cleanup = close;
    const writes = countWrites(a);
    const writer = new SocketWriter(a, emptySource);
    const got = received(b, 5 * 34);
    await enqueuePaced(writer, 5);
    const bytes = await got;
    expect(writes).toEqual([34, 34, 34, 34, 34]);
    expect(bytes).toEqual(Buffer.concat([0, 1, 2, 3, 4].map(frame)));
  });

  it('a delay: frames queued in separate events within the window leave in one write, in order', async () => {
    const { a, b, close } = await pair();
    cleanup = close;
    const writes = countWrites(a);
    fakeClock();
    const writer = new SocketWriter(a, emptySource, new FlushScheduler(1000));
    await enqueuePaced(writer, 5);
    // Five events later, still inside the window: nothing has left yet.
    vi.advanceTimersByTime(999);
    expect(writes).toEqual([]);
    // The window ends: the five frames leave together.
    vi.advanceTimersByTime(1);
    expect(writes).toEqual([5 * 34]);
    vi.useRealTimers();
    const bytes = await received(b, 5 * 34);
    expect(bytes).toEqual(Buffer.concat([0, 1, 2, 3, 4].map(frame)));
  });

  it("'turn': everything queued in one turn by several events and writers leaves once per writer", async () => {
    const { a, b, close } = await pair();
    const second = await pair();
    cleanup = () => {
      close();
      second.close();
    };
    const scheduler = new FlushScheduler('turn');
    const writesA = countWrites(a);
    const writesB = countWrites(second.a);
    const wa = new SocketWriter(a, emptySource, scheduler);
    const wb = new SocketWriter(second.a, emptySource, scheduler);
    const gotA = received(b, 3 * 34);
    const gotB = received(second.b, 3 * 34);
    // Three separate macrotasks of the same turn, like three publishers' messages read in one
    // poll phase: three immediates queued together run in one check phase, before the flush
    // immediate the first of them queues (Node runs immediates queued while the check phase runs
    // in the next turn). Three timers would not do: a descheduled process can find them due in
    // different turns.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 3; i++) {
        setImmediate(() => {
          wa.enqueueEncoded([frame(i)]);
          wb.enqueueEncoded([frame(i)]);
          if (i === 2) resolve();
        });
      }
    });
    expect(await gotA).toEqual(Buffer.concat([0, 1, 2].map(frame)));
    expect(await gotB).toEqual(Buffer.concat([0, 1, 2].map(frame)));
    expect(writesA).toEqual([3 * 34]);
    expect(writesB).toEqual([3 * 34]);
  });

  it('a writer flushed early (before a close) is not written twice when the window ends', async () => {
    const { a, b, close } = await pair();
    cleanup = close;
    const writes = countWrites(a);
    fakeClock();
    const writer = new SocketWriter(a, emptySource, new FlushScheduler(20));
    writer.enqueueEncoded([frame(7)]);
    writer.flush();
    expect(writes).toEqual([34]);
    // The window ends: the scheduler's timer runs (none is left) and writes nothing more.
    vi.advanceTimersByTime(20);
    expect(vi.getTimerCount()).toBe(0);
    expect(writes).toEqual([34]);
    vi.useRealTimers();
    expect(await received(b, 34)).toEqual(frame(7));
  });

  it("flushSchedulerFor: none for 'tick'/undefined; invalid delays are refused", () => {
    expect(flushSchedulerFor(undefined)).toBeUndefined();
    expect(flushSchedulerFor('tick')).toBeUndefined();
    expect(flushSchedulerFor('turn')?.policy).toBe('turn');
    expect(flushSchedulerFor(2)?.policy).toBe(2);
    expect(() => flushSchedulerFor(-1)).toThrow(RangeError);
    expect(() => flushSchedulerFor(Number.NaN)).toThrow(RangeError);
  });
});
