import type {
  ChannelListener,
  ChatAdapter,
  HistoryPage,
  RoomSummary,
  WireEvent,
} from './chat-adapter.js';
import { newInstanceId } from './message-id.js';

export interface MemoryAdapterOptions {
  /** This process's id (lowercase [0-9a-z], ≤ 32). Default: random. */
  readonly instanceId?: string;
  /** Entries kept per channel (room or inbox). Default 100; 0 keeps none. */
  readonly historySize?: number;
  /**
   * Total JSON characters of history kept, all channels together. Default 64 Mi. Past it (or
   * past `maxHistoryChannels`) whole channels are forgotten, least recently written first.
   */
  readonly maxHistoryChars?: number;
  /** Channels with history kept. Default 10,000. */
  readonly maxHistoryChannels?: number;
}

export const MEMORY_ADAPTER_DEFAULTS = {
  historySize: 100,
  maxHistoryChars: 64 * 1024 * 1024,
  maxHistoryChannels: 10_000,
} as const;

interface ChannelHistory {
  events: WireEvent[];
  chars: number;
  /** Entries were dropped from the front: a reader asking for older ones may miss some. */
  dropped: boolean;
}

/**
 * The embedded default: one process, everything in memory, no external service. Fan-out is
 * synchronous (a published event reaches the listener before `publish` returns), history is a
 * bounded list per channel, presence is a pair of maps.
 */
export class MemoryAdapter implements ChatAdapter {
  readonly instanceId: string;
  readonly historySize: number;
  readonly #maxChars: number;
  readonly #maxChannels: number;
  #listener: ChannelListener = () => {};
  readonly #subscribed = new Set<string>();
  /** Map order is least-recently-written first (entries are re-inserted on write). */
  readonly #history = new Map<string, ChannelHistory>();
  #historyChars = 0;
  readonly #nicks = new Map<string, string>();
  readonly #rooms = new Map<string, string[]>();

  constructor(options: MemoryAdapterOptions = {}) {
    this.instanceId = options.instanceId ?? newInstanceId();
    this.historySize = options.historySize ?? MEMORY_ADAPTER_DEFAULTS.historySize;
    this.#maxChars = options.maxHistoryChars ?? MEMORY_ADAPTER_DEFAULTS.maxHistoryChars;
    this.#maxChannels = options.maxHistoryChannels ?? MEMORY_ADAPTER_DEFAULTS.maxHistoryChannels;
  }

  setListener(listener: ChannelListener): void {
    this.#listener = listener;
  }

  // --- fan-out ---

  publish(channel: string, event: WireEvent): Promise<void> {
    if (this.#subscribed.has(channel)) this.#listener(channel, event);
    return Promise.resolve();
  }

  subscribe(channel: string): Promise<void> {
    this.#subscribed.add(channel);
    return Promise.resolve();
  }

  unsubscribe(channel: string): Promise<void> {
    this.#subscribed.delete(channel);
    return Promise.resolve();
  }

  // --- history ---

  appendHistory(channel: string, event: WireEvent): Promise<void> {
    if (this.historySize <= 0) return Promise.resolve();
    let history = this.#history.get(channel);
    if (history === undefined) {
      history = { events: [], chars: 0, dropped: false };
    } else {
      this.#history.delete(channel); // re-inserted below: most recently written last
    }
    this.#history.set(channel, history);
    const events = history.events;
    // Ids from one process only increase; an out-of-order id (another instance's clock) is
    // placed where it sorts, so readers always see id order.
    let at = events.length;
    while (at > 0 && events[at - 1]!.id > event.id) at--;
    events.splice(at, 0, event);
    history.chars += event.json.length;
    this.#historyChars += event.json.length;
    while (events.length > this.historySize) {
      const old = events.shift()!;
      history.chars -= old.json.length;
      this.#historyChars -= old.json.length;
      history.dropped = true;
    }
    this.#evict(channel);
    return Promise.resolve();
  }

  readHistory(channel: string, afterId: string | undefined, limit: number): Promise<HistoryPage> {
    const history = this.#history.get(channel);
    if (history === undefined || limit <= 0) {
      return Promise.resolve({ events: [], truncated: false });
    }
    const events = history.events;
    const start = afterId === undefined ? 0 : firstAfter(events, afterId);
    const count = events.length - start;
    const from = count > limit ? events.length - limit : start;
    const olderMissing =
      afterId !== undefined && history.dropped && (events.length === 0 || afterId < events[0]!.id);
    return Promise.resolve({
      events: events.slice(from),
      truncated: count > limit || olderMissing,
    });
  }

  dropHistory(channel: string): Promise<void> {
    const history = this.#history.get(channel);
    if (history !== undefined) {
      this.#historyChars -= history.chars;
      this.#history.delete(channel);
    }
    return Promise.resolve();
  }

  /** Forgets whole channels, least recently written first, while over a budget. */
  #evict(keep: string): void {
    while (this.#historyChars > this.#maxChars || this.#history.size > this.#maxChannels) {
      const oldest = this.#history.keys().next().value as string;
      if (oldest === keep) return; // the only channel left is the one just written
      const history = this.#history.get(oldest)!;
      this.#historyChars -= history.chars;
      this.#history.delete(oldest);
    }
  }

  // --- presence ---

  claimNick(nickKey: string, owner: string): Promise<boolean> {
    const holder = this.#nicks.get(nickKey);
    if (holder !== undefined && holder !== owner) return Promise.resolve(false);
    this.#nicks.set(nickKey, owner);
    return Promise.resolve(true);
  }

  releaseNick(nickKey: string, owner: string): Promise<void> {
    if (this.#nicks.get(nickKey) === owner) this.#nicks.delete(nickKey);
    return Promise.resolve();
  }

  nickOwner(nickKey: string): string | undefined {
    return this.#nicks.get(nickKey);
  }

  addMember(room: string, nick: string): Promise<void> {
    const members = this.#rooms.get(room);
    if (members === undefined) this.#rooms.set(room, [nick]);
    else if (!members.includes(nick)) members.push(nick);
    return Promise.resolve();
  }

  removeMember(room: string, nick: string): Promise<void> {
    const members = this.#rooms.get(room);
    if (members !== undefined) {
      const i = members.indexOf(nick);
      if (i !== -1) members.splice(i, 1);
      if (members.length === 0) this.#rooms.delete(room);
    }
    return Promise.resolve();
  }

  renameMember(room: string, from: string, to: string): Promise<void> {
    const members = this.#rooms.get(room);
    if (members !== undefined) {
      const i = members.indexOf(from);
      if (i !== -1) members[i] = to;
    }
    return Promise.resolve();
  }

  members(room: string): readonly string[] {
    return this.#rooms.get(room)?.slice() ?? [];
  }

  rooms(): readonly RoomSummary[] {
    const out: RoomSummary[] = [];
    for (const [room, members] of this.#rooms) out.push({ room, members: members.length });
    return out.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
  }

  roomCount(): number {
    return this.#rooms.size;
  }

  close(): Promise<void> {
    this.#subscribed.clear();
    return Promise.resolve();
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
