/**
 * Where the chat's shared state lives: room fan-out, message history and presence. The chat
 * logic (commands, validation, limits: `ChatCore`) talks only to this interface, so the
 * single-process default (`MemoryAdapter`) can be replaced by a cluster-IPC or Redis pub/sub
 * adapter without touching it.
 *
 * Channels: a room's channel is its canonical name (`general`); a user's direct-message inbox
 * is `@<sessionId>`. Room names never contain `@`, so the two never collide.
 *
 * Contract, for every implementation:
 * - `publish` delivers the event to the listener of every instance subscribed to the channel,
 *   including the publishing instance, in publication order per publisher.
 * - History is kept per channel, ordered by id (ids sort like time: see `MessageIdGenerator`),
 *   at most `historySize` entries per channel; older entries are dropped.
 * - Presence (nick ownership, room members) is replicated to every instance so the queries
 *   (`nickOwner`, `members`, `rooms`, `roomCount`) are synchronous and never wait on a
 *   cluster-wide request; the mutations are async and the only ones that must be atomic
 *   cluster-wide are `claimNick`/`releaseNick`.
 * - Entries are owned by the instance that made them: `releaseNick` and `removeMember` only
 *   act on this instance's entries, so a session that moved to another instance (a resume
 *   there) can't be undone by the old instance's late clean-up.
 * - A history channel named `@<sid>` (a DM inbox) is kept while any instance holds a nick
 *   for `sid`: `dropHistory` on it does nothing while the session lives elsewhere.
 */
export interface ChatAdapter {
  /** This process's id; part of every message id it generates (lowercase [0-9a-z], ≤ 32). */
  readonly instanceId: string;

  /** Sets the one function that receives events of subscribed channels. */
  setListener(listener: ChannelListener): void;
  /** Sets the functions told about cluster-wide changes that concern this instance. */
  setControl(control: AdapterControl): void;

  // --- fan-out ---
  /** Sends an event to every subscriber of `channel` (on every instance). */
  publish(channel: string, event: WireEvent): Promise<void>;
  /** This instance starts receiving `channel`'s events. Idempotent. */
  subscribe(channel: string): Promise<void>;
  /** This instance stops receiving `channel`'s events. Idempotent. */
  unsubscribe(channel: string): Promise<void>;

  // --- history ---
  /** Keeps `event` in `channel`'s history (dropping the oldest beyond the history size). */
  appendHistory(channel: string, event: WireEvent): Promise<void>;
  /**
   * Up to `limit` entries of `channel` with ids after `afterId` (all entries when undefined),
   * oldest first; when more matched than `limit`, the newest `limit` are returned.
   */
  readHistory(channel: string, afterId: string | undefined, limit: number): Promise<HistoryPage>;
  /** Forgets `channel`'s history (a direct-message inbox whose owner is gone). */
  dropHistory(channel: string): Promise<void>;

  // --- presence ---
  /**
   * Claims `nickKey` (a case-folded nick) for `owner` (a session id). True when it was free or
   * already `owner`'s; false when another owner holds it. Atomic.
   */
  claimNick(nickKey: string, owner: string): Promise<boolean>;
  /** Releases `nickKey` if `owner` holds it. */
  releaseNick(nickKey: string, owner: string): Promise<void>;
  /** The session id holding `nickKey`, if any. */
  nickOwner(nickKey: string): string | undefined;
  /** Adds `nick` (display form) to `room`'s members; creates the room if needed. */
  addMember(room: string, nick: string): Promise<void>;
  /** Removes `nick` from `room`; a room with no members is no longer listed. */
  removeMember(room: string, nick: string): Promise<void>;
  /** Replaces `from` by `to` in `room`'s member list, keeping its position. */
  renameMember(room: string, from: string, to: string): Promise<void>;
  /** `room`'s members (display nicks, in joining order); empty when the room has none. */
  members(room: string): readonly string[];
  /** Rooms with at least one member, with their member counts, by name. */
  rooms(): readonly RoomSummary[];
  /** Number of rooms with at least one member. */
  roomCount(): number;

  /** Releases the adapter's resources (connections, timers); flushes what must be kept. */
  close(): Promise<void>;
}

/**
 * One event as it travels: its id and its JSON text exactly as clients receive it. Serialized
 * once by the publisher; every instance writes the same text to its local members, and history
 * stores it as is (history replies embed it without re-parsing).
 */
export interface WireEvent {
  readonly id: string;
  readonly json: string;
}

export interface HistoryPage {
  readonly events: readonly WireEvent[];
  /**
   * True when entries after `afterId` may be missing from `events`: more matched than `limit`,
   * or `afterId` is older than the oldest entry kept and older entries were dropped.
   */
  readonly truncated: boolean;
}

export interface RoomSummary {
  readonly room: string;
  readonly members: number;
}

export type ChannelListener = (channel: string, event: WireEvent) => void;

/**
 * What an adapter tells the chat about the rest of the cluster (`ChatCore` implements it).
 * `MemoryAdapter` never calls it: in one process nothing happens elsewhere.
 */
export interface AdapterControl {
  /**
   * Session `sid` was resumed on another instance (its nick claim moved there): this instance
   * forgets it — a live connection is closed with `REPLACED`, a held session is dropped — and
   * keeps its hands off the nick and the inbox, which now belong to the other instance.
   */
  sessionMoved(sid: string): void;
  /**
   * `nicks` were removed from `room` because their instance died; this instance announces
   * it (a `leave` event with reason `lost`). Told to one instance per room.
   */
  membersLost(room: string, nicks: readonly string[]): void;
}
