import { Redis, type RedisOptions } from 'ioredis';
import type {
  AdapterControl,
  ChannelListener,
  ChatAdapter,
  HistoryPage,
  RoomSummary,
  WireEvent,
} from './chat-adapter.js';
import { ChatConfigError } from './chat-error.js';
import type { ChatLogger } from './chat-options.js';
import { SILENT_LOGGER } from './chat-options.js';
import { HistoryStore } from './history-store.js';
import { newInstanceId } from './message-id.js';
import { Presence, type PresenceDelta, type PresenceSnapshot } from './presence.js';
import { SCRIPTS } from './redis-scripts.js';

export interface RedisAdapterOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…`. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** This instance's id (in message ids and in Redis ownership). Default: random. */
  readonly instanceId?: string;
  /** Prefix of every key and channel. Default `chat:`. */
  readonly keyPrefix?: string;
  /** History entries kept per room and per inbox. Default 100. */
  readonly historySize?: number;
  /**
   * The chat's resume window (ms): how long a dead instance's sessions keep their nicks for a
   * resume elsewhere; inboxes expire after twice this without a new message. Default 60 s.
   */
  readonly resumeWindow?: number;
  /** How often this instance marks itself alive and looks for dead ones (ms). Default 2 s. */
  readonly heartbeatInterval?: number;
  /** An instance not heard of for this long is dead: its entries are removed (ms). Default 10 s. */
  readonly instanceTtl?: number;
  /**
   * A Redis request the chat waits for (nick claim, history read, subscribe) fails after this
   * long (ms), and the chat falls back to local state. Default 3 s. (Fire-and-forget commands
   * — publishes, appends — carry no timer: they fail with the connection.)
   */
  readonly commandTimeout?: number;
  /** `connect()` gives up after this long (ms). Default 5 s. */
  readonly connectTimeout?: number;
  /** Longest delay between reconnection attempts (ms); they start at 100 ms and double. Default 5 s. */
  readonly maxReconnectDelay?: number;
  readonly logger?: ChatLogger;
}

export const REDIS_ADAPTER_DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'chat:',
  historySize: 100,
  resumeWindow: 60_000,
  heartbeatInterval: 2_000,
  instanceTtl: 10_000,
  commandTimeout: 3_000,
  connectTimeout: 5_000,
  maxReconnectDelay: 5_000,
} as const;

/** Entries appended while Redis was unreachable, written once it is back (at most this many). */
const MAX_UNSENT = 10_000;
/**
 * An instance trims a history every this many of its appends to it: a trim is a script call
 * (about ten times the cost of the ZADD in Redis), so a history may hold up to this many
 * entries per instance beyond the history size for a moment. Reads return at most the newest
 * `historySize`.
 */
const TRIM_EVERY = 16;
/** Entries per batch script call at most (a script blocks Redis while it runs). */
const MAX_BATCH = 256;

type ScriptArg = string | number;
type Scripts = { [K in keyof typeof SCRIPTS]: (...args: ScriptArg[]) => Promise<unknown> };

/**
 * The adapter for several machines: Redis pub/sub for fan-out, Redis for history and presence
 * (ioredis). Each instance (a process: one per machine, or per worker) connects twice: a
 * command connection and a subscriber connection.
 *
 * - **fan-out** per room: an instance SUBSCRIBEs `room:<name>` while it has members in the
 *   room, so a room's messages reach only the instances with members in it. The publishing
 *   instance delivers to its own members at once and skips its own messages coming back.
 * - **history** in Redis (a sorted set per room and per DM inbox, ordered by id), so a join
 *   or a resume on any instance reads the same history. The append and the publish go out on
 *   one connection, in that order: an instance that subscribes and then reads misses nothing.
 * - **presence**: nick claims and member lists in Redis hashes, changed by Lua scripts that
 *   publish a delta on `presence` atomically; each instance keeps a replica (snapshot + deltas)
 *   and answers queries from it. Each entry names its owner instance; a heartbeat key per
 *   instance (PX TTL) lets the survivors remove a dead instance's memberships (announced as
 *   `leave` … `lost`) and hold its sessions' nicks for the resume window.
 * - **Redis down**: ioredis reconnects with backoff (explicit `retryStrategy`), every change is
 *   logged; meanwhile local rooms keep working — local delivery never waits on Redis, history
 *   is served from a local copy of what this instance wrote, nick claims are checked locally.
 *   Once back, the instance re-asserts its presence, writes what it appended meanwhile (all of
 *   its local history if Redis lost its data), resubscribes and reloads its replica.
 */
export class RedisAdapter implements ChatAdapter {
  readonly instanceId: string;
  readonly #o: Required<Omit<RedisAdapterOptions, 'logger' | 'instanceId'>>;
  readonly #log: ChatLogger;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #scripts: Scripts;
  readonly #presence = new Presence();
  /** What this instance wrote: served while Redis is unreachable, re-sent after a data loss. */
  readonly #local: HistoryStore;
  readonly #subscribed = new Set<string>();
  readonly #prefix: string;
  readonly #presenceChannel: string;
  readonly #controlChannel: string;
  readonly #ownPrefix: Buffer;
  /** An append waiting to travel with its publish (see `publish`). */
  #pendingAppend: [string, WireEvent] | undefined;
  /** Appends per history key since this instance last trimmed it. */
  readonly #sinceTrim = new Map<string, number>();
  /** The batch of this turn: (history key | '', channel | '', "<id> <json>", ttl) per entry. */
  #batch: ScriptArg[] = [];
  /** Per entry: the appended channel and event (for a re-send if the batch fails), published? */
  #batchEvents: [string | undefined, WireEvent | undefined, boolean][] = [];
  #trims: [string, number][] = [];
  #flushScheduled = false;
  #listener: ChannelListener = () => {};
  #control: AdapterControl | undefined;
  #unsent: [string, WireEvent][] = [];
  /** Presence deltas received while a snapshot is being read (replayed on top of it). */
  #deltaBuffer: [string, PresenceDelta[]][] | undefined;
  /** Local presence changes Redis has not seen: re-asserted at the next sync. */
  #dirty = false;
  #syncing: Promise<void> | undefined;
  #syncAgain = false;
  /** The subscriber connection is ready and its channels are subscribed again. */
  #listening = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #heartbeatRunning = false;
  #synced = false;
  #closed = false;
  /** Outage bookkeeping, for the logs. */
  #downSince: number | undefined;
  #undelivered = 0;
  #errorsLogged = new Set<'commands' | 'subscriber'>();

  constructor(options: RedisAdapterOptions = {}) {
    this.instanceId = options.instanceId ?? newInstanceId();
    if (!/^[0-9a-z]{1,32}$/.test(this.instanceId)) {
      throw new TypeError('instanceId must be 1-32 characters of [0-9a-z]');
    }
    this.#o = {
      url: options.url ?? REDIS_ADAPTER_DEFAULTS.url,
      keyPrefix: options.keyPrefix ?? REDIS_ADAPTER_DEFAULTS.keyPrefix,
      historySize: options.historySize ?? REDIS_ADAPTER_DEFAULTS.historySize,
      resumeWindow: options.resumeWindow ?? REDIS_ADAPTER_DEFAULTS.resumeWindow,
      heartbeatInterval: options.heartbeatInterval ?? REDIS_ADAPTER_DEFAULTS.heartbeatInterval,
      instanceTtl: options.instanceTtl ?? REDIS_ADAPTER_DEFAULTS.instanceTtl,
      commandTimeout: options.commandTimeout ?? REDIS_ADAPTER_DEFAULTS.commandTimeout,
      connectTimeout: options.connectTimeout ?? REDIS_ADAPTER_DEFAULTS.connectTimeout,
      maxReconnectDelay: options.maxReconnectDelay ?? REDIS_ADAPTER_DEFAULTS.maxReconnectDelay,
    };
    this.#log = options.logger ?? SILENT_LOGGER;
    this.#prefix = this.#o.keyPrefix;
    this.#presenceChannel = `${this.#prefix}presence`;
    this.#controlChannel = `${this.#prefix}control:${this.instanceId}`;
    this.#local = new HistoryStore({ historySize: this.#o.historySize });

    const redisOptions: RedisOptions = {
      lazyConnect: true,
      // Reconnect forever, 100 ms doubling up to maxReconnectDelay, ±20 % jitter so that
      // instances restarted together don't knock on Redis in step.
      retryStrategy: (times) => {
        const base = Math.min(100 * 2 ** Math.min(times - 1, 16), this.#o.maxReconnectDelay);
        return Math.round(base * (0.8 + Math.random() * 0.4));
      },
      // No queue while disconnected: a command fails at once and the adapter falls back to
      // local state (it re-asserts everything once Redis is back) instead of piling up.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false, // resubscribed by the adapter, with channels added meanwhile
      connectTimeout: Math.min(this.#o.connectTimeout, 5_000),
      // Commands of one event-loop turn share one write: fan-out publishes come in bursts.
      enableAutoPipelining: true,
      connectionName: `ws02-chat-${this.instanceId}`,
    };
    this.#cmd = new Redis(this.#o.url, redisOptions);
    this.#sub = new Redis(this.#o.url, { ...redisOptions, enableAutoPipelining: false });
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      this.#cmd.defineCommand(name, { numberOfKeys: 0, lua });
    }
    this.#scripts = this.#cmd as unknown as Scripts;
    this.#watch(this.#cmd, 'commands');
    this.#watch(this.#sub, 'subscriber');
    // Buffers: this instance's own events come back from Redis and are dropped from their
    // first bytes, without decoding them.
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.#onMessage(channel, message),
    );
    this.#ownPrefix = Buffer.from(`${this.instanceId} `, 'latin1');
  }

  /** The URL without its password, for logs. */
  get redisUrl(): string {
    try {
      const url = new URL(this.#o.url);
      if (url.password !== '') url.password = '***';
      return url.toString();
    } catch {
      return '(unparsable URL)';
    }
  }

  /** True while both connections are ready. */
  get connected(): boolean {
    return this.#cmd.status === 'ready' && this.#sub.status === 'ready';
  }

  /**
   * Connects both connections, registers this instance and loads the presence replica. Fails
   * with `CHAT_REDIS_UNAVAILABLE` after `connectTimeout` (the connections are then closed).
   */
  async connect(): Promise<void> {
    this.#cmd.connect().catch(() => {});
    this.#sub.connect().catch(() => {});
    const deadline = Date.now() + this.#o.connectTimeout;
    while (!(this.#synced && this.#listening && this.#cmd.status === 'ready')) {
      if (Date.now() > deadline || this.#closed) {
        this.#cmd.disconnect();
        this.#sub.disconnect();
        throw new ChatConfigError(
          'CHAT_REDIS_UNAVAILABLE',
          `cannot reach Redis at ${this.redisUrl} within ${this.#o.connectTimeout} ms (is redis-server running? see --redis-url)`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    this.#heartbeat = setInterval(() => this.#tick(), this.#o.heartbeatInterval);
    this.#heartbeat.unref();
  }

  setListener(listener: ChannelListener): void {
    this.#listener = listener;
  }

  setControl(control: AdapterControl): void {
    this.#control = control;
  }

  // --- fan-out ---

  publish(channel: string, event: WireEvent): Promise<void> {
    // Local members first, and never waiting on Redis.
    if (this.#subscribed.has(channel)) this.#listener(channel, event);
    const pending = this.#pendingAppend;
    if (pending !== undefined && pending[0] === channel && pending[1].id === event.id) {
      // A post: its append and its publish travel as one entry of the batch.
      this.#pendingAppend = undefined;
      this.#enqueue(channel, event, true, true);
    } else {
      this.#movePendingAppend();
      this.#enqueue(channel, event, false, true);
    }
    return Promise.resolve();
  }

  async subscribe(channel: string): Promise<void> {
    if (this.#subscribed.has(channel)) return;
    this.#subscribed.add(channel);
    if (this.#sub.status !== 'ready') return; // subscribed once the connection is back
    // Awaited: the subscription is in effect before the chat reads the room's history.
    await this.#timed(this.#sub.subscribe(this.#channelName(channel)), 'subscribe').catch(
      (err: unknown) => this.#commandFailed('subscribe', err),
    );
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.#subscribed.delete(channel)) return;
    if (this.#sub.status !== 'ready') return;
    await this.#timed(this.#sub.unsubscribe(this.#channelName(channel)), 'unsubscribe').catch(
      (err: unknown) => this.#commandFailed('unsubscribe', err),
    );
  }

  // --- history ---

  appendHistory(channel: string, event: WireEvent): Promise<void> {
    if (this.#o.historySize <= 0) return Promise.resolve();
    this.#local.append(channel, event);
    this.#movePendingAppend();
    // Held for the publish that follows (the chat appends a post, then publishes it).
    this.#pendingAppend = [channel, event];
    this.#scheduleFlush();
    return Promise.resolve();
  }

  /**
   * The hot path. Appends and publishes of one event-loop turn are queued and go to Redis as
   * one script call (`chatBatch`: ZADD, PUBLISH per entry, in order) at the end of the turn, or
   * before any other command (so order is kept): one command object and one reply per turn
   * instead of two per post, and the JSON sent once per post. Nothing here is awaited: local
   * members were served already, and a reader on another instance that subscribed before
   * reading finds the entry either in the history or in its live stream.
   */
  #enqueue(channel: string, event: WireEvent, append: boolean, publish: boolean): void {
    const entry = `${event.id} ${event.json}`;
    const key = append ? this.#historyKey(channel) : '';
    this.#batch.push(
      key,
      publish ? this.#channelName(channel) : '',
      entry,
      append ? this.#historyTtl(channel) : 0,
    );
    this.#batchEvents.push(append ? [channel, event, publish] : [undefined, undefined, publish]);
    if (append) this.#countAppend(key, channel);
    if (this.#batchEvents.length >= MAX_BATCH) this.#flushBatch();
    else this.#scheduleFlush();
  }

  #movePendingAppend(): void {
    const pending = this.#pendingAppend;
    if (pending === undefined) return;
    this.#pendingAppend = undefined;
    this.#enqueue(pending[0], pending[1], true, false);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flushAppend();
    });
  }

  /** Sends everything queued (before any other command, to keep Redis in the chat's order). */
  #flushAppend(): void {
    this.#movePendingAppend();
    this.#flushBatch();
  }

  #flushBatch(): void {
    if (this.#batchEvents.length === 0) return;
    const args = this.#batch;
    const events = this.#batchEvents;
    const trims = this.#trims;
    this.#batch = [];
    this.#batchEvents = [];
    this.#trims = [];
    const failed = () => {
      for (const [channel, event, publish] of events) {
        if (channel !== undefined) this.#keepUnsent(channel, event!);
        if (publish) this.#undelivered++;
      }
    };
    if (this.#cmd.status !== 'ready') {
      failed();
      return;
    }
    this.#scripts.chatBatch(this.#prefix, this.instanceId, ...args).catch((err: unknown) => {
      failed();
      this.#commandFailed('publish', err);
    });
    for (const [key, ttl] of trims) {
      this.#scripts
        .chatTrim(this.#prefix, key, this.#o.historySize, ttl)
        .catch((err: unknown) => this.#commandFailed('trim history', err));
    }
  }

  async readHistory(
    channel: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<HistoryPage> {
    if (limit <= 0 || this.#o.historySize <= 0) return { events: [], truncated: false };
    this.#flushAppend();
    if (this.#cmd.status === 'ready') {
      try {
        return await this.#timed(this.#readRedis(channel, afterId, limit), 'read history');
      } catch (err) {
        this.#commandFailed('read history', err, false);
      }
    }
    // Redis unreachable: what this instance wrote itself; others' messages may be missing.
    const page = this.#local.read(channel, afterId, limit);
    return { events: page.events, truncated: true };
  }

  dropHistory(channel: string): Promise<void> {
    this.#local.drop(channel);
    this.#flushAppend();
    if (this.#cmd.status === 'ready') {
      const done = channel.startsWith('@')
        ? this.#scripts.chatDropInbox(this.#prefix, channel.slice(1))
        : this.#cmd.del(this.#historyKey(channel), `${this.#historyKey(channel)}:floor`);
      done.catch((err: unknown) => this.#commandFailed('drop history', err));
    }
    return Promise.resolve();
  }

  // --- presence ---

  async claimNick(nickKey: string, owner: string): Promise<boolean> {
    const local = this.#presence.claimOf(nickKey);
    if (local !== undefined && local.sid !== owner) return false;
    if (local !== undefined && local.inst === this.instanceId) return true;
    this.#flushAppend();
    if (this.#cmd.status === 'ready') {
      try {
        const ok = await this.#timed(
          this.#scripts.chatClaim(this.#prefix, nickKey, owner, this.instanceId),
          'claim nick',
        );
        if (ok !== 1) return false;
        this.#presence.claim(nickKey, owner, this.instanceId);
        return true;
      } catch (err) {
        this.#commandFailed('claim nick', err);
      }
    }
    // Redis unreachable: unique on this instance only, until the re-assertion after reconnect.
    this.#dirty = true;
    return this.#presence.claim(nickKey, owner, this.instanceId).ok;
  }

  releaseNick(nickKey: string, owner: string): Promise<void> {
    if (this.#presence.release(nickKey, owner, this.instanceId) !== undefined) {
      this.#mutate('release nick', () =>
        this.#scripts.chatRelease(this.#prefix, nickKey, owner, this.instanceId),
      );
    }
    return Promise.resolve();
  }

  nickOwner(nickKey: string): string | undefined {
    return this.#presence.owner(nickKey);
  }

  addMember(room: string, nick: string): Promise<void> {
    this.#presence.add(room, nick, this.instanceId);
    this.#mutate('add member', () =>
      this.#scripts.chatAddMember(this.#prefix, room, nick, this.instanceId),
    );
    return Promise.resolve();
  }

  removeMember(room: string, nick: string): Promise<void> {
    if (this.#presence.remove(room, nick, this.instanceId) !== undefined) {
      this.#mutate('remove member', () =>
        this.#scripts.chatRemoveMember(this.#prefix, room, nick, this.instanceId),
      );
    }
    return Promise.resolve();
  }

  renameMember(room: string, from: string, to: string): Promise<void> {
    if (this.#presence.rename(room, from, to, this.instanceId) !== undefined) {
      this.#mutate('rename member', () =>
        this.#scripts.chatRenameMember(this.#prefix, room, from, to, this.instanceId),
      );
    }
    return Promise.resolve();
  }

  members(room: string): readonly string[] {
    return this.#presence.members(room);
  }

  rooms(): readonly RoomSummary[] {
    return this.#presence.rooms();
  }

  roomCount(): number {
    return this.#presence.roomCount();
  }

  /** Removes this instance's entries from Redis (a graceful goodbye) and disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    if (this.#cmd.status === 'ready') {
      try {
        this.#flushAppend();
        await this.#timed(this.#scripts.chatGoodbye(this.#prefix, this.instanceId), 'goodbye');
      } catch (err) {
        this.#log.warn(
          { event: 'redis-goodbye-failed', err: errorText(err) },
          'could not remove this instance from Redis; the survivors will once its TTL passes',
        );
      }
    }
    await Promise.all([quit(this.#cmd), quit(this.#sub)]);
    this.#log.info({ event: 'redis-closed', instance: this.instanceId }, 'redis adapter closed');
  }

  // --- internals: connections ---

  #watch(redis: Redis, role: 'commands' | 'subscriber'): void {
    redis.on('ready', () => {
      this.#errorsLogged.delete(role);
      if (role === 'subscriber') {
        this.#resubscribe().then(
          () => {
            this.#listening = this.#sub.status === 'ready';
            this.#requestSync();
          },
          (err: unknown) => this.#commandFailed('resubscribe', err),
        );
      }
      if (this.#downSince !== undefined && this.connected) {
        this.#log.info(
          {
            event: 'redis-reconnected',
            url: this.redisUrl,
            downMs: Date.now() - this.#downSince,
            undeliveredEvents: this.#undelivered,
          },
          'redis reconnected: re-asserting this instance’s state',
        );
        this.#downSince = undefined;
        this.#undelivered = 0;
      } else if (this.#downSince === undefined && !this.#synced) {
        this.#log.info({ event: 'redis-connected', role, url: this.redisUrl }, 'redis connected');
      }
      if (role === 'commands') this.#requestSync();
    });
    redis.on('close', () => {
      if (role === 'subscriber') this.#listening = false;
      if (this.#closed) return;
      if (this.#downSince === undefined && this.#synced) {
        this.#downSince = Date.now();
        this.#log.warn(
          { event: 'redis-disconnected', role, url: this.redisUrl },
          'redis connection lost: serving local rooms only until it is back',
        );
      }
    });
    redis.on('reconnecting', (delay: number) => {
      if (this.#closed) return;
      this.#log.info(
        { event: 'redis-reconnecting', role, delayMs: delay },
        `redis: reconnecting in ${delay} ms`,
      );
    });
    redis.on('error', (err: Error) => {
      if (this.#closed) return;
      // The first error of an outage is a warning; the same one at every attempt is noise.
      const first = !this.#errorsLogged.has(role);
      this.#errorsLogged.add(role);
      this.#log[first ? 'warn' : 'debug'](
        { event: 'redis-error', role, err: err.message },
        'redis connection error',
      );
    });
  }

  /** (Re)subscribes the presence and control channels and every channel wanted. */
  async #resubscribe(): Promise<void> {
    const names = [
      this.#presenceChannel,
      this.#controlChannel,
      ...[...this.#subscribed].map((c) => this.#channelName(c)),
    ];
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < names.length; i += 1000) {
      batches.push(this.#sub.subscribe(...names.slice(i, i + 1000)));
    }
    await Promise.all(batches);
  }

  #commandFailed(what: string, err: unknown, changedState = true): void {
    // A change that may not have reached Redis: re-asserted at the next sync.
    if (changedState) this.#dirty = true;
    if (this.#closed) return;
    // While disconnected every command fails the same way: the disconnect was logged already.
    this.#log[this.#downSince === undefined ? 'warn' : 'debug'](
      { event: 'redis-command-failed', command: what, err: errorText(err) },
      `redis: ${what} failed`,
    );
  }

  /** A presence change already applied locally: sent to Redis now, or re-asserted later. */
  #mutate(what: string, run: () => Promise<unknown>): void {
    this.#flushAppend();
    if (this.#cmd.status !== 'ready') {
      this.#dirty = true;
      return;
    }
    run().catch((err: unknown) => this.#commandFailed(what, err));
  }

  // --- internals: incoming ---

  #onMessage(channelBytes: Buffer, message: Buffer): void {
    const own = this.#ownPrefix;
    if (message.length > own.length && message.compare(own, 0, own.length, 0, own.length) === 0) {
      return; // this instance's own event, delivered locally when published
    }
    const channel = channelBytes.toString('latin1'); // prefix, room names, sids: ASCII
    if (channel === this.#presenceChannel) {
      let parsed: [string, PresenceDelta[]];
      try {
        parsed = JSON.parse(message.toString('utf8')) as [string, PresenceDelta[]];
      } catch {
        return;
      }
      if (this.#deltaBuffer !== undefined) {
        this.#deltaBuffer.push(parsed);
        return;
      }
      // Own changes were applied when made.
      if (parsed[0] === this.instanceId) return;
      for (const delta of parsed[1]) this.#presence.apply(delta);
      return;
    }
    if (channel === this.#controlChannel) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.toString('utf8'));
      } catch {
        return;
      }
      if (Array.isArray(parsed) && parsed[0] === 'moved' && typeof parsed[1] === 'string') {
        this.#control?.sessionMoved(parsed[1]);
      }
      return;
    }
    // "<instance> <id> <json>"
    const name = this.#chatChannel(channel);
    if (name === undefined || !this.#subscribed.has(name)) return;
    const a = message.indexOf(0x20);
    const b = message.indexOf(0x20, a + 1);
    if (a <= 0 || b <= a) return;
    this.#listener(name, {
      id: message.toString('latin1', a + 1, b),
      json: message.toString('utf8', b + 1),
    });
  }

  // --- internals: sync after (re)connecting ---

  #requestSync(): void {
    if (this.#closed) return;
    if (this.#syncing !== undefined) {
      this.#syncAgain = true;
      return;
    }
    this.#syncing = this.#resync()
      .catch((err: unknown) => {
        this.#dirty = true;
        this.#log.warn({ event: 'redis-sync-failed', err: errorText(err) }, 'redis: sync failed');
      })
      .finally(() => {
        this.#syncing = undefined;
        if (this.#syncAgain) {
          this.#syncAgain = false;
          this.#requestSync();
        }
      });
  }

  /**
   * Makes Redis hold this instance's state again and reloads the replica: re-asserts its nick
   * claims and memberships (replacing whatever Redis had for it), writes the history it
   * appended while disconnected (all of its local history when Redis lost its data), then reads
   * a snapshot of the presence, replaying on top of it the deltas that arrived meanwhile.
   */
  async #resync(): Promise<void> {
    if (this.#cmd.status !== 'ready') return;
    this.#dirty = false;
    const own = this.#presence.ownedBy(this.instanceId);
    const args: ScriptArg[] = [
      this.#prefix,
      this.instanceId,
      this.#o.instanceTtl,
      own.nicks.length,
    ];
    for (const [key, sid] of own.nicks) args.push(key, sid);
    for (const [room, nick] of own.members) args.push(room, nick);
    const [alive, conflicts] = (await this.#timed(this.#scripts.chatSync(...args), 'sync')) as [
      number,
      string[],
    ];

    // No alive mark: Redis lost its data (restarted without persistence), or this instance was
    // presumed dead and cleaned up. Either way its history may be gone from Redis: all of what
    // it wrote is written again (entries already there are kept once).
    const lost = alive === 0 && this.#synced;
    const resend = lost ? [...this.#localEntries()] : this.#unsent;
    this.#unsent = [];
    if (lost) {
      this.#log.warn(
        { event: 'redis-state-lost', entries: resend.length },
        'redis had no trace of this instance (data lost, or presumed dead): re-writing its history',
      );
    }
    await this.#timed(
      Promise.all(
        resend.map(([channel, event]) =>
          this.#scripts.chatAppend(
            this.#prefix,
            this.#historyKey(channel),
            `${event.id} ${event.json}`,
            this.#o.historySize,
            this.#historyTtl(channel),
          ),
        ),
      ),
      'rewrite history',
    );

    const listening = this.#listening;
    // A subscription that failed while connected is made again (SUBSCRIBE is idempotent).
    if (listening) await this.#timed(this.#resubscribe(), 'resubscribe');
    if (listening) this.#deltaBuffer = [];
    let snapshot: PresenceSnapshot;
    try {
      snapshot = parseSnapshot(
        (await this.#timed(this.#scripts.chatSnapshot(this.#prefix), 'snapshot')) as unknown[],
      );
    } catch (err) {
      this.#deltaBuffer = undefined;
      throw err;
    }
    this.#presence.load(snapshot);
    const buffered = this.#deltaBuffer ?? [];
    this.#deltaBuffer = undefined;
    for (const [, deltas] of buffered) for (const delta of deltas) this.#presence.apply(delta);

    for (let i = 0; i < conflicts.length; i += 2) {
      const key = conflicts[i]!;
      const sid = conflicts[i + 1]!;
      const holder = this.#presence.claimOf(key);
      if (holder?.sid === sid) {
        // Resumed on another instance while this one was cut off: it is theirs now.
        this.#control?.sessionMoved(sid);
      } else {
        this.#log.warn(
          { event: 'redis-nick-conflict', nick: key },
          'a nick claimed here while Redis was unreachable belongs to another session',
        );
      }
    }
    if (!listening) {
      this.#dirty = true; // reloaded again once the subscriber is back
      return;
    }
    this.#synced = true;
    this.#log.info(
      {
        event: 'redis-synced',
        instance: this.instanceId,
        nicks: own.nicks.length,
        memberships: own.members.length,
        rewritten: resend.length,
      },
      'redis: instance state asserted',
    );
  }

  /** `promise`, or a rejection after `commandTimeout` (the chat then falls back to local state). */
  #timed<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis: ${what} got no reply within ${this.#o.commandTimeout} ms`)),
        this.#o.commandTimeout,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  *#localEntries(): IterableIterator<[string, WireEvent]> {
    for (const [channel, events] of this.#local.entries()) {
      for (const event of events) yield [channel, event];
    }
  }

  #keepUnsent(channel: string, event: WireEvent): void {
    if (this.#unsent.length < MAX_UNSENT) this.#unsent.push([channel, event]);
  }

  /** Heartbeat: alive mark, dead instances' clean-up, held nicks' expiry, pending re-sync. */
  #tick(): void {
    if (this.#closed || this.#heartbeatRunning || this.#cmd.status !== 'ready') return;
    if (this.#syncing !== undefined) return;
    if (this.#dirty) {
      this.#requestSync();
      return;
    }
    this.#heartbeatRunning = true;
    this.#timed(
      this.#scripts.chatHeartbeat(
        this.#prefix,
        this.instanceId,
        this.#o.instanceTtl,
        this.#o.resumeWindow,
      ),
      'heartbeat',
    )
      .then((result) => {
        const [was, reaped, lost] = result as [number, string[], string[]];
        if (reaped.length > 0) {
          this.#log.warn(
            { event: 'redis-instances-reaped', instances: reaped, members: lost.length / 2 },
            'dead instances removed: their members left, their nicks are held for resumes',
          );
        }
        const byRoom = new Map<string, string[]>();
        for (let i = 0; i < lost.length; i += 2) {
          const list = byRoom.get(lost[i]!) ?? [];
          list.push(lost[i + 1]!);
          byRoom.set(lost[i]!, list);
        }
        for (const [room, nicks] of byRoom) {
          // The script's deltas come on the subscriber connection, maybe after this reply: the
          // replica drops them now, so the `leave` events below never precede it.
          for (const nick of nicks) this.#presence.apply(['m-', room, nick]);
          this.#control?.membersLost(room, nicks);
        }
        if (was === 0) {
          this.#log.warn(
            { event: 'redis-presumed-dead', instance: this.instanceId },
            'this instance was presumed dead (or Redis lost its data): re-asserting its state',
          );
          this.#requestSync();
        }
      })
      .catch((err: unknown) => this.#commandFailed('heartbeat', err, false))
      .finally(() => {
        this.#heartbeatRunning = false;
      });
  }

  // --- internals: history in Redis ---

  /** Counts appends per history; every TRIM_EVERY-th, a trim follows the batch. */
  #countAppend(key: string, channel: string): void {
    const count = (this.#sinceTrim.get(key) ?? 0) + 1;
    if (count < TRIM_EVERY) {
      if (this.#sinceTrim.size >= 100_000) this.#sinceTrim.clear(); // bounded bookkeeping
      this.#sinceTrim.set(key, count);
      return;
    }
    this.#sinceTrim.set(key, 0);
    this.#trims.push([key, this.#historyTtl(channel)]);
  }

  /** Inboxes expire twice the resume window after their last message; rooms never. */
  #historyTtl(channel: string): number {
    return channel.startsWith('@') ? Math.max(this.#o.resumeWindow, 60_000) * 2 : 0;
  }

  async #readRedis(
    channel: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<HistoryPage> {
    const key = this.#historyKey(channel);
    const pipeline = this.#cmd.pipeline();
    if (afterId === undefined) {
      pipeline.zrange(key, -(limit + 1), -1);
    } else {
      // Entries are "<id> <json>" with equal scores, so they sort by id; "<afterId>!" sorts
      // after every entry of afterId itself (" " < "!") and before every later id.
      pipeline.zrange(key, '+', `(${afterId}!`, 'BYLEX', 'REV', 'LIMIT', 0, limit + 1);
    }
    pipeline.get(`${key}:floor`);
    const results = await pipeline.exec();
    if (results === null) throw new Error('pipeline aborted');
    for (const [err] of results) if (err) throw err;
    let members = results[0]![1] as string[];
    const floor = results[1]![1] as string | null;
    if (afterId !== undefined) members = members.reverse();
    const more = members.length > limit;
    if (more) members = members.slice(members.length - limit);
    const events = members.map((m) => {
      const at = m.indexOf(' ');
      return { id: m.slice(0, at), json: m.slice(at + 1) };
    });
    // Without `afterId`, entries beyond the history size are ones a trim is about to remove
    // (see TRIM_EVERY), not missing ones.
    if (afterId === undefined) return { events, truncated: more && limit < this.#o.historySize };
    const olderMissing = floor !== null && afterId < floor;
    return { events, truncated: more || olderMissing };
  }

  // --- names ---

  #channelName(channel: string): string {
    return channel.startsWith('@')
      ? `${this.#prefix}inbox:${channel.slice(1)}`
      : `${this.#prefix}room:${channel}`;
  }

  #chatChannel(name: string): string | undefined {
    const rest = name.slice(this.#prefix.length);
    if (rest.startsWith('room:')) return rest.slice(5);
    if (rest.startsWith('inbox:')) return `@${rest.slice(6)}`;
    return undefined;
  }

  #historyKey(channel: string): string {
    return channel.startsWith('@')
      ? `${this.#prefix}inbox:${channel.slice(1)}`
      : `${this.#prefix}history:${channel}`;
  }
}

function parseSnapshot(raw: unknown[]): PresenceSnapshot {
  const nicksFlat = raw[0] as string[];
  const nicks: [string, string, string][] = [];
  for (let i = 0; i < nicksFlat.length; i += 2) {
    const [sid, inst] = nicksFlat[i + 1]!.split(' ');
    nicks.push([nicksFlat[i]!, sid!, inst!]);
  }
  const rooms: [string, [string, string][]][] = [];
  for (let i = 1; i < raw.length; i += 2) {
    const flat = raw[i + 1] as string[];
    const list: [number, string, string][] = [];
    for (let j = 0; j < flat.length; j += 2) {
      const [seq, inst] = flat[j + 1]!.split(' ');
      list.push([Number(seq), flat[j]!, inst!]);
    }
    list.sort((x, y) => x[0] - y[0]); // joining order
    rooms.push([raw[i] as string, list.map(([, nick, inst]) => [nick, inst])]);
  }
  return { nicks, rooms };
}

/** QUIT, or a plain disconnect when Redis isn't there to answer it. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through
    }
  }
  redis.disconnect();
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
