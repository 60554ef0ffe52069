import type { RoomSummary } from './chat-adapter.js';

/**
 * Presence across instances: nick claims and room member lists, each entry owned by the
 * instance whose session made it. The same class (and so the same rules) serves as
 *
 * - the **authority**: the cluster primary holds one, and the Redis Lua scripts
 *   (`redis-scripts.ts`) implement exactly these rules on the Redis data;
 * - every instance's **replica**, which answers the synchronous queries (`owner`, `members`,
 *   `rooms`) without waiting on anyone. A replica applies its own mutations at once (the same
 *   conditional rules as the authority) and the authority's deltas for everyone else's.
 *
 * Ownership is what makes a session safely movable between instances: a session resumed on
 * instance B takes over its nick claim and memberships (owner := B), and the old instance A's
 * late `release`/`remove` calls, which only act on entries A owns, then change nothing.
 * `HELD` as owner marks the claim of a session whose instance died: kept for a resume
 * elsewhere until the resume window ends.
 */
export const HELD = '-';

export interface NickClaim {
  readonly sid: string;
  readonly inst: string;
}

interface Member {
  readonly nick: string;
  inst: string;
}

/** A state change, as the authority sends it to replicas (JSON-safe tuples). */
export type PresenceDelta =
  /** nick `key` is claimed by session `sid` on instance `inst` (or HELD) */
  | readonly ['n', key: string, sid: string, inst: string]
  /** nick `key` is free */
  | readonly ['n-', key: string]
  /** `nick` is a member of `room`, owned by `inst` (added at the end if new) */
  | readonly ['m', room: string, nick: string, inst: string]
  /** `nick` is no longer a member of `room` */
  | readonly ['m-', room: string, nick: string]
  /** `from` is now called `to` in `room` (same place in the list) */
  | readonly ['mr', room: string, from: string, to: string]
  /** every entry owned by `inst` is gone (the instance re-asserts its state next) */
  | readonly ['x', inst: string];

/** Plain data for a whole presence state (snapshot sent to a new replica). */
export interface PresenceSnapshot {
  /** [key, sid, inst] */
  readonly nicks: readonly (readonly [string, string, string])[];
  /** [room, [[nick, inst], …] in joining order] */
  readonly rooms: readonly (readonly [string, readonly (readonly [string, string])[]])[];
}

export class Presence {
  readonly #nicks = new Map<string, NickClaim>();
  /** sid → its nick key: which session holds a nick at all (inbox history is kept meanwhile). */
  readonly #sessions = new Map<string, string>();
  readonly #rooms = new Map<string, Member[]>();

  // --- queries ---

  owner(key: string): string | undefined {
    return this.#nicks.get(key)?.sid;
  }

  claimOf(key: string): NickClaim | undefined {
    return this.#nicks.get(key);
  }

  /** True when session `sid` holds a nick (so its direct-message inbox must be kept). */
  hasSession(sid: string): boolean {
    return this.#sessions.has(sid);
  }

  members(room: string): string[] {
    const list = this.#rooms.get(room);
    if (list === undefined) return [];
    const out = new Array<string>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = list[i]!.nick;
    return out;
  }

  memberOwner(room: string, nick: string): string | undefined {
    return this.#rooms.get(room)?.find((m) => m.nick === nick)?.inst;
  }

  rooms(): RoomSummary[] {
    const out: RoomSummary[] = [];
    for (const [room, members] of this.#rooms) out.push({ room, members: members.length });
    return out.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
  }

  roomCount(): number {
    return this.#rooms.size;
  }

  // --- conditional mutations (authority rules; replicas apply their own with them) ---

  /**
   * Claims `key` for `sid` on `inst`. Refused when another session holds it. When the same
   * session held it on another instance (a resume elsewhere), `movedFrom` names that instance.
   */
  claim(
    key: string,
    sid: string,
    inst: string,
  ): { ok: boolean; movedFrom?: string; delta?: PresenceDelta } {
    const cur = this.#nicks.get(key);
    if (cur !== undefined && cur.sid !== sid) return { ok: false };
    if (cur !== undefined && cur.inst === inst) return { ok: true };
    this.#setClaim(key, sid, inst);
    const delta: PresenceDelta = ['n', key, sid, inst];
    return cur !== undefined && cur.inst !== HELD
      ? { ok: true, movedFrom: cur.inst, delta }
      : { ok: true, delta };
  }

  /** Releases `key` if `sid` holds it on `inst`. */
  release(key: string, sid: string, inst: string): PresenceDelta | undefined {
    const cur = this.#nicks.get(key);
    if (cur === undefined || cur.sid !== sid || cur.inst !== inst) return undefined;
    this.#deleteClaim(key);
    return ['n-', key];
  }

  /** Adds `nick` to `room` for `inst`, or takes over its ownership. */
  add(room: string, nick: string, inst: string): PresenceDelta | undefined {
    let list = this.#rooms.get(room);
    if (list === undefined) {
      list = [];
      this.#rooms.set(room, list);
    }
    const m = list.find((e) => e.nick === nick);
    if (m !== undefined) {
      if (m.inst === inst) return undefined;
      m.inst = inst;
    } else {
      list.push({ nick, inst });
    }
    return ['m', room, nick, inst];
  }

  /** Removes `nick` from `room` if `inst` owns the membership. */
  remove(room: string, nick: string, inst: string): PresenceDelta | undefined {
    const list = this.#rooms.get(room);
    if (list === undefined) return undefined;
    const i = list.findIndex((e) => e.nick === nick);
    if (i === -1 || list[i]!.inst !== inst) return undefined;
    list.splice(i, 1);
    if (list.length === 0) this.#rooms.delete(room);
    return ['m-', room, nick];
  }

  /** Renames `from` to `to` in `room` if `inst` owns `from`'s membership. */
  rename(room: string, from: string, to: string, inst: string): PresenceDelta | undefined {
    const list = this.#rooms.get(room);
    if (list === undefined) return undefined;
    const m = list.find((e) => e.nick === from);
    if (m === undefined || m.inst !== inst || list.some((e) => e.nick === to)) return undefined;
    list[list.indexOf(m)] = { nick: to, inst };
    return ['mr', room, from, to];
  }

  /**
   * An instance is gone (it died): its memberships are removed and its nick claims become
   * HELD (kept for a resume elsewhere; the caller releases them after the resume window).
   * Returns the deltas, the lost members per room, and the held nick keys.
   */
  dropInstance(inst: string): {
    deltas: PresenceDelta[];
    lost: Map<string, string[]>;
    held: [key: string, sid: string][];
  } {
    const deltas: PresenceDelta[] = [];
    const held: [string, string][] = [];
    for (const [key, claim] of this.#nicks) {
      if (claim.inst !== inst) continue;
      this.#setClaim(key, claim.sid, HELD);
      held.push([key, claim.sid]);
      deltas.push(['n', key, claim.sid, HELD]);
    }
    const lost = new Map<string, string[]>();
    for (const [room, list] of [...this.#rooms]) {
      const gone = list.filter((m) => m.inst === inst);
      if (gone.length === 0) continue;
      const kept = list.filter((m) => m.inst !== inst);
      if (kept.length === 0) this.#rooms.delete(room);
      else this.#rooms.set(room, kept);
      lost.set(
        room,
        gone.map((m) => m.nick),
      );
      for (const m of gone) deltas.push(['m-', room, m.nick]);
    }
    return { deltas, lost, held };
  }

  // --- replica side ---

  /** Applies a delta from the authority (unconditionally: the authority already decided). */
  apply(delta: PresenceDelta): void {
    switch (delta[0]) {
      case 'n':
        this.#setClaim(delta[1], delta[2], delta[3]);
        return;
      case 'n-':
        this.#deleteClaim(delta[1]);
        return;
      case 'm': {
        const [, room, nick, inst] = delta;
        let list = this.#rooms.get(room);
        if (list === undefined) {
          list = [];
          this.#rooms.set(room, list);
        }
        const m = list.find((e) => e.nick === nick);
        if (m !== undefined) m.inst = inst;
        else list.push({ nick, inst });
        return;
      }
      case 'm-': {
        const [, room, nick] = delta;
        const list = this.#rooms.get(room);
        if (list === undefined) return;
        const i = list.findIndex((e) => e.nick === nick);
        if (i !== -1) list.splice(i, 1);
        if (list.length === 0) this.#rooms.delete(room);
        return;
      }
      case 'mr': {
        const [, room, from, to] = delta;
        const list = this.#rooms.get(room);
        const i = list?.findIndex((e) => e.nick === from) ?? -1;
        if (list !== undefined && i !== -1) list[i] = { nick: to, inst: list[i]!.inst };
        return;
      }
      case 'x': {
        const inst = delta[1];
        for (const [key, claim] of [...this.#nicks])
          if (claim.inst === inst) this.#deleteClaim(key);
        for (const [room, list] of [...this.#rooms]) {
          const kept = list.filter((m) => m.inst !== inst);
          if (kept.length === 0) this.#rooms.delete(room);
          else if (kept.length !== list.length) this.#rooms.set(room, kept);
        }
        return;
      }
    }
  }

  snapshot(): PresenceSnapshot {
    return {
      nicks: [...this.#nicks].map(([key, c]) => [key, c.sid, c.inst] as const),
      rooms: [...this.#rooms].map(
        ([room, list]) => [room, list.map((m) => [m.nick, m.inst] as const)] as const,
      ),
    };
  }

  /** Replaces the whole state with `snapshot`. */
  load(snapshot: PresenceSnapshot): void {
    this.#nicks.clear();
    this.#sessions.clear();
    this.#rooms.clear();
    for (const [key, sid, inst] of snapshot.nicks) this.#setClaim(key, sid, inst);
    for (const [room, list] of snapshot.rooms) {
      if (list.length > 0)
        this.#rooms.set(
          room,
          list.map(([nick, inst]) => ({ nick, inst })),
        );
    }
  }

  /** Every entry `inst` owns: its nick claims and memberships (what it re-asserts). */
  ownedBy(inst: string): {
    nicks: [key: string, sid: string][];
    members: [room: string, nick: string][];
  } {
    const nicks: [string, string][] = [];
    for (const [key, c] of this.#nicks) if (c.inst === inst) nicks.push([key, c.sid]);
    const members: [string, string][] = [];
    for (const [room, list] of this.#rooms) {
      for (const m of list) if (m.inst === inst) members.push([room, m.nick]);
    }
    return { nicks, members };
  }

  #setClaim(key: string, sid: string, inst: string): void {
    const cur = this.#nicks.get(key);
    if (cur !== undefined && cur.sid !== sid && this.#sessions.get(cur.sid) === key) {
      this.#sessions.delete(cur.sid);
    }
    this.#nicks.set(key, { sid, inst });
    this.#sessions.set(sid, key);
  }

  #deleteClaim(key: string): void {
    const cur = this.#nicks.get(key);
    if (cur === undefined) return;
    this.#nicks.delete(key);
    if (this.#sessions.get(cur.sid) === key) this.#sessions.delete(cur.sid);
  }
}
