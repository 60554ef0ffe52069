import type {
  AdapterControl,
  ChannelListener,
  ChatAdapter,
  HistoryPage,
  RoomSummary,
  WireEvent,
} from './chat-adapter.js';
import type { ChatLogger } from './chat-options.js';
import { SILENT_LOGGER } from './chat-options.js';
import { type IpcPort, isBatch, Outbox, type ToPrimary, type ToWorker } from './cluster-ipc.js';
import { newInstanceId } from './message-id.js';
import { Presence } from './presence.js';

export interface ClusterAdapterOptions {
  /** This worker's id, part of every message id it makes. Default: random. */
  readonly instanceId?: string;
  /** The IPC channel to the primary. Default: `process` (this is a node:cluster worker). */
  readonly port?: IpcPort;
  /** How long a request to the primary (nick claim, history read) may take. Default 10 s. */
  readonly requestTimeout?: number;
  readonly logger?: ChatLogger;
}

interface Pending {
  resolve(value: ToWorker): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The adapter of a node:cluster worker: several processes of one machine, no external service.
 * The primary (`ClusterRouter`) is the router and the authority:
 *
 * - **fan-out** per channel: a worker subscribes to a room's channel while it has members in
 *   the room; the primary forwards a published event only to the other workers subscribed to
 *   it, and the publishing worker delivers to its own members at once (local delivery never
 *   waits on IPC);
 * - **history** lives in the primary, once for the cluster: a resume that lands on another
 *   worker reads the same history, and memory does not grow with the number of workers. An
 *   append travels with its publish in one message;
 * - **presence**: the primary holds the authoritative nick claims and member lists; each
 *   worker keeps a replica (a snapshot when it starts, then the primary's deltas), so the
 *   queries are local and never wait. Nick claims are the one request/response: the primary
 *   decides, atomically for the whole cluster.
 *
 * Ordering: the primary handles one worker's messages in the order sent, so `subscribe` needs
 * no round trip — a history read sent after it is answered after the subscription took
 * effect, and an event published in between is either in that history or delivered live.
 */
export class ClusterAdapter implements ChatAdapter {
  readonly instanceId: string;
  readonly #port: IpcPort;
  readonly #out: Outbox<ToPrimary>;
  readonly #timeout: number;
  readonly #log: ChatLogger;
  readonly #presence = new Presence();
  readonly #subscribed = new Set<string>();
  readonly #pending = new Map<number, Pending>();
  #nextRequest = 1;
  #listener: ChannelListener = () => {};
  #control: AdapterControl | undefined;
  #ready: Promise<void> | undefined;
  #onSnapshot: (() => void) | undefined;
  #closed = false;
  readonly #onMessage = (message: unknown) => {
    if (!isBatch<ToWorker>(message)) return;
    for (const m of message.chat) this.#receive(m);
  };

  constructor(options: ClusterAdapterOptions = {}) {
    this.instanceId = options.instanceId ?? newInstanceId();
    this.#port = options.port ?? processPort();
    this.#out = new Outbox(this.#port);
    this.#timeout = options.requestTimeout ?? 10_000;
    this.#log = options.logger ?? SILENT_LOGGER;
    this.#port.on('message', this.#onMessage);
  }

  /** Introduces this worker to the primary and waits for the presence snapshot. */
  connect(): Promise<void> {
    this.#ready ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the cluster primary sent no presence snapshot')),
        this.#timeout,
      );
      this.#onSnapshot = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#out.push(['hi', this.instanceId]);
    });
    return this.#ready;
  }

  setListener(listener: ChannelListener): void {
    this.#listener = listener;
  }

  setControl(control: AdapterControl): void {
    this.#control = control;
  }

  // --- fan-out ---

  publish(channel: string, event: WireEvent): Promise<void> {
    if (this.#subscribed.has(channel)) this.#listener(channel, event);
    const last = this.#out.last();
    if (last !== undefined && last[0] === 'h' && last[1] === channel && last[2] === event.id) {
      // The append just queued for this very event travels with it: one message, not two.
      this.#out.replaceLast(['p', channel, event.id, event.json, 1]);
    } else {
      this.#out.push(['p', channel, event.id, event.json, 0]);
    }
    return Promise.resolve();
  }

  subscribe(channel: string): Promise<void> {
    if (!this.#subscribed.has(channel)) {
      this.#subscribed.add(channel);
      this.#out.push(['s', channel]);
    }
    return Promise.resolve();
  }

  unsubscribe(channel: string): Promise<void> {
    if (this.#subscribed.delete(channel)) this.#out.push(['u', channel]);
    return Promise.resolve();
  }

  // --- history (kept by the primary) ---

  appendHistory(channel: string, event: WireEvent): Promise<void> {
    this.#out.push(['h', channel, event.id, event.json]);
    return Promise.resolve();
  }

  async readHistory(
    channel: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<HistoryPage> {
    const reply = await this.#request((n) => ['read', n, channel, afterId ?? null, limit]);
    const events = reply[2] as readonly (readonly [string, string])[];
    return {
      events: events.map(([id, json]) => ({ id, json })),
      truncated: reply[3] as boolean,
    };
  }

  dropHistory(channel: string): Promise<void> {
    this.#out.push(['hd', channel]);
    return Promise.resolve();
  }

  // --- presence ---

  async claimNick(nickKey: string, owner: string): Promise<boolean> {
    const local = this.#presence.claimOf(nickKey);
    if (local !== undefined && local.sid !== owner) return false;
    if (local !== undefined && local.inst === this.instanceId) return true;
    const reply = await this.#request((n) => ['claim', n, nickKey, owner]);
    if (reply[2] !== true) return false;
    this.#presence.claim(nickKey, owner, this.instanceId);
    return true;
  }

  releaseNick(nickKey: string, owner: string): Promise<void> {
    this.#presence.release(nickKey, owner, this.instanceId);
    this.#out.push(['nr', nickKey, owner]);
    return Promise.resolve();
  }

  nickOwner(nickKey: string): string | undefined {
    return this.#presence.owner(nickKey);
  }

  addMember(room: string, nick: string): Promise<void> {
    this.#presence.add(room, nick, this.instanceId);
    this.#out.push(['ma', room, nick]);
    return Promise.resolve();
  }

  removeMember(room: string, nick: string): Promise<void> {
    this.#presence.remove(room, nick, this.instanceId);
    this.#out.push(['mr', room, nick]);
    return Promise.resolve();
  }

  renameMember(room: string, from: string, to: string): Promise<void> {
    this.#presence.rename(room, from, to, this.instanceId);
    this.#out.push(['mn', room, from, to]);
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

  /** Says goodbye to the primary (which drops what this worker still owned) and detaches. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#out.push(['bye']);
      this.#out.close();
      this.#port.off('message', this.#onMessage);
      this.#subscribed.clear();
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('the cluster adapter is closed'));
      }
      this.#pending.clear();
    }
    return Promise.resolve();
  }

  // --- internals ---

  #request(make: (n: number) => ToPrimary): Promise<ToWorker> {
    if (this.#closed) return Promise.reject(new Error('the cluster adapter is closed'));
    const n = this.#nextRequest++;
    return new Promise<ToWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(n);
        reject(new Error(`the cluster primary did not answer within ${this.#timeout} ms`));
      }, this.#timeout);
      this.#pending.set(n, { resolve, reject, timer });
      this.#out.push(make(n));
    });
  }

  #receive(m: ToWorker): void {
    switch (m[0]) {
      case 'e':
        // Only subscribed channels reach this worker; one unsubscribed a moment ago may still
        // have an event in flight.
        if (this.#subscribed.has(m[1])) this.#listener(m[1], { id: m[2], json: m[3] });
        return;
      case 'd':
        for (const delta of m[1]) this.#presence.apply(delta);
        return;
      case 'r': {
        const p = this.#pending.get(m[1]);
        if (p !== undefined) {
          this.#pending.delete(m[1]);
          clearTimeout(p.timer);
          p.resolve(m);
        }
        return;
      }
      case 'snap':
        this.#presence.load(m[1]);
        this.#onSnapshot?.();
        this.#onSnapshot = undefined;
        return;
      case 'moved':
        this.#log.debug({ event: 'session-moved' }, 'a session moved to another worker');
        this.#control?.sessionMoved(m[1]);
        return;
      case 'lost':
        this.#control?.membersLost(m[1], m[2]);
        return;
    }
  }
}

/** This process's IPC channel to the cluster primary. */
function processPort(): IpcPort {
  if (typeof process.send !== 'function') {
    throw new Error('ClusterAdapter needs an IPC channel: run it in a node:cluster worker');
  }
  return {
    send: (message, callback) => process.send!(message, undefined, undefined, callback),
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  };
}
