import type { ChatLogger } from './chat-options.js';
import { SILENT_LOGGER } from './chat-options.js';
import { type IpcPort, isBatch, Outbox, type ToPrimary, type ToWorker } from './cluster-ipc.js';
import { HistoryStore } from './history-store.js';
import { HELD, Presence, type PresenceDelta } from './presence.js';

export interface ClusterRouterOptions {
  /** History entries kept per channel. Default 100. */
  readonly historySize?: number;
  /** Total JSON characters of history kept. Default 64 Mi. */
  readonly maxHistoryChars?: number;
  /** How long the nick of a dead worker's session stays held for a resume elsewhere (ms). */
  readonly resumeWindow?: number;
  readonly logger?: ChatLogger;
}

interface Link {
  readonly key: number;
  readonly port: IpcPort;
  readonly out: Outbox<ToWorker>;
  /** The worker adapter's instance id, once it said `hi`. */
  inst: string | undefined;
  readonly channels: Set<string>;
  readonly onMessage: (message: unknown) => void;
}

/**
 * The cluster primary's side of `ClusterAdapter`: a router and the cluster's authority.
 *
 * - routes each published event to the workers subscribed to its channel, never to the
 *   publisher (which delivered locally) nor to workers without members in the room;
 * - keeps the cluster's history (one `HistoryStore`), so any worker can answer a resume;
 * - holds the authoritative presence (`Presence`): nick claims are decided here, atomically;
 *   every change is sent to the other workers' replicas as deltas;
 * - when a worker dies: its memberships are removed and announced (`lost`, to one worker per
 *   room, which publishes the `leave` events), and its sessions' nicks are held for the resume
 *   window, so their users can resume on the surviving workers.
 */
export class ClusterRouter {
  readonly #links = new Map<number, Link>();
  readonly #byInst = new Map<string, Link>();
  readonly #subs = new Map<string, Set<Link>>();
  readonly #history: HistoryStore;
  readonly #presence = new Presence();
  readonly #held = new Map<string, NodeJS.Timeout>();
  readonly #resumeWindow: number;
  readonly #log: ChatLogger;

  constructor(options: ClusterRouterOptions = {}) {
    this.#history = new HistoryStore({
      historySize: options.historySize ?? 100,
      ...(options.maxHistoryChars !== undefined ? { maxChars: options.maxHistoryChars } : {}),
    });
    this.#resumeWindow = options.resumeWindow ?? 60_000;
    this.#log = options.logger ?? SILENT_LOGGER;
  }

  /** Starts serving the worker behind `port` (`key`: e.g. its cluster worker id). */
  attach(key: number, port: IpcPort): void {
    const link: Link = {
      key,
      port,
      out: new Outbox<ToWorker>(port),
      inst: undefined,
      channels: new Set(),
      onMessage: (message: unknown) => {
        if (!isBatch<ToPrimary>(message)) return;
        for (const m of message.chat) this.#receive(link, m);
      },
    };
    this.#links.set(key, link);
    port.on('message', link.onMessage);
  }

  /**
   * The worker is gone. `crashed`: it died without closing its adapter — its members are
   * announced lost and its nicks held for a resume elsewhere.
   */
  detach(key: number, crashed: boolean): void {
    const link = this.#links.get(key);
    if (link === undefined) return;
    this.#links.delete(key);
    link.port.off('message', link.onMessage);
    link.out.close();
    for (const channel of link.channels) this.#unsubscribe(link, channel);
    if (link.inst === undefined) return;
    this.#byInst.delete(link.inst);
    if (!crashed) {
      this.#drop(link.inst);
      return;
    }
    const { deltas, lost, held } = this.#presence.dropInstance(link.inst);
    this.#broadcast(deltas, undefined);
    for (const [nickKey, sid] of held) this.#hold(nickKey, sid);
    for (const [room, nicks] of lost) {
      // One worker with members in the room announces the departures to everyone.
      const teller = this.#subs.get(room)?.values().next().value;
      teller?.out.push(['lost', room, nicks]);
    }
    this.#log.warn(
      {
        event: 'worker-lost',
        instance: link.inst,
        rooms: lost.size,
        members: [...lost.values()].reduce((n, l) => n + l.length, 0),
        heldNicks: held.length,
      },
      'worker died: its members left their rooms, its nicks are held for resumes',
    );
  }

  /** Stops the held-nick timers (the primary is exiting). */
  close(): void {
    for (const timer of this.#held.values()) clearTimeout(timer);
    this.#held.clear();
    for (const key of [...this.#links.keys()]) this.detach(key, false);
  }

  /** For tests and /healthz-like checks: workers attached, channels routed. */
  stats(): { workers: number; channels: number } {
    return { workers: this.#links.size, channels: this.#subs.size };
  }

  #receive(link: Link, m: ToPrimary): void {
    switch (m[0]) {
      case 'p': {
        const [, channel, id, json, hist] = m;
        if (hist === 1) this.#history.append(channel, { id, json });
        const subs = this.#subs.get(channel);
        if (subs !== undefined) {
          for (const other of subs) if (other !== link) other.out.push(['e', channel, id, json]);
        }
        return;
      }
      case 'h':
        this.#history.append(m[1], { id: m[2], json: m[3] });
        return;
      case 's': {
        let subs = this.#subs.get(m[1]);
        if (subs === undefined) {
          subs = new Set();
          this.#subs.set(m[1], subs);
        }
        subs.add(link);
        link.channels.add(m[1]);
        return;
      }
      case 'u':
        this.#unsubscribe(link, m[1]);
        link.channels.delete(m[1]);
        return;
      case 'read': {
        const [, n, channel, afterId, limit] = m;
        const page = this.#history.read(channel, afterId ?? undefined, limit);
        link.out.push(['r', n, page.events.map((e) => [e.id, e.json] as const), page.truncated]);
        return;
      }
      case 'hd': {
        // A DM inbox stays while its session holds a nick anywhere (it moved to another worker).
        const channel = m[1];
        if (channel.startsWith('@') && this.#presence.hasSession(channel.slice(1))) return;
        this.#history.drop(channel);
        return;
      }
      case 'claim': {
        const [, n, key, sid] = m;
        const inst = link.inst ?? '';
        const result = this.#presence.claim(key, sid, inst);
        if (result.delta !== undefined) {
          this.#unhold(key);
          this.#broadcast([result.delta], link);
        }
        if (result.movedFrom !== undefined)
          this.#byInst.get(result.movedFrom)?.out.push(['moved', sid]);
        link.out.push(['r', n, result.ok]);
        return;
      }
      case 'nr':
        this.#changed(this.#presence.release(m[1], m[2], link.inst ?? ''), link);
        return;
      case 'ma':
        this.#changed(this.#presence.add(m[1], m[2], link.inst ?? ''), link);
        return;
      case 'mr':
        this.#changed(this.#presence.remove(m[1], m[2], link.inst ?? ''), link);
        return;
      case 'mn':
        this.#changed(this.#presence.rename(m[1], m[2], m[3], link.inst ?? ''), link);
        return;
      case 'hi':
        link.inst = m[1];
        this.#byInst.set(m[1], link);
        link.out.push(['snap', this.#presence.snapshot()]);
        return;
      case 'bye':
        if (link.inst !== undefined) this.#drop(link.inst);
        return;
    }
  }

  #changed(delta: PresenceDelta | undefined, from: Link): void {
    if (delta !== undefined) this.#broadcast([delta], from);
  }

  /** Sends deltas to every worker's replica except `except` (which applied them itself). */
  #broadcast(deltas: readonly PresenceDelta[], except: Link | undefined): void {
    if (deltas.length === 0) return;
    for (const link of this.#links.values()) {
      if (link !== except && link.inst !== undefined) link.out.push(['d', deltas]);
    }
  }

  /** Everything `inst` still owns goes, without announcements (a graceful goodbye). */
  #drop(inst: string): void {
    const owned = this.#presence.ownedBy(inst);
    if (owned.nicks.length + owned.members.length > 0) {
      this.#presence.apply(['x', inst]);
      this.#broadcast([['x', inst]], undefined);
    }
  }

  #unsubscribe(link: Link, channel: string): void {
    const subs = this.#subs.get(channel);
    if (subs === undefined) return;
    subs.delete(link);
    if (subs.size === 0) this.#subs.delete(channel);
  }

  /** A dead worker's session keeps its nick for the resume window, then it is released. */
  #hold(key: string, sid: string): void {
    this.#unhold(key);
    const timer = setTimeout(() => {
      this.#held.delete(key);
      const delta = this.#presence.release(key, sid, HELD);
      if (delta !== undefined) {
        this.#broadcast([delta], undefined);
        this.#history.drop(`@${sid}`);
      }
    }, this.#resumeWindow);
    timer.unref();
    this.#held.set(key, timer);
  }

  #unhold(key: string): void {
    const timer = this.#held.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#held.delete(key);
    }
  }
}
