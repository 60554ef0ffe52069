import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { decodeText } from '@ws02/frame';
import type { OffloadPool, TextDecodeTask } from '@ws02/socket';

/** One size measured by {@link calibrateOffload}. */
export interface OffloadSample {
  readonly bytes: number;
  /** Main-thread time to decode the sample inline (µs, least of the rounds). */
  readonly inlineMicros: number;
  /**
   * Main-thread time of the same decode sent to the pool: move the buffer, send, take the string
   * back; the wait is not counted (µs, least of the rounds).
   */
  readonly offloadMainMicros: number;
  /** Wall time of one offloaded decode, waiting included (µs, median). */
  readonly offloadWallMicros: number;
}

export interface OffloadCalibration {
  /**
   * The smallest size tried from which offloading costs the main thread clearly less than
   * decoding inline (for this and every larger size), never below `floor`; `Infinity` when the
   * pool never paid (then nothing is offloaded).
   */
  readonly minBytes: number;
  /** Wall time of one empty task (µs, median). */
  readonly roundTripMicros: number;
  /**
   * How main-thread time was measured: `thread-cpu` (Linux: the main thread's own CPU time, read
   * from /proc/thread-self/schedstat around sleeps, so other processes on the cores do not
   * inflate it) or `wall` (elsewhere: wall time inline, event-loop utilization for the pool).
   */
  readonly method: 'thread-cpu' | 'wall';
  readonly samples: readonly OffloadSample[];
}

export interface CalibrateOffloadOptions {
  /** Sizes to try, ascending. Default 16 KiB … 1 MiB, doubling. */
  readonly sizes?: readonly number[];
  /** Lowest `minBytes` ever returned. Default 16 KiB. */
  readonly floor?: number;
  /** Rounds per size (the least is kept). Default 5. */
  readonly rounds?: number;
  /** Offloading must cost the main thread at most inline ÷ `margin`. Default 1.25. */
  readonly margin?: number;
}

const DEFAULT_SIZES = [16, 32, 64, 128, 256, 512, 1024].map((k) => k * 1024);

/**
 * Measures, on this machine and this pool, where offloading text decoding starts to pay: for each
 * size, the main thread's time to decode a non-ASCII sample inline against its time to move it to
 * the pool and take the string back (the wait is not counted); the least of several rounds is
 * kept, since other work on the cores only adds to a measurement. Run it at start-up, before
 * serving (other work on the main thread would be counted), and pass the result: `offload: { pool, minBytes: (await calibrateOffload(pool)).minBytes }`.
 * ASCII text is not sampled: it is kept inline whatever its size (`keepAsciiInline`).
 * Takes about 0.2–1 s.
 */
export async function calibrateOffload(
  pool: OffloadPool,
  options: CalibrateOffloadOptions = {},
): Promise<OffloadCalibration> {
  const sizes = options.sizes ?? DEFAULT_SIZES;
  const floor = options.floor ?? 16 * 1024;
  const rounds = Math.max(1, options.rounds ?? 5);
  const margin = options.margin ?? 1.25;

  // Worker start-up and the first module load are not part of a round trip.
  await pool.run({ kind: 'noop' });
  const trips: number[] = [];
  for (let i = 0; i < rounds * 4; i++) {
    const start = performance.now();
    await pool.run({ kind: 'noop' });
    trips.push((performance.now() - start) * 1000);
  }

  const clock = await mainThreadClock();
  const samples: OffloadSample[] = [];
  for (const bytes of sizes) {
    const text = sampleText(bytes);
    // Warm both paths once at this size.
    decodeText(text, 'replace');
    await runOnce(pool, owned(text));
    const inline: number[] = [];
    const main: number[] = [];
    const wall: number[] = [];
    for (let r = 0; r < rounds; r++) {
      inline.push(await clock.measure(() => decodeText(text, 'replace')));
      // The buffer is made before the clock starts: a message this large was joined by the core
      // into a buffer of its own (inline or not), which the offload stage moves without a copy.
      const buffer = owned(text);
      main.push(
        await clock.measure(async () => {
          const start = performance.now();
          await runOnce(pool, buffer);
          wall.push((performance.now() - start) * 1000);
        }),
      );
    }
    // The least of the rounds: other work sharing the cores can only add to a measurement.
    samples.push({
      bytes,
      inlineMicros: Math.min(...inline),
      offloadMainMicros: Math.min(...main),
      offloadWallMicros: median(wall),
    });
  }

  let minBytes = Number.POSITIVE_INFINITY;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (s.offloadMainMicros * margin > s.inlineMicros) break;
    minBytes = Math.max(floor, s.bytes);
  }
  return { minBytes, roundTripMicros: median(trips), method: clock.method, samples };
}

interface MainThreadClock {
  readonly method: 'thread-cpu' | 'wall';
  /** Main-thread µs that `work` costs (its waits not counted). */
  measure(work: () => unknown): Promise<number>;
}

const SCHEDSTAT = '/proc/thread-self/schedstat';
const nap = new Int32Array(new SharedArrayBuffer(4));
/**
 * Blocks the thread for 0.2 ms (a futex wait: a real sleep, unlike a timer, which may already be
 * due when the loop gets to it).
 */
const sleep = () => Atomics.wait(nap, 0, 0, 0.2);

/**
 * Linux brings a thread's CPU time (schedstat, ns) up to date each time the thread sleeps;
 * sleeping right before both reads makes the difference exact, whatever else runs on the cores.
 * The cost of an empty measurement (the sleeps, the reads) is subtracted.
 */
async function mainThreadClock(): Promise<MainThreadClock> {
  const read = () => Number(readFileSync(SCHEDSTAT, 'latin1').split(' ', 1)[0]) / 1000;
  let available = false;
  try {
    available = Number.isFinite(read()) && read() > 0;
  } catch {
    available = false;
  }
  if (!available) {
    return {
      method: 'wall',
      async measure(work) {
        const before = performance.eventLoopUtilization();
        const start = performance.now();
        const result = work();
        if (result instanceof Promise) {
          await result;
          return performance.eventLoopUtilization(before).active * 1000;
        }
        return (performance.now() - start) * 1000;
      },
    };
  }
  const raw = async (work: () => unknown) => {
    sleep();
    const start = read();
    await work();
    sleep();
    return read() - start;
  };
  const empty: number[] = [];
  for (let i = 0; i < 5; i++) empty.push(await raw(() => undefined));
  const overhead = Math.min(...empty);
  return {
    method: 'thread-cpu',
    measure: async (work) => Math.max(0, (await raw(work)) - overhead),
  };
}

function owned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** What the offload stage does for one large message: move its buffer to the pool, await. */
async function runOnce(pool: OffloadPool, buffer: ArrayBuffer): Promise<void> {
  const task: TextDecodeTask = { kind: 'text', bytes: buffer, policy: 'replace' };
  const result = await pool.run(task, { transferList: [buffer] });
  if (typeof result !== 'string')
    throw new TypeError('calibrateOffload: the pool does not run the offload worker');
}

/** `bytes` bytes of mixed Latin, CJK and symbols: UTF-8 of one, two and three bytes. */
function sampleText(bytes: number): Uint8Array {
  const unit = new TextEncoder().encode('Grüße, naïve café — 日本語のテキスト ✓ ');
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (; offset + unit.length <= bytes; offset += unit.length) out.set(unit, offset);
  out.fill(0x20, offset); // whole sequences only: pad with spaces
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
