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

/** What a server or client hands a connection once the opening handshake succeeded. */
export interface WebSocketConnectionInit {
  readonly socket: Socket;
  /**
   * 7: after the closing handshake the server closes TCP; a client waits for it (and closes it
   * itself after `closeTimeout`).
   */
  readonly role: 'server' | 'client';
  readonly protocol: string;
  readonly origin: string | undefined;
  readonly resourceName: string;
  readonly context: unknown;
  readonly rest: Uint8Array;
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
}

const EMPTY = new Uint8Array(0);

/**
 * One open WebSocket connection (draft-02 sections 4–7 over a Node socket), server or client side.
 *
 * The protocol logic lives in @ws02/frame's sans-I/O connection; this class owns the socket,
 * the timers and backpressure: it feeds socket bytes in, dispatches events, and writes what the
 * core queues (coalesced per tick by `SocketWriter`).
 *
 * Events: `message(data, isBinary)`, `ping(data)`, `pong(data)`, `close(body, wasClean)`,
 * `error(err)` (only emitted when someone listens: an unhandled protocol error never crashes the
 * process), `drain`.
 */
export class WebSocketConnection extends EventEmitter<WebSocketConnectionEvents> {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  /** The subprotocol selected in the handshake, or '' (5.2.2). */
  readonly protocol: string;
  /** The Origin field the client sent, if any (section 8: informative, not authentication). */
  readonly origin: string | undefined;
  /** The resource name the client asked for (path and query). */
  readonly resourceName: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** What `verifyClient` returned as `context` (e.g. the authenticated user). */
  readonly context: unknown;

  #readyState = 1;
  readonly #socket: Socket;
  readonly #core: FrameConnection;
  readonly #writer: SocketWriter;
  readonly #closeTimeout: number;
  readonly #counters: ConnectionCounters;
  readonly #role: 'server' | 'client';
  #paused = false;
  #backlog: DeliveredEvent[] = [];
  /** Bytes read while paused, not yet given to the core (see `pause`). */
  #rawBacklog: Uint8Array[] = [];
  readonly #maxBufferedBytes: number;
  readonly #offload: TextOffloadQueue | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #closeBody: Uint8Array = EMPTY;
  #error: Ws02Error | undefined;
  /** Heartbeat bookkeeping, driven by the server's single sweep timer. */
  lastPingAt = 0;
  awaitingPong = false;

  constructor(init: WebSocketConnectionInit) {
    super();
    this.#role = init.role;
    this.#socket = init.socket;
    this.protocol = init.protocol;
    this.origin = init.origin;
    this.resourceName = init.resourceName;
    this.context = init.context;
    this.remoteAddress = init.socket.remoteAddress;
    this.remotePort = init.socket.remotePort;
    this.#closeTimeout = init.closeTimeout;
    this.#counters = init.counters;
    // Offload: the core delivers text as bytes (policy `raw`) and the stage decodes it, inline
    // or in the pool, under the connection's policy (section 6).
    const policy = init.frameOptions.textPolicy ?? 'replace';
    this.#offload =
      init.offload === undefined || policy === 'raw'
        ? undefined
        : new TextOffloadQueue(
            init.offload,
            policy,
            (event) => this.#route(event),
            (held) => this.#holdReading(held),
          );
    // Buffer.allocUnsafe for the large buffers the core fills completely before anyone sees them
    // (joining a frame that spans chunks): no zero-fill, about 1.5x faster at 1 MiB.
    // Events are dispatched synchronously, frame by frame, while the core reads a chunk: a
    // handler's reply to a message is queued before the Close echo of a peer's Close that came
    // in the same chunk (section 7 forbids data after that echo), exactly as if the Close had
    // arrived in a later chunk.
    this.#core = new FrameConnection({
      // With offload, buffers the core joins messages into may be moved to a worker as is.
      allocate: this.#offload === undefined ? allocUnsafe : allocateMovable,
      ...init.frameOptions,
      ...(this.#offload === undefined ? {} : { textPolicy: 'raw' as const }),
      onEvent: (event) => this.#onCoreEvent(event),
    });
    this.#maxBufferedBytes = init.maxBufferedBytes;
    this.#writer = new SocketWriter(init.socket, this.#core);

    const socket = init.socket;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err) => this.#onSocketError(err));
    socket.on('close', () => this.#onSocketClose());
    socket.on('drain', () => this.#onDrain());
    // Frame bytes that arrived right behind key_3 belong to this connection (5.2.1).
    if (init.rest.byteLength > 0) queueMicrotask(() => this.#onData(init.rest));
  }

  get readyState(): number {
    return this.#readyState;
  }

  /** Bytes queued for the peer and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#writer.bufferedAmount;
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
    const binary = opts?.binary ?? typeof data !== 'string';
    if (binary) this.#core.sendBinary(toBytes(data));
    else if (typeof data === 'string') this.#core.sendText(data);
    else this.#core.sendFrame({ opcode: Opcode.Text, payload: toBytes(data) }); // bytes the caller says are UTF-8
    this.#counters.messagesOut++;
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
    const list = [...chunks];
    if (list.length === 0) list.push(EMPTY);
    const binary = options?.binary ?? typeof list[0] !== 'string';
    for (let i = 0; i < list.length; i++) {
      const piece = list[i]!;
      // 4.3: first frame carries the opcode, the rest are continuations; MORE on all but the last.
      this.#core.sendFragment(
        typeof piece === 'string' ? piece : toBytes(piece),
        i === list.length - 1,
        binary,
      );
    }
    this.#counters.messagesOut++;
    this.#pump(cb);
    return true;
  }

  /** Sends bytes already encoded as whole frames (used by `broadcast`: encode once, send many). */
  sendEncoded(frames: readonly Uint8Array[], cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    if (this.#backedUp(cb)) return false;
    this.#writer.enqueueEncoded(frames, cb);
    this.#counters.messagesOut++;
    return true;
  }

  /** Sends a Ping (4.4); the peer answers with a Pong carrying the same data. */
  ping(data: SendData = EMPTY, cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    this.#core.sendPing(typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data));
    this.#pump(cb);
    return true;
  }

  /** Sends an unsolicited Pong (allowed by 4.4; the peer only reports it). */
  pong(data: SendData = EMPTY, cb?: SendCallback): boolean {
    if (!this.#sendable()) return this.#notOpen(cb);
    this.#core.sendPong(typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data));
    this.#pump(cb);
    return true;
  }

  /**
   * Starts the closing handshake (section 7): sends Close (draft-02 has no status codes; the body
   * is arbitrary), refuses further sends, and waits up to `closeTimeout` for the peer's Close;
   * then the server closes the TCP connection.
   */
  close(body: SendData = EMPTY): void {
    if (this.#readyState === WebSocketConnection.CLOSED) return;
    if (this.#readyState === WebSocketConnection.CLOSING) return;
    this.#readyState = WebSocketConnection.CLOSING;
    this.#core.sendClose(typeof body === 'string' ? new TextEncoder().encode(body) : toBytes(body));
    this.#pump();
    this.#startCloseTimer();
  }

  /** Closes the TCP connection at once, without a closing handshake. */
  terminate(): void {
    if (this.#readyState === WebSocketConnection.CLOSED) return;
    this.#readyState = WebSocketConnection.CLOSING;
    this.#socket.destroy();
  }

  /**
   * Stops delivering messages and stops reading the socket; nothing is lost. Bytes that still
   * arrive are held raw, not given to the core: a peer's Close behind a held message must not
   * close the connection before the application has seen (and answered) that message.
   */
  pause(): void {
    if (this.#paused || this.#readyState === WebSocketConnection.CLOSED) return;
    this.#paused = true;
    this.#socket.pause();
  }

  /** Delivers what was held back, then reads the socket again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (let i = 0; i < backlog.length; i++) {
      if (this.#paused) {
        // A handler paused again: keep the rest, in order.
        this.#backlog = backlog.slice(i).concat(this.#backlog);
        return;
      }
      this.#dispatch(backlog[i]!);
    }
    while (!this.#paused && this.#rawBacklog.length > 0) this.#feed(this.#rawBacklog.shift()!);
    if (
      !this.#paused &&
      this.#offload?.held !== true &&
      this.#readyState !== WebSocketConnection.CLOSED
    ) {
      this.#socket.resume();
    }
  }

  /** `for await (const { data, isBinary } of ws)`: messages until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<WebSocketMessage> {
    return iterateMessages<MessageData>(this);
  }

  /** True once the connection is CLOSED (for the message iterator). */
  get isClosed(): boolean {
    return this.#readyState === WebSocketConnection.CLOSED;
  }

  // --- internals ---

  #onData(chunk: Uint8Array): void {
    this.#counters.bytesIn += chunk.byteLength;
    if (this.#paused) {
      this.#rawBacklog.push(chunk);
      return;
    }
    this.#feed(chunk);
  }

  #feed(chunk: Uint8Array): void {
    // The offload stage failed the connection: ignore the rest, as the core does after its own.
    if (this.#offload?.failed === true) return;
    this.#core.receiveData(chunk);
    this.#drainCore();
  }

  #drainCore(): void {
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
    else if (!this.#paused && this.#readyState !== WebSocketConnection.CLOSED) {
      this.#socket.resume();
    }
  }

  #route(event: DeliveredEvent): void {
    if (this.#paused) {
      this.#backlog.push(event);
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
        this.#counters.messagesIn++;
        const data =
          typeof event.data === 'string'
            ? event.data
            : Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength);
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
        if (this.#readyState === WebSocketConnection.OPEN)
          this.#readyState = WebSocketConnection.CLOSING;
        this.#pump();
        this.#writer.flush();
        if (this.#role === 'server') this.#socket.end();
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
    if (this.#core.outgoingBytes > 0 || callback !== undefined) this.#writer.schedule(callback);
  }

  /**
   * Open for sending: our readyState says OPEN *and* the core has neither sent a Close nor
   * closed. The core can be ahead of readyState: a chunk holding a message and the peer's Close
   * queues the echoed Close before the message event is dispatched, so a handler replying to
   * that message must be refused (7: no data after Close), not make the core throw.
   */
  /**
   * Backpressure (checked before a data send is queued): more than `maxBufferedBytes` already
   * waiting means the peer is not reading; the connection is cut off. Checking before, not
   * after, lets one message as large as the limit through on a healthy connection; the bound on
   * memory is the limit plus one message.
   */
  #backedUp(cb: SendCallback | undefined): boolean {
    if (this.#writer.bufferedAmount <= this.#maxBufferedBytes) return false;
    this.#overflow();
    if (cb !== undefined) {
      const error = this.#error;
      queueMicrotask(() => cb(error));
    }
    return true;
  }

  #sendable(): boolean {
    return this.#readyState === WebSocketConnection.OPEN && this.#core.state === 'open';
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
    countError(this.#counters, error.code);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    if (this.#readyState === WebSocketConnection.CLOSED) return;
    this.#readyState = WebSocketConnection.CLOSING;
    this.#pump();
    this.#writer.flush();
    this.#socket.end();
    this.#startCloseTimer();
  }

  #overflow(): void {
    if (this.#error !== undefined || this.#readyState === WebSocketConnection.CLOSED) return;
    const error = new SocketError(
      'SOCKET_BUFFER_OVERFLOW',
      '4',
      `the peer is not reading: ${this.#writer.bufferedAmount} bytes queued, over the ${this.#maxBufferedBytes}-byte limit`,
    );
    this.#error = error;
    countError(this.#counters, error.code);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    // The peer isn't reading, so a closing handshake could never finish: cut it off.
    this.terminate();
  }

  #startCloseTimer(): void {
    if (this.#closeTimer !== undefined) return;
    this.#closeTimer = setTimeout(() => {
      if (this.#readyState === WebSocketConnection.CLOSED) return;
      if (this.#error === undefined) {
        this.#error = new SocketError(
          'SOCKET_CLOSE_TIMEOUT',
          '7',
          `no end of the closing handshake within ${this.#closeTimeout} ms`,
        );
        countError(this.#counters, 'SOCKET_CLOSE_TIMEOUT');
      }
      this.#socket.destroy();
    }, this.#closeTimeout);
    this.#closeTimer.unref();
  }

  #onEnd(): void {
    // 7: when the other side closed TCP, close ours at once.
    this.#core.receiveEof();
    this.#drainCore();
    this.#writer.flush();
    this.#socket.end();
  }

  #onSocketError(err: Error): void {
    if (this.#error !== undefined) return;
    this.#error = new SocketError('SOCKET_ERROR', '7', `socket error: ${err.message}`);
    countError(this.#counters, 'SOCKET_ERROR');
  }

  #onDrain(): void {
    this.emit('drain');
  }

  #onSocketClose(): void {
    if (this.#readyState === WebSocketConnection.CLOSED) return;
    // Offload: what the pool is still decoding arrived before the close; deliver it first.
    if (this.#offload?.busy === true) {
      this.#offload.whenIdle(() => this.#onSocketClose());
      return;
    }
    this.#readyState = WebSocketConnection.CLOSED;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    // Held-back messages are still delivered when the app resumes; deliver them now if the app
    // never will, so nothing received is lost.
    if (this.#paused) {
      this.#paused = false;
      const backlog = this.#backlog;
      this.#backlog = [];
      for (const event of backlog) this.#dispatch(event);
      const raw = this.#rawBacklog;
      this.#rawBacklog = [];
      for (const chunk of raw) this.#feed(chunk);
    }
    const wasClean = this.#error === undefined && this.#core.closeSent && this.#core.closeReceived;
    this.#counters.connectionsClosed++;
    this.#counters.bytesOut += this.#writer.bytesWritten;
    this.emit('close', toBuffer(this.#closeBody), wasClean);
  }

  /** The error that ended the connection, if any (a stable `code`). */
  get closeError(): Ws02Error | undefined {
    return this.#error;
  }
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

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function rethrow(error: unknown): never {
  throw error;
}
