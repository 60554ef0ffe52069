import type { HistoryPage, WireEvent } from './chat-adapter.js';

export interface HistoryStoreOptions {
  /** Entries kept per channel (room or inbox). Default 100; 0 keeps none. */
  readonly historySize?: number;
  /**
   * Total JSON characters kept, all channels together. Default 64 Mi. Past it (or past
   * `maxChannels`) whole channels are forgotten, least recently written first.
   */
  readonly maxChars?: number;
  /** Channels with history kept. Default 10,000. */
  readonly maxChannels?: number;
}

export const HISTORY_STORE_DEFAULTS = {
  historySize: 100,
  maxChars: 64 * 1024 * 1024,
  maxChannels: 10_000,
} as const;

interface ChannelHistory {
  events: WireEvent[];
  chars: number;
  /** Entries were dropped from the front: a reader asking for older ones may miss some. */
  dropped: boolean;
}

/**
 * Bounded in-memory history per channel, ordered by id, synchronous. `MemoryAdapter` keeps its
 * history here; the cluster primary keeps the cluster's; the Redis adapter keeps a local copy
 * of what its instance wrote, for serving joins while Redis is unreachable.
 */
export class HistoryStore {
  readonly historySize: number;
  readonly #maxChars: number;
  readonly #maxChannels: number;
  /** Map order is least-recently-written first (entries are re-inserted on write). */
  readonly #history = new Map<string, ChannelHistory>();
  #chars = 0;

  constructor(options: HistoryStoreOptions = {}) {
    this.historySize = options.historySize ?? HISTORY_STORE_DEFAULTS.historySize;
    this.#maxChars = options.maxChars ?? HISTORY_STORE_DEFAULTS.maxChars;
    this.#maxChannels = options.maxChannels ?? HISTORY_STORE_DEFAULTS.maxChannels;
  }

  append(channel: string, event: WireEvent): void {
    if (this.historySize <= 0) return;
    let history = this.#history.get(channel);
    if (history === undefined) {
      history = { events: [], chars: 0, dropped: false };
    } else {
      this.#history.delete(channel); // re-inserted below: most recently written last
    }
    this.#history.set(channel, history);
    const events = history.events;
    // Ids from one process only increase; an out-of-order id (another instance's clock) is
    // placed where it sorts, so readers always see id order. The same id twice is kept once.
    let at = events.length;
    while (at > 0 && events[at - 1]!.id > event.id) at--;
    if (at > 0 && events[at - 1]!.id === event.id) return;
    events.splice(at, 0, event);
    history.chars += event.json.length;
    this.#chars += event.json.length;
    while (events.length > this.historySize) {
      const old = events.shift()!;
      history.chars -= old.json.length;
      this.#chars -= old.json.length;
      history.dropped = true;
    }
    this.#evict(channel);
  }

  read(channel: string, afterId: string | undefined, limit: number): HistoryPage {
    const history = this.#history.get(channel);
    if (history === undefined || limit <= 0) return { events: [], truncated: false };
    const events = history.events;
    const start = afterId === undefined ? 0 : firstAfter(events, afterId);
    const count = events.length - start;
    const from = count > limit ? events.length - limit : start;
    const olderMissing =
      afterId !== undefined && history.dropped && (events.length === 0 || afterId < events[0]!.id);
    return { events: events.slice(from), truncated: count > limit || olderMissing };
  }

  drop(channel: string): void {
    const history = this.#history.get(channel);
    if (history !== undefined) {
      this.#chars -= history.chars;
      this.#history.delete(channel);
    }
  }

  /** Every channel with its entries (oldest first), least recently written channel first. */
  *entries(): IterableIterator<[string, readonly WireEvent[]]> {
    for (const [channel, history] of this.#history) yield [channel, history.events];
  }

  /** Forgets whole channels, least recently written first, while over a budget. */
  #evict(keep: string): void {
    while (this.#chars > this.#maxChars || this.#history.size > this.#maxChannels) {
      const oldest = this.#history.keys().next().value as string;
      if (oldest === keep) return; // the only channel left is the one just written
      const history = this.#history.get(oldest)!;
      this.#chars -= history.chars;
      this.#history.delete(oldest);
    }
  }
}

/** Index of the first event with an id greater than `id` (binary search; events are sorted). */
function firstAfter(events: readonly WireEvent[], id: string): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
