import type {
  AdapterControl,
  ChannelListener,
  ChatAdapter,
  HistoryPage,
  RoomSummary,
  WireEvent,
} from './chat-adapter.js';
import { HISTORY_STORE_DEFAULTS, HistoryStore } from './history-store.js';
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
  historySize: HISTORY_STORE_DEFAULTS.historySize,
  maxHistoryChars: HISTORY_STORE_DEFAULTS.maxChars,
  maxHistoryChannels: HISTORY_STORE_DEFAULTS.maxChannels,
} as const;

/**
 * The embedded default: one process, everything in memory, no external service. Fan-out is
 * synchronous (a published event reaches the listener before `publish` returns), history is a
 * bounded list per channel, presence is a pair of maps.
 */
export class MemoryAdapter implements ChatAdapter {
  readonly instanceId: string;
  readonly historySize: number;
  #listener: ChannelListener = () => {};
  readonly #subscribed = new Set<string>();
  readonly #history: HistoryStore;
  readonly #nicks = new Map<string, string>();
  readonly #rooms = new Map<string, string[]>();

  constructor(options: MemoryAdapterOptions = {}) {
    this.instanceId = options.instanceId ?? newInstanceId();
    this.#history = new HistoryStore({
      historySize: options.historySize ?? MEMORY_ADAPTER_DEFAULTS.historySize,
      maxChars: options.maxHistoryChars ?? MEMORY_ADAPTER_DEFAULTS.maxHistoryChars,
      maxChannels: options.maxHistoryChannels ?? MEMORY_ADAPTER_DEFAULTS.maxHistoryChannels,
    });
    this.historySize = this.#history.historySize;
  }

  setListener(listener: ChannelListener): void {
    this.#listener = listener;
  }

  /** One process: nothing happens elsewhere, so there is nothing to tell. */
  setControl(_control: AdapterControl): void {}

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
    this.#history.append(channel, event);
    return Promise.resolve();
  }

  readHistory(channel: string, afterId: string | undefined, limit: number): Promise<HistoryPage> {
    return Promise.resolve(this.#history.read(channel, afterId, limit));
  }

  dropHistory(channel: string): Promise<void> {
    this.#history.drop(channel);
    return Promise.resolve();
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
