// Waiting in tests: for a condition, an event, or the end of a test's time budget. Tests assert
// order, counts and bytes, never a wall-clock window: these bounds only turn a hang into a
// clear failure, and they are generous enough that a stalled scheduler on a loaded machine
// cannot run them out while the awaited thing is on its way.
import type { EventEmitter } from 'node:events';

/** The default bound of every wait, ms (below the test timeout, so the wait's message wins). */
export const WAIT_MS = 30_000;

/** Resolves once `pred()` holds (checked every few ms); rejects after `ms`, naming `what`. */
export async function until(pred: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The arguments of the next `event` of `emitter`; rejects after `ms`. */
export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: Pick<EventEmitter, 'once' | 'off'>,
  event: string,
  ms = WAIT_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`not within ${ms} ms: the '${event}' event`));
    }, ms);
    emitter.once(event, listener);
  });
}

/** Lets every callback already due run: one full turn of the event loop (timers, I/O, immediates). */
export function oneTurn(): Promise<void> {
  return new Promise((r) => setImmediate(() => setImmediate(r)));
}
