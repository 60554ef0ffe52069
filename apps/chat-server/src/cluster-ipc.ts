import type { PresenceDelta, PresenceSnapshot } from './presence.js';

/**
 * The messages between cluster workers (`ClusterAdapter`) and the primary (`ClusterRouter`)
 * over node:cluster's IPC channel. Tuples keep them small; they travel in batches
 * (`{ chat: [...] }`), one IPC message per event-loop turn and direction, because a
 * `process.send` costs a system call and a serialization of its own.
 *
 * Every worker's messages are handled by the primary in the order sent, and the primary's
 * messages to a worker arrive in the order sent: that ordering is what the adapter relies on
 * (a `subscribe` followed by a history read misses nothing in between, see `ClusterAdapter`).
 */
export type ToPrimary =
  /** a new worker's adapter: `inst` is its instance id; answered with `snap` */
  | readonly ['hi', inst: string]
  /** subscribe / unsubscribe a channel */
  | readonly ['s', channel: string]
  | readonly ['u', channel: string]
  /** publish to the channel's other subscribers; `hist` 1: also append to its history */
  | readonly ['p', channel: string, id: string, json: string, hist: 0 | 1]
  /** append to a channel's history */
  | readonly ['h', channel: string, id: string, json: string]
  /** forget a channel's history */
  | readonly ['hd', channel: string]
  /** requests, answered with `r` and the same number */
  | readonly ['claim', n: number, key: string, sid: string]
  | readonly ['read', n: number, channel: string, afterId: string | null, limit: number]
  /** presence mutations (the primary applies the ownership rules) */
  | readonly ['nr', key: string, sid: string]
  | readonly ['ma', room: string, nick: string]
  | readonly ['mr', room: string, nick: string]
  | readonly ['mn', room: string, from: string, to: string]
  /** the worker's adapter closes (graceful): its entries go, nothing is announced */
  | readonly ['bye'];

export type ToWorker =
  | readonly ['snap', snapshot: PresenceSnapshot]
  /** an event of a channel the worker subscribed */
  | readonly ['e', channel: string, id: string, json: string]
  /** presence changes made by other workers (or by the primary) */
  | readonly ['d', deltas: readonly PresenceDelta[]]
  /** answer to `claim`: ok */
  | readonly ['r', n: number, ok: boolean]
  /** answer to `read`: [[id, json], …], truncated */
  | readonly ['r', n: number, events: readonly (readonly [string, string])[], truncated: boolean]
  /** a session of this worker was resumed on another one */
  | readonly ['moved', sid: string]
  /** members of a dead worker left `room`: announce it */
  | readonly ['lost', room: string, nicks: readonly string[]];

/** Supervision messages (main.ts), outside the adapter's batches. */
export type SupervisorMessage =
  | {
      readonly ctl: 'listening';
      readonly url: string;
      readonly httpUrl: string;
      readonly host: string;
      readonly instance: string;
    }
  | { readonly ctl: 'listen-failed'; readonly detail: string }
  | { readonly ctl: 'shutdown' };

/** One end of an IPC channel: `process` in a worker, a `Worker` in the primary. */
export interface IpcPort {
  /** The callback hears of a closed channel (without it, Node would raise an 'error' event). */
  send(message: unknown, callback: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface Batch<T> {
  readonly chat: T[];
}

export function isBatch<T>(message: unknown): message is Batch<T> {
  return (
    typeof message === 'object' &&
    message !== null &&
    Array.isArray((message as { chat?: unknown }).chat)
  );
}

/**
 * Messages queued for one port, sent as one batch at the end of the current event-loop turn
 * (`setImmediate`): the commands read from many sockets in one turn share one IPC write.
 */
export class Outbox<T> {
  #queue: T[] = [];
  #scheduled = false;
  #closed = false;

  constructor(readonly port: Pick<IpcPort, 'send'>) {}

  push(message: T): void {
    if (this.#closed) return;
    this.#queue.push(message);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The last message queued and not yet sent (the adapter merges an append with its publish). */
  last(): T | undefined {
    return this.#queue[this.#queue.length - 1];
  }

  replaceLast(message: T): void {
    this.#queue[this.#queue.length - 1] = message;
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0 || this.#closed) return;
    const batch: Batch<T> = { chat: this.#queue };
    this.#queue = [];
    this.port.send(batch, (error) => {
      // The channel is closed (the other end exited): nothing more can be sent.
      if (error !== null) this.#closed = true;
    });
  }

  close(): void {
    this.flush();
    this.#closed = true;
    this.#queue = [];
  }
}
