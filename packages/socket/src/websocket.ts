import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  type ConnectionEvent,
  FrameConnection,
  type FrameConnectionOptions,
  Opcode,
} from '@ws02/frame';
import type { Ws02Error } from '@ws02/url';
import { type ConnectionCounters, countError } from './connection-counters.js';
import type { FlushScheduler } from './flush-policy.js';
import { iterateMessages } from './message-iterator.js';
import { SocketError } from './socket-error.js';
import { SocketWriter } from './socket-writer.js';
import {
  allocateMovable,
  type DeliveredEvent,
  type TextOffload,
  TextOffloadQueue,
} from './text-offload.js';

/** Data a message carries: text as a string, binary as a Buffer (a view, not a copy). */
export type MessageData = string | Buffer;

/** One message as the async iterator yields it. */
export interface WebSocketMessage {
  readonly data: MessageData;
  readonly isBinary: boolean;
}

export type SendData = string | Uint8Array | ArrayBuffer | ArrayBufferView;

export interface SendOptions {
  /** Force the frame type: binary (opcode 5) or text (opcode 4). Default: by the data's type. */
  readonly binary?: boolean;
}

type SendCallback = (error?: Error) => void;

/** The events of a connection, typed (Node's generic EventEmitter). */
export interface WebSocketConnectionEvents {
  message: [data: MessageData, isBinary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  close: [body: Buffer, wasClean: boolean];
  error: [error: Ws02Error];
  drain: [];
}

/**
 * What a connection needs from its owner that is the same for all of the owner's connections:
 * a server passes one object to every connection (one field each instead of seven).
 */
export interface ConnectionSettings {
  /**
   * 7: after the closing handshake the server closes TCP; a client waits for it (and closes it
   * itself after `closeTimeout`).
   */
  readonly role: 'server' | 'client';
  /** Frame limits and the section 6 text policy for what the peer sends. */
  readonly frameOptions: FrameConnectionOptions;
  readonly maxBufferedBytes: number;
  readonly closeTimeout: number;
  readonly counters: ConnectionCounters;
  /**
   * Decode large Text messages in a worker pool (shared settings of the server). The core then
   * runs with text policy `raw` and a {@link TextOffloadQueue} decodes under `frameOptions`'
   * policy, in order. Ignored when that policy is `raw`.
   */
  readonly offload?: TextOffload;
  /**
   * Called once when the connection is CLOSED, right before its `close` event: an owner's
   * bookkeeping as one function for all its connections, not a listener (and closure) each.
   */
  readonly onClose?: (connection: WebSocketConnection, wasClean: boolean) => void;
  /**
   * When queued frames are written, if later than the end of the tick (see `FlushPolicy`): one
   * scheduler shared by the owner's connections. Default: none (`'tick'`).
   */
  readonly flushScheduler?: FlushScheduler;
}

/** What is particular to one connection. */
export interface ConnectionPeer {
  readonly socket: Socket;
  readonly protocol: string;
  readonly origin: string | undefined;
  readonly resourceName: string;
  readonly context: unknown;
  /** Bytes that arrived right behind the handshake: the first frames (5.2.1). */
  readonly rest: Uint8Array;
}

/**
 * What a server or client hands a connection once the opening handshake succeeded: the peer's
 * particulars, and the owner's settings (one object an owner may share with all its
 * connections).
 */
export interface WebSocketConnectionInit extends ConnectionPeer {
  readonly settings: ConnectionSettings;
}

const EMPTY = new Uint8Array(0);

/** The connection a socket belongs to: the socket listeners are shared functions, not closures. */
const kConnection = Symbol('ws02.connection');
type OwnedSocket = Socket & { [kConnection]?: WebSocketConnection };

// The shared socket listeners, set in the class's static block (where they reach privates).
let onSocketData: (this: OwnedSocket, chunk: Buffer) => void;
let onSocketEnd: (this: OwnedSocket) => void;
let onSocketError: (this: OwnedSocket, err: Error) => void;
let onSocketClose: (this: OwnedSocket) => void;
let onSocketDrain: (this: OwnedSocket) => void;

/**
 * Catches a socket's errors before a connection owns it (an unhandled `error` would crash the
 * process), with the very listener the connection uses: the connection then keeps it instead of
 * adding a second one (two listeners cost the socket an array). Errors before the connection
 * exists are ignored: they end in the socket's `close`.
 */
export function watchSocketErrors(socket: Socket): void {
  socket.on('error', onSocketError);
}

/**
 * An own, flat copy of a string that may be a slice of a larger one. V8 keeps substrings of 13
 * or more characters as views of their parent: an origin field kept by a connection would pin
 * the whole handshake text. A property key is internalized, so equal values (the same origin
 * on thousands of connections) share one string.
 */
function ownString<T extends string | undefined>(value: T): T {
  if (value === undefined || value.length < 13) return value;
  return Object.keys({ [value]: 0 })[0] as T;
}

/**
 * Node's EventEmitter starts with a null-prototype `_events` object, which V8 keeps in
 * dictionary mode (about 180 bytes per connection). Pre-shaped with the events a connection
 * has, like Node's own streams do, it stays a small fast object. Its prototype has no
 * properties, so an unknown event name finds nothing inherited.
 */
function ConnectionEvents(this: Record<string, unknown>): void {
  this.message = undefined;
  this.close = undefined;
  this.error = undefined;
  this.ping = undefined;
  this.pong = undefined;
  this.drain = undefined;
}
ConnectionEvents.prototype = Object.create(null);

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * One open WebSocket connection (draft-02 sections 4–7 over a Node socket), server or client side.
 *
 * The protocol logic lives in @ws02/frame's sans-I/O connection; this class owns the socket,
 * the timers and backpressure: it feeds socket bytes in, dispatches events, and writes what the
 * core queues (coalesced per tick by `SocketWriter`).
 *
 * Idle connections are cheap (docs/BENCHMARKS.md, memory per idle connection): the socket
 * listeners are functions shared by all connections (the socket points back here), the owner's
 * settings are one shared object, and the protocol engine (core, writer, offload stage) is
 * created on the first byte received or the first frame sent, not at open.
 *
 * Events: `message(data, isBinary)`, `ping(data)`, `pong(data)`, `close(body, wasClean)`,
 * `error(err)` (only emitted when someone listens: an unhandled protocol error never crashes the
 * process), `drain`.
 */
export class WebSocketConnection extends EventEmitter<WebSocketConnectionEvents> {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  // Instance constants live on the prototype (defined below the class): not a slot each.
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  /** The subprotocol selected in the handshake, or '' (5.2.2). */
  readonly protocol: string;
  /** The Origin field the client sent, if any (section 8: informative, not authentication). */
  readonly origin: string | undefined;
  /** The resource name the client asked for (path and query). */
  readonly resourceName: string;
  /** What `verifyClient` returned as `context` (e.g. the authenticated user). */
  readonly context: unknown;

  #readyState = OPEN;
  readonly #socket: Socket;
  readonly #settings: ConnectionSettings;
  /** Created by #engine() on first use (see the class comment). */
  #core: FrameConnection | undefined;
  #writer: SocketWriter | undefined;
  #offload: TextOffloadQueue | undefined;
  #paused = false;
  #backlog: DeliveredEvent[] | undefined;
  /** Bytes read while paused, not yet given to the core (see `pause`). */
  #rawBacklog: Uint8Array[] | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #closeBody: Uint8Array = EMPTY;
  #error: Ws02Error | undefined;
  /** Heartbeat bookkeeping, driven by the server's single sweep timer. */
  lastPingAt = 0;
  awaitingPong = false;

  constructor(init: WebSocketConnectionInit) {
    super();
    (this as unknown as { _events: unknown })._events = new (
      ConnectionEvents as unknown as new () => object
    )();
    this.#settings = init.settings;
    const socket = init.socket as OwnedSocket;
    this.#socket = socket;
    this.protocol = ownString(init.protocol);
    this.origin = ownString(init.origin);
    this.resourceName = ownString(init.resourceName);
    this.context = init.context;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket[kConnection] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    if (socket.listenerCount('error', onSocketError) === 0) socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
    // Frame bytes that arrived right behind key_3 belong to this connection (5.2.1).
    if (init.rest.byteLength > 0) this.#feedLater(init.rest);
  }

  // The shared socket listeners (`this` is the socket): plain functions made here, where they
  // can reach the connection's private methods.
  static {
    onSocketData = function (this: OwnedSocket, chunk: Buffer): void {
      this[kConnection]!.#onData(chunk);
    };
    onSocketEnd = function (this: OwnedSocket): void {
      this[kConnection]!.#onEnd();
    };
    onSocketError = function (this: OwnedSocket, err: Error): void {
      const connection = this[kConnection];
      if (connection !== undefined) connection.#onSocketError(err);
    };
    onSocketClose = function (this: OwnedSocket): void {
      this[kConnection]!.#onSocketClose();
    };
    onSocketDrain = function (this: OwnedSocket): void {
      this[kConnection]!.emit('drain');
    };
  }

  get readyState(): number {
    return this.#readyState;
  }

  /** The peer's address (read from the socket when asked: no syscall per connection). */
  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#socket.remotePort;
  }

  /** Bytes queued for the peer and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#writer?.bufferedAmount ?? this.#socket.writableLength;
  }

  /** True while incoming messages are held back by `pause()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /**
   * Sends one message: a string as a Text frame, bytes as a Binary frame, unless
   * `options.binary` says otherwise. Returns false (and passes an error to `cb`) when the
   * connection is not open (7: no data frames after Close).
   */
  send(data: SendData, options?: SendOptions | SendCallback, cb?: SendCallback): boolean {
    const callback = typeof options === 'function' ? options : cb;
    const opts = typeof options === 'object' ? options : undefined;
    if (!this.#sendable()) return this.#notOpen(callback);
    if (this.#backedUp(callback)) return false;
    const core = this.#engine();
    const binary = opts?.binary ?? typeof data !== 'string';
    if (binary) core.sendBinary(toBytes(data));
    else if (typeof data === 'string') core.sendText(data);
    else core.sendFrame({ opcode: Opcode.Text, payload: toBytes(data) }); // bytes the caller says are UTF-8
    this.#settings.counters.messagesOut++;
    this.#pump(callback);
    return true;
  }

  /**
   * Sends one message as several frames (4.3 fragmentation), one per chunk, without joining the
   * chunks. Useful for large data produced in pieces.
   */
  sendFragments(chunks: Iterable<SendData>, options?: SendOptions, cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    if (this.#backedUp(cb)) return false;
    const core = this.#engine();
    const list = [...chunks];
    if (list.length === 0) list.push(EMPTY);
    const binary = options?.binary ?? typeof list[0] !== 'string';
    for (let i = 0; i < list.length; i++) {
      const piece = list[i]!;
      // 4.3: first frame carries the opcode, the rest are continuations; MORE on all but the last.
      core.sendFragment(
        typeof piece === 'string' ? piece : toBytes(piece),
        i === list.length - 1,
        binary,
      );
    }
    this.#settings.counters.messagesOut++;
    this.#pump(cb);
    return true;
  }

  /** Sends bytes already encoded as whole frames (used by `broadcast`: encode once, send many). */
  sendEncoded(frames: readonly Uint8Array[], cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    if (this.#backedUp(cb)) return false;
    this.#engine();
    this.#writer!.enqueueEncoded(frames, cb);
    this.#settings.counters.messagesOut++;
    return true;
  }

  /** Sends a Ping (4.4); the peer answers with a Pong carrying the same data. */
  ping(data: SendData = EMPTY, cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    this.#engine().sendPing(
      typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data),
    );
    this.#pump(cb);
    return true;
  }

  /** Sends an unsolicited Pong (allowed by 4.4; the peer only reports it). */
  pong(data: SendData = EMPTY, cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    this.#engine().sendPong(
      typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data),
    );
    this.#pump(cb);
    return true;
  }

  /**
   * Starts the closing handshake (section 7): sends Close (draft-02 has no status codes; the body
   * is arbitrary), refuses further sends, and waits up to `closeTimeout` for the peer's Close;
   * then the server closes the TCP connection.
   */
  close(body: SendData = EMPTY): void {
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CLOSING) return;
    this.#readyState = CLOSING;
    this.#engine().sendClose(
      typeof body === 'string' ? new TextEncoder().encode(body) : toBytes(body),
    );
    this.#pump();
    this.#startCloseTimer();
  }

  /** Closes the TCP connection at once, without a closing handshake. */
  terminate(): void {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSING;
    this.#socket.destroy();
  }

  /**
   * Stops delivering messages and stops reading the socket; nothing is lost. Bytes that still
   * arrive are held raw, not given to the core: a peer's Close behind a held message must not
   * close the connection before the application has seen (and answered) that message.
   */
  pause(): void {
    if (this.#paused || this.#readyState === CLOSED) return;
    this.#paused = true;
    this.#socket.pause();
  }

  /** Delivers what was held back, then reads the socket again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const backlog = this.#backlog;
    this.#backlog = undefined;
    if (backlog !== undefined) {
      for (let i = 0; i < backlog.length; i++) {
        if (this.#paused) {
          // A handler paused again: keep the rest, in order.
          this.#backlog = backlog.slice(i).concat(this.#backlog ?? []);
          return;
        }
        this.#dispatch(backlog[i]!);
      }
    }
    const raw = this.#rawBacklog;
    while (!this.#paused && raw !== undefined && raw.length > 0) this.#feed(raw.shift()!);
    if (raw !== undefined && raw.length === 0) this.#rawBacklog = undefined;
    if (!this.#paused && this.#offload?.held !== true && this.#readyState !== CLOSED) {
      this.#socket.resume();
    }
  }

  /** `for await (const { data, isBinary } of ws)`: messages until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<WebSocketMessage> {
    return iterateMessages<MessageData>(this);
  }

  /** True once the connection is CLOSED (for the message iterator). */
  get isClosed(): boolean {
    return this.#readyState === CLOSED;
  }

  /** The error that ended the connection, if any (a stable `code`). */
  get closeError(): Ws02Error | undefined {
    return this.#error;
  }

  // --- internals ---

  /** The protocol engine, created on first use: an idle connection holds none of it. */
  #engine(): FrameConnection {
    return this.#core ?? this.#createEngine();
  }

  #createEngine(): FrameConnection {
    const settings = this.#settings;
    // Offload: the core delivers text as bytes (policy `raw`) and the stage decodes it, inline
    // or in the pool, under the connection's policy (section 6).
    const policy = settings.frameOptions.textPolicy ?? 'replace';
    const offload =
      settings.offload === undefined || policy === 'raw'
        ? undefined
        : new TextOffloadQueue(
            settings.offload,
            policy,
            (event) => this.#route(event),
            (held) => this.#holdReading(held),
          );
    this.#offload = offload;
    // Buffer.allocUnsafe for the large buffers the core fills completely before anyone sees them
    // (joining a frame that spans chunks): no zero-fill, about 1.5x faster at 1 MiB.
    // Events are dispatched synchronously, frame by frame, while the core reads a chunk: a
    // handler's reply to a message is queued before the Close echo of a peer's Close that came
    // in the same chunk (section 7 forbids data after that echo), exactly as if the Close had
    // arrived in a later chunk.
    const core = new FrameConnection({
      // With offload, buffers the core joins messages into may be moved to a worker as is.
      allocate: offload === undefined ? allocUnsafe : allocateMovable,
      ...settings.frameOptions,
      ...(offload === undefined ? {} : { textPolicy: 'raw' as const }),
      onEvent: (event) => this.#onCoreEvent(event),
    });
    this.#core = core;
    this.#writer = new SocketWriter(this.#socket, core, settings.flushScheduler);
    return core;
  }

  #feedLater(rest: Uint8Array): void {
    queueMicrotask(() => this.#onData(rest));
  }

  #onData(chunk: Uint8Array): void {
    this.#settings.counters.bytesIn += chunk.byteLength;
    if (this.#paused) {
      if (this.#rawBacklog === undefined) this.#rawBacklog = [chunk];
      else this.#rawBacklog.push(chunk);
      return;
    }
    this.#feed(chunk);
  }

  #feed(chunk: Uint8Array): void {
    const core = this.#engine();
    // The offload stage failed the connection: ignore the rest, as the core does after its own.
    if (this.#offload?.failed === true) return;
    core.receiveData(chunk);
    // Events were dispatched as the core produced them (#onCoreEvent); what remains is to write
    // the automatic answers the core queued: Pongs (4.4) and the echoed Close (7).
    this.#pump();
  }

  #onCoreEvent(event: ConnectionEvent): void {
    // Offload: text is decoded by the stage, which hands every event back in wire order.
    if (this.#offload !== undefined) {
      this.#offload.push(event);
      return;
    }
    this.#route(event);
  }

  /** Offload: the stage holds back reading while too much waits behind pool tasks. */
  #holdReading(held: boolean): void {
    if (held) this.#socket.pause();
    else if (!this.#paused && this.#readyState !== CLOSED) {
      this.#socket.resume();
    }
  }

  #route(event: DeliveredEvent): void {
    if (this.#paused) {
      if (this.#backlog === undefined) this.#backlog = [event];
      else this.#backlog.push(event);
      return;
    }
    try {
      this.#dispatch(event);
    } catch (error) {
      // An application handler threw while the core was mid-chunk: keep the core consistent
      // (it must not see the exception) and rethrow outside it, as an uncaught exception.
      process.nextTick(rethrow, error);
    }
  }

  #dispatch(event: DeliveredEvent): void {
    switch (event.type) {
      case 'message': {
        this.#settings.counters.messagesIn++;
        const data = typeof event.data === 'string' ? event.data : toBuffer(event.data);
        this.emit('message', data, event.binary);
        return;
      }
      case 'ping':
        this.emit('ping', toBuffer(event.data));
        return;
      case 'pong':
        this.awaitingPong = false;
        this.emit('pong', toBuffer(event.data));
        return;
      case 'close':
        // 7: the peer's Close; the core queued our echo unless we sent Close first. The server
        // then closes the TCP connection; a client waits for the server to, up to closeTimeout.
        this.#closeBody = event.body;
        if (this.#readyState === OPEN) this.#readyState = CLOSING;
        this.#pump();
        this.#writer!.flush();
        if (this.#settings.role === 'server') this.#endSocket();
        this.#startCloseTimer();
        return;
      case 'error':
        this.#fail(event.error);
        return;
      case 'fragment':
      case 'frame':
        // Streaming mode and extension opcodes are not enabled by this shell.
        return;
    }
  }

  /** What the core queued leaves at the end of this tick. */
  #pump(callback?: SendCallback): void {
    if (this.#core!.outgoingBytes > 0 || callback !== undefined) this.#writer!.schedule(callback);
  }

  /**
   * Backpressure (checked before a data send is queued): more than `maxBufferedBytes` already
   * waiting means the peer is not reading; the connection is cut off. Checking before, not
   * after, lets one message as large as the limit through on a healthy connection; the bound on
   * memory is the limit plus one message.
   */
  #backedUp(cb: SendCallback | undefined): boolean {
    if (this.bufferedAmount <= this.#settings.maxBufferedBytes) return false;
    this.#overflow();
    if (cb !== undefined) {
      const error = this.#error;
      queueMicrotask(() => cb(error));
    }
    return true;
  }

  /**
   * Open for sending: our readyState says OPEN *and* the core (if it exists yet) has neither
   * sent a Close nor closed. The core can be ahead of readyState: a chunk holding a message and
   * the peer's Close queues the echoed Close before the message event is dispatched, so a
   * handler replying to that message must be refused (7: no data after Close), not make the
   * core throw.
   */
  #sendable(): boolean {
    return this.#readyState === OPEN && (this.#core === undefined || this.#core.state === 'open');
  }

  #notOpen(cb: SendCallback | undefined): false {
    if (cb !== undefined) {
      const error = new SocketError(
        'SOCKET_NOT_OPEN',
        '7',
        `the connection is not open (readyState ${this.#readyState})`,
      );
      queueMicrotask(() => cb(error));
    }
    return false;
  }

  /** Fail the WebSocket connection (7): report, then close TCP. */
  #fail(error: Ws02Error): void {
    if (this.#error === undefined) this.#error = error;
    countError(this.#settings.counters, error.code);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSING;
    this.#pump();
    this.#writer!.flush();
    this.#endSocket();
    this.#startCloseTimer();
  }

  #overflow(): void {
    if (this.#error !== undefined || this.#readyState === CLOSED) return;
    const error = new SocketError(
      'SOCKET_BUFFER_OVERFLOW',
      '4',
      `the peer is not reading: ${this.bufferedAmount} bytes queued, over the ${this.#settings.maxBufferedBytes}-byte limit`,
    );
    this.#error = error;
    countError(this.#settings.counters, error.code);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    // The peer isn't reading, so a closing handshake could never finish: cut it off.
    this.terminate();
  }

  #startCloseTimer(): void {
    if (this.#closeTimer !== undefined) return;
    const timeout = this.#settings.closeTimeout;
    this.#closeTimer = setTimeout(() => {
      if (this.#readyState === CLOSED) return;
      if (this.#error === undefined) {
        this.#error = new SocketError(
          'SOCKET_CLOSE_TIMEOUT',
          '7',
          `no end of the closing handshake within ${timeout} ms`,
        );
        countError(this.#settings.counters, 'SOCKET_CLOSE_TIMEOUT');
      }
      this.#socket.destroy();
    }, timeout);
    this.#closeTimer.unref();
  }

  #onEnd(): void {
    // 7: when the other side closed TCP, close ours at once.
    this.#engine().receiveEof();
    this.#pump();
    this.#writer!.flush();
    this.#endSocket();
  }

  /**
   * Ends our side of TCP once. `end()` on an already ended socket makes Node construct an
   * ERR_STREAM_ALREADY_FINISHED error with its stack: about 2 % of a server's handshake CPU,
   * since a server that answered a Close has ended before the peer's FIN arrives.
   */
  #endSocket(): void {
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  #onSocketError(err: Error): void {
    if (this.#error !== undefined) return;
    this.#error = new SocketError('SOCKET_ERROR', '7', `socket error: ${err.message}`);
    countError(this.#settings.counters, 'SOCKET_ERROR');
  }

  #onSocketClose(): void {
    if (this.#readyState === CLOSED) return;
    // Offload: what the pool is still decoding arrived before the close; deliver it first.
    if (this.#offload?.busy === true) {
      this.#offload.whenIdle(() => this.#onSocketClose());
      return;
    }
    this.#readyState = CLOSED;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    // Held-back messages are still delivered when the app resumes; deliver them now if the app
    // never will, so nothing received is lost.
    if (this.#paused) {
      this.#paused = false;
      const backlog = this.#backlog ?? [];
      this.#backlog = undefined;
      for (const event of backlog) this.#dispatch(event);
      const raw = this.#rawBacklog ?? [];
      this.#rawBacklog = undefined;
      for (const chunk of raw) this.#feed(chunk);
    }
    const core = this.#core;
    const wasClean =
      this.#error === undefined && core !== undefined && core.closeSent && core.closeReceived;
    const settings = this.#settings;
    settings.counters.connectionsClosed++;
    settings.counters.bytesOut += this.#writer?.bytesWritten ?? 0;
    settings.onClose?.(this, wasClean);
    this.emit('close', toBuffer(this.#closeBody), wasClean);
  }
}

for (const [name, value] of [
  ['CONNECTING', CONNECTING],
  ['OPEN', OPEN],
  ['CLOSING', CLOSING],
  ['CLOSED', CLOSED],
] as const) {
  Object.defineProperty(WebSocketConnection.prototype, name, { value, enumerable: true });
}

function allocUnsafe(size: number): Uint8Array {
  return Buffer.allocUnsafe(size);
}

function toBytes(data: SendData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * `data` as a Buffer view. The core slices payloads out of the socket's chunks with `subarray`,
 * which on a Buffer already yields a Buffer: no second view object per message then.
 */
function toBuffer(data: Uint8Array): Buffer {
  if (data instanceof Buffer) return data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function rethrow(error: unknown): never {
  throw error;
}
