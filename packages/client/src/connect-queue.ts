import { EventEmitter } from 'node:events';

/** How a connection attempt identifies its remote host for 5.1 step 2. */
export interface ConnectTarget {
  /**
   * The resolved IP address, or — when it cannot be known (a proxy resolves names itself) — the
   * host name, which step 2 then treats as a distinct remote host.
   */
  readonly key: string;
  /** True when `key` is a host name, not an address: such attempts also count against the cap. */
  readonly unresolved: boolean;
}

export interface ConnectQueueOptions {
  /**
   * 5.1 step 2: when the IP address cannot be determined (proxy), at most this many attempts
   * run through the handshake at once, all hosts together. Default 8.
   */
  readonly maxPendingUnresolved?: number;
}

/** Events of a {@link ConnectQueue}, for observation (tests, metrics). */
export interface ConnectQueueEvents {
  /** An attempt must wait: another one to the same address is CONNECTING (or the cap is hit). */
  wait: [key: string];
  /** An attempt entered the CONNECTING steps. */
  acquire: [key: string];
  /** An attempt was established or failed: the next one to that address may go. */
  release: [key: string];
}

const noop = () => {};

interface Waiter {
  readonly target: ConnectTarget;
  readonly grant: () => void;
}

/**
 * Draft-02 5.1 step 2: "If multiple connections to the same IP address are attempted
 * simultaneously, the user agent must serialize them so that there is no more than one
 * connection at a time running through the following steps." One queue is shared by every
 * client of the process ({@link defaultConnectQueue}); pass your own through the `connectQueue`
 * option to isolate a group of connections.
 *
 * Keys are resolved IP addresses (so two host names for one address share a slot). When the
 * address is unknown the key is the host name, and such attempts are additionally capped in
 * total (`maxPendingUnresolved`), as step 2 asks. Waiters are served in arrival order.
 */
export class ConnectQueue extends EventEmitter<ConnectQueueEvents> {
  readonly maxPendingUnresolved: number;
  readonly #active = new Set<string>();
  #unresolvedActive = 0;
  #waiters: Waiter[] = [];
  #highWater = 0;

  constructor(options: ConnectQueueOptions = {}) {
    super();
    const cap = options.maxPendingUnresolved ?? 8;
    if (!Number.isInteger(cap) || cap < 1) {
      throw new RangeError(`maxPendingUnresolved must be an integer ≥ 1, got ${cap}`);
    }
    this.maxPendingUnresolved = cap;
  }

  /** Keys (addresses or host names) with an attempt in the CONNECTING steps right now. */
  get connecting(): readonly string[] {
    return [...this.#active];
  }

  /** Attempts waiting for their turn. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Attempts through a proxy (unresolved) currently CONNECTING. */
  get pendingUnresolved(): number {
    return this.#unresolvedActive;
  }

  /**
   * The most attempts ever seen CONNECTING at once for a single key: 1 whenever the queue was
   * used at all, by construction of step 2 — exposed so tests and metrics can check it.
   */
  get maxConcurrentPerAddress(): number {
    return this.#highWater;
  }

  /**
   * Waits for the turn of `target`, then marks it CONNECTING. Resolves with the release
   * function (call it exactly once, when the connection is established or has failed).
   * Rejects with `signal.reason` if the signal aborts while waiting.
   */
  acquire(target: ConnectTarget, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let cancel: () => void = noop;
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      cancel = this.request(target, (release) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      });
      if (cancel !== noop) signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * {@link acquire} with a callback, for the client's own attempts (no promise, no signal):
   * `grant` receives the release function — at once (synchronously) when the key is free, else
   * when its turn comes. Returns a function that withdraws a waiting request (a no-op once
   * granted: then call the release function instead).
   */
  request(target: ConnectTarget, grant: (release: () => void) => void): () => void {
    if (this.#canGo(target)) {
      grant(this.#take(target));
      return noop;
    }
    this.emit('wait', target.key);
    const waiter: Waiter = { target, grant: () => grant(this.#take(target)) };
    this.#waiters.push(waiter);
    return () => {
      const i = this.#waiters.indexOf(waiter);
      if (i !== -1) this.#waiters.splice(i, 1);
    };
  }

  #canGo(target: ConnectTarget): boolean {
    if (this.#active.has(target.key)) return false;
    return !target.unresolved || this.#unresolvedActive < this.maxPendingUnresolved;
  }

  #take(target: ConnectTarget): () => void {
    const key = target.key;
    // The set guarantees one per key; the high-water mark is what an observer can check.
    this.#active.add(key);
    this.#highWater = Math.max(this.#highWater, 1);
    if (target.unresolved) this.#unresolvedActive++;
    this.emit('acquire', key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active.delete(key);
      if (target.unresolved) this.#unresolvedActive--;
      this.emit('release', key);
      this.#next();
    };
  }

  // Grants, in arrival order, every waiter whose key is free (and within the cap). Each grant
  // marks its key CONNECTING at once, so a later waiter for the same key stays queued.
  #next(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (this.#canGo(waiter.target)) waiter.grant();
      else this.#waiters.push(waiter);
    }
  }
}

/** The process-wide queue every client uses unless given its own `connectQueue`. */
export const defaultConnectQueue = new ConnectQueue();
