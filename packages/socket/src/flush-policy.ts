/**
 * When queued frames leave for the socket. Every frame sent during one tick always shares one
 * write; the policy says how much longer a connection may wait, to share that write with frames
 * sent later:
 *
 * - `'tick'` (default): at the end of the current tick (`process.nextTick`). Lowest latency; a
 *   broadcast made in its own event costs one write per recipient.
 * - `'turn'`: once per event-loop turn (`setImmediate`, after the poll phase): messages that
 *   arrive on many sockets in the same turn (many publishers) and are fanned out leave in one
 *   write per recipient. Adds at most the rest of the turn.
 * - a number of milliseconds: at most that much later (one timer shared by the owner's
 *   connections). Broadcasts made in separate events within the window share one write per
 *   recipient — the way to cut the write syscalls of a large fan-out (docs/BENCHMARKS.md,
 *   broadcast) at the price of that much latency.
 */
export type FlushPolicy = 'tick' | 'turn' | number;

/** What a flush scheduler flushes (a `SocketWriter`). */
export interface Flushable {
  flush(): void;
}

/**
 * Flushes many writers at once: one `setImmediate` or one timer per owner (server) and window,
 * not one per connection. A writer flushed early (before a close) is flushed again harmlessly.
 */
export class FlushScheduler {
  readonly policy: 'turn' | number;
  #dirty: Flushable[] = [];
  #armed = false;
  readonly #run = (): void => this.#flushAll();

  constructor(policy: 'turn' | number) {
    if (typeof policy === 'number' && !(Number.isFinite(policy) && policy >= 0)) {
      throw new RangeError(`flush delay must be a number of milliseconds >= 0, got ${policy}`);
    }
    this.policy = policy;
  }

  /** `writer` has frames queued: flush it with the others when the window ends. */
  add(writer: Flushable): void {
    this.#dirty.push(writer);
    if (this.#armed) return;
    this.#armed = true;
    if (this.policy === 'turn') setImmediate(this.#run);
    else setTimeout(this.#run, this.policy);
  }

  #flushAll(): void {
    this.#armed = false;
    const dirty = this.#dirty;
    this.#dirty = [];
    for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  }
}

/** The scheduler a policy needs: none for `'tick'` (each writer uses `process.nextTick`). */
export function flushSchedulerFor(policy: FlushPolicy | undefined): FlushScheduler | undefined {
  return policy === undefined || policy === 'tick' ? undefined : new FlushScheduler(policy);
}
