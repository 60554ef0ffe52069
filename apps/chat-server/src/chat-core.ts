import { createHash, randomBytes } from 'node:crypto';
import type { WebSocket } from '@ws02/server';
import type { ChatAdapter, WireEvent } from './chat-adapter.js';
import { CHAT_DEFAULTS, type ChatLimits, type ChatLogger, SILENT_LOGGER } from './chat-options.js';
import {
  type ClientCommand,
  type CloseReason,
  type CommandError,
  type CommandType,
  closeBody,
  type ErrorCode,
  errorJson,
  fail,
  isCommandError,
  parseCommand,
  type Ref,
  replyJson,
  replyWithEvents,
} from './chat-protocol.js';
import { MessageIdGenerator } from './message-id.js';
import { nickKey } from './names.js';
import { TokenBucket } from './token-bucket.js';

/** What the chat reports for metrics (`ChatMetrics` implements it with prom-client). */
export interface ChatMetricsSink {
  command(type: CommandType): void;
  error(code: ErrorCode): void;
  posted(kind: 'room' | 'dm'): void;
  /** Messages written to sockets by fan-out. */
  delivered(count: number): void;
  disconnect(reason: CloseReason): void;
}

const NO_METRICS: ChatMetricsSink = {
  command() {},
  error() {},
  posted() {},
  delivered() {},
  disconnect() {},
};

/** Why a member left a room, in `leave` events. */
export type LeaveReason = 'left' | 'quit' | 'lost' | 'closed';

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly bucket: TokenBucket;
  session: Session | undefined;
  /** Commands of one connection run one after another, in arrival order. */
  chain: Promise<void>;
  helloTimer: NodeJS.Timeout | undefined;
  /** Set when the server started closing this connection, with the reason sent. */
  closeReason: CloseReason | undefined;
}

interface Session {
  /** Public within the server only: names the inbox channel `@<sid>`; the hash of the token. */
  readonly sid: string;
  /** The client's secret for resuming (given in `welcome`). */
  readonly token: string;
  nick: string;
  /** The connection using the session; undefined while held for resume. */
  conn: Connection | undefined;
  readonly rooms: Set<string>;
  /** Rooms being joined: their live events wait here until `joined` is sent. */
  readonly pending: Map<string, WireEvent[]>;
  holdTimer: NodeJS.Timeout | undefined;
}

/**
 * Encode-once fan-out of the WebSocket server (`wss.broadcast(data, filter, { binary: false })`):
 * writes `data` as one Text frame, encoded once, to every open connection `filter` keeps, and
 * returns how many it reached.
 */
export type Broadcaster = (data: Uint8Array, filter: (ws: WebSocket) => boolean) => number;

/** Rooms this big or bigger may use the server's broadcast … */
const BROADCAST_MIN_MEMBERS = 8;
/** … when they hold at least 1 / BROADCAST_SHARE of all connections. */
const BROADCAST_SHARE = 4;

export interface ChatCoreOptions {
  readonly adapter: ChatAdapter;
  /** Encode-once fan-out for big rooms; without it every member is written to one by one. */
  readonly broadcast?: Broadcaster;
  readonly limits?: Partial<ChatLimits>;
  readonly logger?: ChatLogger;
  readonly metrics?: ChatMetricsSink;
}

export interface ChatStats {
  /** Open connections. */
  readonly connections: number;
  /** Sessions with a connection (users online). */
  readonly users: number;
  /** Sessions held for resume after their connection dropped. */
  readonly held: number;
  /** Rooms with members. */
  readonly rooms: number;
}

/**
 * The chat logic: sessions, commands, validation, limits and fan-out to local connections. It
 * owns no server and no storage: connections are handed to `attach`, shared state goes through
 * the `ChatAdapter`.
 */
export class ChatCore {
  readonly limits: ChatLimits;
  readonly adapter: ChatAdapter;
  readonly #log: ChatLogger;
  readonly #metrics: ChatMetricsSink;
  readonly #ids: MessageIdGenerator;
  /** Open connections, by their WebSocket. */
  readonly #byWs = new Map<WebSocket, Connection>();
  readonly #broadcast: Broadcaster | undefined;
  readonly #sessions = new Map<string, Session>();
  /** Local members of each room: who on this instance receives the room's events. */
  readonly #local = new Map<string, Set<Session>>();
  #nextConnectionId = 1;
  #shuttingDown = false;

  constructor(options: ChatCoreOptions) {
    this.limits = { ...CHAT_DEFAULTS, ...options.limits };
    this.adapter = options.adapter;
    this.#log = options.logger ?? SILENT_LOGGER;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#ids = new MessageIdGenerator(options.adapter.instanceId);
    this.#broadcast = options.broadcast;
    this.adapter.setListener((channel, event) => this.#deliver(channel, event));
    this.adapter.setControl({
      sessionMoved: (sid) => this.#sessionMoved(sid),
      membersLost: (room, nicks) => this.#membersLost(room, nicks),
    });
  }

  stats(): ChatStats {
    let users = 0;
    for (const s of this.#sessions.values()) if (s.conn !== undefined) users++;
    return {
      connections: this.#byWs.size,
      users,
      held: this.#sessions.size - users,
      rooms: this.adapter.roomCount(),
    };
  }

  /** Takes charge of one open WebSocket connection until it closes. */
  attach(ws: WebSocket): void {
    const conn: Connection = {
      id: this.#nextConnectionId++,
      ws,
      bucket: new TokenBucket(this.limits.rate, this.limits.burst),
      session: undefined,
      chain: Promise.resolve(),
      helloTimer: undefined,
      closeReason: undefined,
    };
    this.#byWs.set(ws, conn);
    if (this.#shuttingDown) {
      this.#close(conn, 'SERVER_SHUTDOWN');
    } else if (this.limits.helloTimeout > 0) {
      conn.helloTimer = setTimeout(
        () => this.#close(conn, 'HELLO_TIMEOUT'),
        this.limits.helloTimeout,
      );
      conn.helloTimer.unref();
    }
    ws.on('message', (data, isBinary) => this.#onMessage(conn, data, isBinary));
    ws.on('close', (_body, wasClean) => {
      this.#byWs.delete(ws);
      if (conn.helloTimer !== undefined) clearTimeout(conn.helloTimer);
      const reason: LeaveReason =
        conn.closeReason !== undefined ? 'closed' : wasClean ? 'quit' : 'lost';
      this.#log.debug({ event: 'disconnect', conn: conn.id, reason }, 'connection closed');
      this.#enqueue(conn, () => this.#detach(conn, reason));
    });
    this.#log.debug(
      { event: 'connect', conn: conn.id, remoteAddress: ws.remoteAddress },
      'connection open',
    );
  }

  /**
   * Starts shutting down: every connection gets a Close with `SERVER_SHUTDOWN`, held sessions
   * are released, and connections attached from now on are closed at once. The caller waits
   * for the closing handshakes (the WebSocket server's `close()`).
   */
  shutdown(): void {
    this.#shuttingDown = true;
    for (const conn of this.#byWs.values()) this.#close(conn, 'SERVER_SHUTDOWN');
    for (const session of [...this.#sessions.values()]) {
      if (session.conn === undefined) this.#expire(session);
    }
  }

  // --- incoming ---

  #onMessage(conn: Connection, data: string | Buffer, isBinary: boolean): void {
    if (conn.closeReason !== undefined) return;
    const size =
      typeof data === 'string' ? utf8Length(data, this.limits.maxMessageBytes) : data.length;
    if (size > this.limits.maxMessageBytes) {
      this.#close(conn, 'MESSAGE_TOO_LARGE');
      return;
    }
    const verdict = conn.bucket.take();
    if (verdict === 'abuse') {
      this.#close(conn, 'RATE_LIMITED');
      return;
    }
    if (isBinary || typeof data !== 'string') {
      this.#enqueue(conn, () =>
        this.#sendError(conn, fail('NOT_TEXT', 'send JSON in Text messages, not Binary')),
      );
      return;
    }
    const command = parseCommand(data, this.limits);
    if (verdict === 'limited') {
      const ref = command.ref;
      const type = isCommandError(command) ? command.for : command.type;
      this.#enqueue(conn, () =>
        this.#sendError(
          conn,
          fail(
            'RATE_LIMITED',
            `more than ${this.limits.rate} messages per second (burst ${this.limits.burst}): message dropped`,
            ref,
            type,
          ),
        ),
      );
      return;
    }
    if (isCommandError(command)) {
      this.#enqueue(conn, () => this.#sendError(conn, command));
      return;
    }
    this.#metrics.command(command.type);
    this.#enqueue(conn, () => this.#execute(conn, command), command.ref, command.type);
  }

  /** Runs `task` after the connection's earlier commands; a failure answers INTERNAL. */
  #enqueue(
    conn: Connection,
    task: () => void | Promise<void>,
    ref?: Ref,
    type?: CommandType,
  ): void {
    conn.chain = conn.chain.then(task).catch((err: unknown) => {
      this.#log.error(
        { event: 'internal-error', conn: conn.id, command: type, err: errorText(err) },
        'command failed',
      );
      this.#sendError(
        conn,
        fail('INTERNAL', 'the server failed to carry out the command', ref, type),
      );
    });
  }

  async #execute(conn: Connection, command: ClientCommand): Promise<void> {
    if (command.type === 'ping') {
      this.#send(conn, replyJson('pong', command.ref, { ts: Date.now() }));
      return;
    }
    const session = conn.session;
    if (command.type === 'hello') {
      if (session !== undefined) {
        this.#sendError(
          conn,
          fail(
            'ALREADY_HELLO',
            'hello was already accepted; use `nick` to rename',
            command.ref,
            'hello',
          ),
        );
        return;
      }
      await this.#hello(conn, command);
      return;
    }
    if (session === undefined || session.conn !== conn) {
      this.#sendError(
        conn,
        fail('HELLO_REQUIRED', 'send `hello` first', command.ref, command.type),
      );
      return;
    }
    switch (command.type) {
      case 'nick':
        return this.#nick(conn, session, command.nick, command.ref);
      case 'join':
        return this.#join(conn, session, command.room, command.since, command.ref);
      case 'leave':
        return this.#leave(conn, session, command.room, command.ref);
      case 'post':
        return this.#post(conn, session, command.room, command.text, command.ref);
      case 'dm':
        return this.#dm(conn, session, command.to, command.text, command.ref);
      case 'rooms':
        this.#send(conn, replyJson('rooms', command.ref, { rooms: this.adapter.rooms() }));
        return;
      case 'who': {
        const members = this.adapter.members(command.room);
        if (members.length === 0) {
          this.#sendError(
            conn,
            fail('NO_SUCH_ROOM', `#${command.room} has no members`, command.ref, 'who'),
          );
          return;
        }
        this.#send(conn, replyJson('who', command.ref, { room: command.room, members }));
        return;
      }
    }
  }

  // --- commands ---

  async #hello(
    conn: Connection,
    command: Extract<ClientCommand, { type: 'hello' }>,
  ): Promise<void> {
    const token = command.token ?? newToken();
    const sid = sessionIdOf(token);
    let session = this.#sessions.get(sid);
    let resumed = false;
    if (session !== undefined) {
      // Resume: the same token, within the resume window or over a connection the server has
      // not noticed is dead yet. The session keeps its nick (welcome says which).
      resumed = true;
      if (session.holdTimer !== undefined) {
        clearTimeout(session.holdTimer);
        session.holdTimer = undefined;
      }
      const old = session.conn;
      if (old !== undefined && old !== conn) {
        old.session = undefined;
        this.#close(old, 'REPLACED');
      }
    } else {
      const key = nickKey(command.nick);
      const owner = this.adapter.nickOwner(key);
      if (owner !== undefined && owner !== sid) {
        this.#sendError(conn, nickTaken(command.nick, command.ref, 'hello'));
        return;
      }
      if (!(await this.adapter.claimNick(key, sid))) {
        this.#sendError(conn, nickTaken(command.nick, command.ref, 'hello'));
        return;
      }
      // Held by this token elsewhere (another instance) counts as a resume too.
      resumed = owner === sid;
      session = {
        sid,
        token,
        nick: command.nick,
        conn: undefined,
        rooms: new Set(),
        pending: new Map(),
        holdTimer: undefined,
      };
      this.#sessions.set(sid, session);
    }
    if (conn.closeReason !== undefined) {
      // The connection closed while the nick was being claimed: hold the session as if it
      // dropped right after hello, so a reconnect can resume it.
      this.#hold(session);
      return;
    }
    session.conn = conn;
    conn.session = session;
    if (conn.helloTimer !== undefined) {
      clearTimeout(conn.helloTimer);
      conn.helloTimer = undefined;
    }
    const inbox = `@${sid}`;
    await this.adapter.subscribe(inbox);
    const dms =
      command.since !== undefined
        ? await this.adapter.readHistory(inbox, command.since, this.limits.historySize)
        : { events: [], truncated: false };
    if (session.conn !== conn) return;
    const l = this.limits;
    this.#send(
      conn,
      replyWithEvents(
        'welcome',
        command.ref,
        {
          nick: session.nick,
          token,
          resumed,
          instance: this.adapter.instanceId,
          cursor: this.#ids.next().id,
          serverTime: Date.now(),
          limits: {
            maxTextLength: l.maxTextLength,
            maxMessageBytes: l.maxMessageBytes,
            rate: l.rate,
            burst: l.burst,
            historySize: l.historySize,
            maxRoomsPerUser: l.maxRoomsPerUser,
            maxNickLength: l.maxNickLength,
            maxRoomNameLength: l.maxRoomNameLength,
          },
          dmsTruncated: dms.truncated,
        },
        'dms',
        dms.events,
      ),
    );
    this.#log.debug(
      { event: 'hello', conn: conn.id, resumed, rooms: command.rooms.length },
      'session started',
    );
    // Rooms the session is still in (a resume over a live connection), then the asked ones.
    const rooms = [...session.rooms, ...command.rooms.filter((r) => !session.rooms.has(r))];
    for (const room of rooms) {
      if (session.conn !== conn) return;
      await this.#join(conn, session, room, command.since, command.ref);
    }
  }

  async #join(
    conn: Connection,
    session: Session,
    room: string,
    since: string | undefined,
    ref: Ref,
  ): Promise<void> {
    const rejoin = session.rooms.has(room);
    if (!rejoin) {
      if (session.rooms.size >= this.limits.maxRoomsPerUser) {
        this.#sendError(
          conn,
          fail(
            'TOO_MANY_ROOMS',
            `you are in ${session.rooms.size} rooms, the maximum; leave one first`,
            ref,
            'join',
          ),
        );
        return;
      }
      const members = this.adapter.members(room);
      if (members.length === 0 && this.adapter.roomCount() >= this.limits.maxRooms) {
        this.#sendError(
          conn,
          fail(
            'ROOM_LIMIT',
            `the server has ${this.limits.maxRooms} rooms, its maximum`,
            ref,
            'join',
          ),
        );
        return;
      }
      if (members.length >= this.limits.maxRoomMembers) {
        this.#sendError(
          conn,
          fail('ROOM_FULL', `#${room} has ${members.length} members, its maximum`, ref, 'join'),
        );
        return;
      }
    }
    // Live events of the room wait until `joined` (with the history) has been sent.
    const pending: WireEvent[] = [];
    session.pending.set(room, pending);
    if (!rejoin) {
      session.rooms.add(room);
      let local = this.#local.get(room);
      if (local === undefined) {
        local = new Set();
        this.#local.set(room, local);
        await this.adapter.subscribe(room);
      }
      local.add(session);
      // Already listed: the session was resumed here from another instance and takes its
      // membership over; the room never saw it leave, so it sees no join either.
      const present = this.adapter.members(room).includes(session.nick);
      await this.adapter.addMember(room, session.nick);
      if (!present) await this.#publish(room, 'join', { room, nick: session.nick });
    }
    const page = await this.adapter.readHistory(room, since, this.limits.historySize);
    if (session.conn !== conn || session.pending.get(room) !== pending) return;
    session.pending.delete(room);
    this.#send(
      conn,
      replyWithEvents(
        'joined',
        ref,
        { room, members: this.adapter.members(room), truncated: page.truncated },
        'history',
        page.events,
      ),
    );
    if (pending.length > 0) {
      const inHistory = new Set(page.events.map((e) => e.id));
      for (const event of pending) if (!inHistory.has(event.id)) this.#send(conn, event.json);
    }
    this.#log.debug({ event: 'join', conn: conn.id, room }, 'joined room');
  }

  async #leave(conn: Connection, session: Session, room: string, ref: Ref): Promise<void> {
    if (!session.rooms.has(room)) {
      this.#sendError(conn, fail('NOT_IN_ROOM', `you are not in #${room}`, ref, 'leave'));
      return;
    }
    await this.#publish(room, 'leave', { room, nick: session.nick, reason: 'left' });
    await this.#removeFromRoom(session, room);
    this.#send(conn, replyJson('left', ref, { room }));
  }

  async #post(conn: Connection, session: Session, room: string, text: string, ref: Ref) {
    if (!session.rooms.has(room)) {
      this.#sendError(conn, fail('NOT_IN_ROOM', `join #${room} before posting to it`, ref, 'post'));
      return;
    }
    const { id, ts } = this.#ids.next();
    const event: WireEvent = {
      id,
      json: JSON.stringify({ type: 'message', id, ts, room, from: session.nick, text }),
    };
    await this.adapter.appendHistory(room, event);
    await this.adapter.publish(room, event);
    this.#metrics.posted('room');
    this.#send(conn, replyJson('ok', ref, { for: 'post', id, ts, room }));
  }

  async #dm(conn: Connection, session: Session, to: string, text: string, ref: Ref) {
    const owner = this.adapter.nickOwner(nickKey(to));
    if (owner === undefined) {
      this.#sendError(conn, fail('NO_SUCH_NICK', `no one is called ${to}`, ref, 'dm'));
      return;
    }
    const recipient = this.#sessions.get(owner)?.nick ?? to;
    const { id, ts } = this.#ids.next();
    const event: WireEvent = {
      id,
      json: JSON.stringify({ type: 'dm', id, ts, from: session.nick, to: recipient, text }),
    };
    // The recipient's inbox keeps it for a resume: a reconnecting client misses nothing.
    await this.adapter.appendHistory(`@${owner}`, event);
    await this.adapter.publish(`@${owner}`, event);
    this.#metrics.posted('dm');
    this.#send(conn, replyJson('ok', ref, { for: 'dm', id, ts, to: recipient }));
  }

  async #nick(conn: Connection, session: Session, nick: string, ref: Ref): Promise<void> {
    const old = session.nick;
    if (nick !== old) {
      const oldKey = nickKey(old);
      const newKey = nickKey(nick);
      if (newKey !== oldKey && !(await this.adapter.claimNick(newKey, session.sid))) {
        this.#sendError(conn, nickTaken(nick, ref, 'nick'));
        return;
      }
      if (session.conn !== conn) return;
      session.nick = nick;
      for (const room of session.rooms) {
        await this.adapter.renameMember(room, old, nick);
        await this.#publish(room, 'nick', { room, from: old, to: nick });
      }
      if (newKey !== oldKey) await this.adapter.releaseNick(oldKey, session.sid);
    }
    this.#send(conn, replyJson('ok', ref, { for: 'nick', nick }));
  }

  // --- sessions ---

  /** The connection is gone: its session leaves its rooms and is held for a resume. */
  async #detach(conn: Connection, reason: LeaveReason): Promise<void> {
    const session = conn.session;
    conn.session = undefined;
    if (session === undefined || session.conn !== conn) return;
    session.conn = undefined;
    session.pending.clear();
    for (const room of [...session.rooms]) {
      if (!this.#shuttingDown) {
        await this.#publish(room, 'leave', { room, nick: session.nick, reason });
      }
      await this.#removeFromRoom(session, room);
    }
    await this.adapter.unsubscribe(`@${session.sid}`);
    this.#hold(session);
  }

  #hold(session: Session): void {
    if (this.#shuttingDown || this.limits.resumeWindow <= 0) {
      this.#expire(session);
      return;
    }
    session.holdTimer = setTimeout(() => this.#expire(session), this.limits.resumeWindow);
    session.holdTimer.unref();
  }

  /** The resume window passed (or the server stops): the nick and the inbox are released. */
  #expire(session: Session): void {
    if (session.holdTimer !== undefined) clearTimeout(session.holdTimer);
    session.holdTimer = undefined;
    if (session.conn !== undefined || this.#sessions.get(session.sid) !== session) return;
    this.#sessions.delete(session.sid);
    void this.adapter.releaseNick(nickKey(session.nick), session.sid);
    void this.adapter.dropHistory(`@${session.sid}`);
  }

  /**
   * The adapter says the session was resumed on another instance: forget it here without a
   * trace for the rooms (no `leave`: the session lives on there) and without releasing its nick
   * or inbox, which belong to the other instance now. A live connection is closed with
   * `REPLACED`, as for a takeover within one instance.
   */
  #sessionMoved(sid: string): void {
    const session = this.#sessions.get(sid);
    if (session === undefined) return;
    const run = async () => {
      if (this.#sessions.get(sid) !== session) return;
      this.#sessions.delete(sid);
      if (session.holdTimer !== undefined) clearTimeout(session.holdTimer);
      session.holdTimer = undefined;
      const conn = session.conn;
      session.conn = undefined;
      session.pending.clear();
      if (conn !== undefined) {
        conn.session = undefined;
        this.#close(conn, 'REPLACED');
      }
      this.#log.debug({ event: 'session-moved', conn: conn?.id }, 'session resumed elsewhere');
      for (const room of [...session.rooms]) await this.#removeFromRoom(session, room);
      await this.adapter.unsubscribe(`@${sid}`);
    };
    const conn = session.conn;
    if (conn !== undefined) {
      // After the connection's commands in flight, like any other change to its session.
      this.#enqueue(conn, run);
    } else {
      run().catch((err: unknown) =>
        this.#log.error({ event: 'internal-error', err: errorText(err) }, 'session move failed'),
      );
    }
  }

  /** Members of a dead instance were removed from `room`: the room hears they are gone. */
  #membersLost(room: string, nicks: readonly string[]): void {
    for (const nick of nicks) {
      this.#publish(room, 'leave', { room, nick, reason: 'lost' }).catch((err: unknown) =>
        this.#log.error({ event: 'internal-error', err: errorText(err) }, 'leave failed'),
      );
    }
  }

  async #removeFromRoom(session: Session, room: string): Promise<void> {
    session.rooms.delete(room);
    session.pending.delete(room);
    const local = this.#local.get(room);
    if (local !== undefined) {
      local.delete(session);
      if (local.size === 0) {
        this.#local.delete(room);
        await this.adapter.unsubscribe(room);
      }
    }
    await this.adapter.removeMember(room, session.nick);
  }

  // --- outgoing ---

  /** A presence event (`join`, `leave`, `nick`): published, not kept in history. */
  #publish(room: string, type: 'join' | 'leave' | 'nick', fields: object): Promise<void> {
    const { id, ts } = this.#ids.next();
    return this.adapter.publish(room, { id, json: JSON.stringify({ type, id, ts, ...fields }) });
  }

  /** The adapter's listener: an event of a subscribed channel, for the local members. */
  #deliver(channel: string, event: WireEvent): void {
    if (channel.startsWith('@')) {
      const conn = this.#sessions.get(channel.slice(1))?.conn;
      if (conn !== undefined && this.#send(conn, event.json)) this.#metrics.delivered(1);
      return;
    }
    const local = this.#local.get(channel);
    if (local === undefined || local.size === 0) return;
    const bytes = local.size > 1 ? Buffer.from(event.json, 'utf8') : undefined;
    const broadcast = this.#broadcast;
    if (
      bytes !== undefined &&
      broadcast !== undefined &&
      local.size >= BROADCAST_MIN_MEMBERS &&
      local.size * BROADCAST_SHARE >= this.#byWs.size
    ) {
      // A room holding a good share of all connections: the server's broadcast encodes the
      // frame once and writes the same bytes to every member (measured: about 20 % less CPU
      // than framing per member, bench/index.ts). It walks every connection, so it only pays
      // off when many of them are in the room.
      const count = broadcast(bytes, (ws) => {
        const conn = this.#byWs.get(ws);
        const session = conn?.session;
        if (session === undefined || session.conn !== conn || !local.has(session)) return false;
        const pending = session.pending.get(channel);
        if (pending === undefined) return true;
        pending.push(event);
        return false;
      });
      this.#metrics.delivered(count);
      return;
    }
    // Otherwise member by member; the UTF-8 is still encoded once for the whole room.
    let count = 0;
    for (const session of local) {
      const conn = session.conn;
      if (conn === undefined) continue;
      const pending = session.pending.get(channel);
      if (pending !== undefined) {
        pending.push(event);
        continue;
      }
      const sent =
        bytes !== undefined ? conn.ws.send(bytes, { binary: false }) : conn.ws.send(event.json);
      if (sent) count++;
    }
    this.#metrics.delivered(count);
  }

  #send(conn: Connection, json: string): boolean {
    return conn.ws.send(json);
  }

  #sendError(conn: Connection, error: CommandError): void {
    this.#metrics.error(error.code);
    this.#send(conn, errorJson(error));
  }

  /** Closes a connection with a reason (section 7 closing handshake; the body says why). */
  #close(conn: Connection, reason: CloseReason): void {
    if (conn.closeReason !== undefined) return;
    conn.closeReason = reason;
    this.#metrics.disconnect(reason);
    const level = reason === 'RATE_LIMITED' || reason === 'MESSAGE_TOO_LARGE' ? 'warn' : 'debug';
    this.#log[level](
      { event: 'close', conn: conn.id, reason, remoteAddress: conn.ws.remoteAddress },
      'closing connection',
    );
    conn.ws.close(closeBody(reason));
  }
}

function nickTaken(nick: string, ref: Ref, type: CommandType): CommandError {
  return fail('NICK_TAKEN', `${nick} is taken`, ref, type);
}

/** A new session token: 256 random bits, base64url. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The session id a token stands for (the token itself never leaves the session). */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** UTF-8 length of `text`, exact up to `limit` (beyond it, any value > limit). */
function utf8Length(text: string, limit: number): number {
  if (text.length > limit) return text.length; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= limit) return text.length; // at most three bytes per unit
  return Buffer.byteLength(text, 'utf8');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
