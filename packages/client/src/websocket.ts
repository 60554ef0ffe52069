import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  type ClientHandshakeTemplate,
  type HandshakeCookie,
  type HandshakeField,
  prepareClientHandshake,
} from '@ws02/handshake';
import {
  type ConnectionCounters,
  createConnectionCounters,
  iterateMessages,
  type SendData,
  type SendOptions,
  WebSocketConnection,
} from '@ws02/socket';
import {
  defaultPort,
  isWs02Error,
  parseWebSocketUrl,
  serializeOrigin,
  type WebSocketUrl,
  type Ws02Error,
} from '@ws02/url';
import { CookieJar } from 'tough-cookie';
import { ClientError } from './client-error.js';
import { type ConnectQueue, defaultConnectQueue } from './connect-queue.js';
import { applyCookies } from './cookies.js';
import { type EstablishCallbacks, type Established, Establishment } from './establish.js';
import {
  type EventListenerLike,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketEvent,
  WebSocketMessageEvent,
} from './events.js';
import type { BinaryType, TapFunction, WebSocketOptions } from './options.js';
import { type ProxyConfig, parseProxyUrl, proxyFromEnvironment } from './proxy-config.js';
import { backoffDelay, type ResolvedReconnect, resolveReconnect } from './reconnect.js';
import { defaultLookup, type LookupFunction } from './transport.js';

/** A message as the client hands it over: Text → string; Binary → Buffer or ArrayBuffer. */
export type ClientMessageData = string | Buffer | ArrayBuffer;

/** What `reconnecting` reports. */
export interface ReconnectingInfo {
  /** 1 for the first attempt after a loss, then 2, 3, … (reset after each open). */
  readonly attempt: number;
  /** Milliseconds until the attempt starts. */
  readonly delay: number;
  /** Why the previous connection ended or the previous attempt failed (undefined: clean close). */
  readonly error: Error | undefined;
}

/** Node-style events (typed). `error` is emitted only when someone listens. */
export interface WebSocketEvents {
  open: [];
  message: [data: ClientMessageData, isBinary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** Section 7: the connection is closed for good (after reconnection gave up, if enabled). */
  close: [body: Buffer, wasClean: boolean];
  error: [error: Error];
  /** The connection was lost (or an attempt failed) and another attempt is scheduled. */
  reconnecting: [info: ReconnectingInfo];
  drain: [];
}

type WhatwgType = 'open' | 'message' | 'error' | 'close';
type SendCallback = (error?: Error) => void;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const EMPTY = Buffer.alloc(0);

/** Everything the constructor settles once; every attempt reuses it. */
interface Plan {
  readonly url: WebSocketUrl;
  /** Step 1 and the fixed fields, checked once; each attempt only creates its request. */
  readonly template: ClientHandshakeTemplate;
  readonly proxy: ProxyConfig | undefined;
  readonly proxyCredentials: string | undefined;
  readonly tls: ConnectionOptions;
  readonly lookup: LookupFunction;
  readonly queue: ConnectQueue;
  /** `false`: no cookies; a jar: the caller's; undefined: our own, created when first needed. */
  readonly cookieJar: CookieJar | false | undefined;
  readonly deferCookies: boolean;
  readonly handshakeTimeout: number;
  readonly closeTimeout: number;
  readonly maxHeadBytes: number | undefined;
  readonly maxFields: number | undefined;
  readonly maxBufferedBytes: number;
  readonly frameOptions: {
    readonly textPolicy: 'replace';
    readonly maxFrameSize?: number;
    readonly maxMessageSize?: number;
    readonly maxFragments?: number;
  };
  readonly reconnect: ResolvedReconnect | undefined;
  readonly tap: TapFunction | undefined;
}

/**
 * A draft-02 WebSocket client (`Sec-WebSocket-Draft: 2`) shaped like the WHATWG `WebSocket`,
 * with Node extras. Connecting starts at once: the URL is validated synchronously (3.3; an
 * invalid one throws `WebSocketUrlError` and opens nothing), then 5.1 runs — step 2's per-IP
 * queue, an optional CONNECT proxy, TLS for wss, the handshake with strict response checks,
 * cookies — and the open connection is @ws02/socket's engine in the client role (section 6.1:
 * invalid UTF-8 from the server becomes U+FFFD; section 7: closing with a timeout for the
 * server's TCP close).
 *
 * Failing: `error` then `close` (wasClean false); `connect()` rejects with the typed error.
 */
export class WebSocket extends EventEmitter<WebSocketEvents> {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  /** The URL as 3.2 constructs it (lowercase host, port only when not the default). */
  readonly url: string;
  /** The origin sent, in its lowercase ASCII serialization. */
  readonly origin: string;
  /** No extensions exist in draft-02. */
  readonly extensions = '';
  /** Messages in and out, bytes, errors by code — across reconnections. */
  readonly counters: ConnectionCounters = createConnectionCounters();

  readonly #plan: Plan;
  #state = CONNECTING;
  #conn: WebSocketConnection | undefined;
  #protocol = '';
  #binaryType: BinaryType;
  // The attempt in progress (5.1 steps 2–48), and why it was abandoned while its cookies were
  // being applied (step 49 with an asynchronous store).
  #attempt: Establishment | undefined;
  #abandonedWith: Error | undefined;
  #jar: CookieJar | undefined;
  #userClosed = false;
  #attempts = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #connError: Ws02Error | undefined;
  #cookies: readonly HandshakeCookie[] = [];
  #fields: readonly HandshakeField[] = [];
  #paused = false;
  #whatwg: Map<string, Map<unknown, (...args: never[]) => void>> | undefined;
  #handlers: Partial<Record<WhatwgType, (...args: never[]) => void>> = {};
  #handlerFns: Partial<Record<WhatwgType, ((event: never) => void) | null>> = {};

  constructor(
    address: string | URL,
    protocols?: string | readonly string[],
    options: WebSocketOptions = {},
  ) {
    super();
    // Step 1: the URL and its components must be valid (3.1, 3.3) — before anything opens.
    const addressText = String(address);
    const protocolList =
      protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
    this.#binaryType = checkBinaryType(options.binaryType ?? 'nodebuffer');
    // A plain `new WebSocket(url)` (default origin, no protocols, no extra fields) to the URL
    // of the previous one reuses its checked template: nothing in it depends on anything else.
    const plain =
      options.origin === undefined && protocolList.length === 0 && options.headers === undefined;
    let template: ClientHandshakeTemplate;
    if (plain && lastPlain !== undefined && lastPlain.address === addressText) {
      template = lastPlain.template;
    } else {
      template = prepareTemplate(addressText, protocolList, options);
      if (plain) lastPlain = { address: addressText, template };
    }
    const url = template.url;
    this.url = template.location;
    this.origin = template.origin;
    const proxyUrl =
      options.proxy === false
        ? undefined
        : (options.proxy ?? proxyFromEnvironment(url.host, url.port, url.secure));
    const proxy = proxyUrl === undefined ? undefined : parseProxyUrl(proxyUrl, options.proxyAuth);
    const proxyCredentials =
      proxy?.credentials ??
      (options.proxyAuth === undefined
        ? undefined
        : Buffer.from(options.proxyAuth).toString('base64'));
    const tls: ConnectionOptions = { ...options.tls };
    for (const key of TLS_KEYS) {
      if (options[key] !== undefined) (tls as Record<string, unknown>)[key] = options[key];
    }
    this.#plan = {
      url: template.url,
      template,
      proxy,
      proxyCredentials,
      tls,
      lookup: options.lookup ?? defaultLookup,
      queue: options.connectQueue ?? defaultConnectQueue,
      cookieJar: options.cookieJar,
      deferCookies: options.deferCookies === true,
      handshakeTimeout: positive('handshakeTimeout', options.handshakeTimeout, 10_000),
      closeTimeout: positive('closeTimeout', options.closeTimeout, 5_000),
      maxHeadBytes: options.maxHeadBytes,
      maxFields: options.maxFields,
      maxBufferedBytes: options.maxBufferedBytes ?? Number.POSITIVE_INFINITY,
      frameOptions: {
        // Section 6.1: a client replaces invalid UTF-8 from the server with U+FFFD.
        textPolicy: 'replace',
        ...(options.maxFrameSize === undefined ? {} : { maxFrameSize: options.maxFrameSize }),
        ...(options.maxMessageSize === undefined ? {} : { maxMessageSize: options.maxMessageSize }),
        ...(options.maxFragments === undefined ? {} : { maxFragments: options.maxFragments }),
      },
      reconnect: resolveReconnect(options.reconnect),
      tap: options.tap,
    };
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) queueMicrotask(() => this.terminate());
      else {
        const onAbort = () => this.terminate();
        signal.addEventListener('abort', onAbort, { once: true });
        // A long-lived signal shared by many sockets must not collect their listeners.
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
    this.#connect();
  }

  // ---- WHATWG attributes --------------------------------------------------------------

  get readyState(): number {
    // While open, the engine knows when the closing handshake has started (either side).
    if (this.#state === OPEN && this.#conn !== undefined) return this.#conn.readyState;
    return this.#state;
  }

  /** The subprotocol the server selected, or '' (5.1 step 44). */
  get protocol(): string {
    return this.#protocol;
  }

  /** Bytes queued and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#conn?.bufferedAmount ?? 0;
  }

  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(value: BinaryType) {
    this.#binaryType = checkBinaryType(value);
  }

  // ---- Node extras ----------------------------------------------------------------------

  /** The cookie jar read and written by the handshake (undefined with `cookieJar: false`). */
  get cookieJar(): CookieJar | undefined {
    const given = this.#plan.cookieJar;
    if (given === false) return undefined;
    if (given !== undefined) return given;
    // Our own jar is created on first use (this getter, or a Set-Cookie to apply): most
    // connections never see a cookie, and an empty jar would send none anyway (step 17).
    this.#jar ??= new CookieJar();
    return this.#jar;
  }

  /**
   * Step 51: with `deferCookies`, the /list of cookies/ of the last handshake, for the caller to
   * apply (or not). Empty otherwise.
   */
  get cookies(): readonly HandshakeCookie[] {
    return this.#cookies;
  }

  /** The server's handshake fields of the last opening (lower-case names, arrival order). */
  get handshakeFields(): readonly HandshakeField[] {
    return this.#fields;
  }

  /** The underlying `net.Socket`/`tls.TLSSocket` while a connection is open. */
  get socket(): Socket | undefined {
    return this.#conn === undefined ? undefined : this.#socket;
  }
  #socket: Socket | undefined;

  /** Why the last connection ended, if it failed (a stable `code`). */
  get closeError(): Ws02Error | undefined {
    return this.#connError ?? this.#conn?.closeError;
  }

  /** True while incoming messages are held back by `pause()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  // ---- sending --------------------------------------------------------------------------

  /**
   * Sends one message: a string as Text, bytes as Binary (or as `options.binary` says). Throws
   * `CLIENT_NOT_OPEN` while CONNECTING (WHATWG's InvalidStateError; also while reconnecting —
   * messages are never queued across connections). Once closing/closed, returns false and
   * passes `SOCKET_NOT_OPEN` to `cb`. `cb` runs once the bytes reached the kernel.
   */
  send(data: SendData, options?: SendOptions | SendCallback, cb?: SendCallback): boolean {
    const conn = this.#conn;
    if (conn === undefined || this.#state === CONNECTING) throw notOpen('send');
    return conn.send(data, options, cb);
  }

  /** Sends one message as several frames (4.3), one per chunk. */
  sendFragments(chunks: Iterable<SendData>, options?: SendOptions, cb?: SendCallback): boolean {
    const conn = this.#conn;
    if (conn === undefined || this.#state === CONNECTING) throw notOpen('sendFragments');
    return conn.sendFragments(chunks, options, cb);
  }

  /** Sends a Ping (4.4); the server answers with a Pong (`pong` event). */
  ping(data?: SendData, cb?: SendCallback): boolean {
    const conn = this.#conn;
    if (conn === undefined || this.#state === CONNECTING) throw notOpen('ping');
    return conn.ping(data, cb);
  }

  /** Sends an unsolicited Pong (4.4). */
  pong(data?: SendData, cb?: SendCallback): boolean {
    const conn = this.#conn;
    if (conn === undefined || this.#state === CONNECTING) throw notOpen('pong');
    return conn.pong(data, cb);
  }

  /**
   * Starts the closing handshake (section 7): sends Close with `body` (draft-02 has no status
   * codes; `close(code, reason)` in the WHATWG form is accepted and sends `reason` as the body)
   * and waits up to `closeTimeout` for the server to close TCP. While CONNECTING, the attempt
   * is abandoned: `error` (CLIENT_CLOSED_BEFORE_OPEN) then `close`.
   */
  close(codeOrBody?: number | SendData, reason?: SendData): void {
    const body = typeof codeOrBody === 'number' ? (reason ?? EMPTY) : (codeOrBody ?? EMPTY);
    this.#userClosed = true;
    if (this.#state === CONNECTING) {
      this.#abandon();
      return;
    }
    if (this.#state !== OPEN) return;
    this.#conn!.close(body);
  }

  /** Closes the TCP connection at once, without a closing handshake. */
  terminate(): void {
    this.#userClosed = true;
    if (this.#state === CONNECTING) {
      this.#abandon();
      return;
    }
    if (this.#state !== OPEN) return;
    this.#conn!.terminate();
  }

  /** Stops delivering messages and reading the socket; nothing is lost. */
  pause(): void {
    this.#paused = true;
    this.#conn?.pause();
  }

  /** Delivers what was held back, then reads again. */
  resume(): void {
    this.#paused = false;
    this.#conn?.resume();
  }

  /**
   * `for await (const { data, isBinary } of ws)`: every message until the connection is closed
   * for good (across reconnections). A slow loop pauses the connection instead of buffering.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<{ data: ClientMessageData; isBinary: boolean }> {
    return iterateMessages<ClientMessageData>(this);
  }

  /** True once closed for good (for the message iterator; reconnections don't count). */
  get isClosed(): boolean {
    return this.#state === CLOSED;
  }

  // ---- WHATWG event handlers ------------------------------------------------------------

  get onopen(): ((event: WebSocketEvent) => void) | null {
    return (this.#handlerFns.open as (event: WebSocketEvent) => void) ?? null;
  }
  set onopen(fn: ((event: WebSocketEvent) => void) | null) {
    this.#setHandler('open', fn);
  }
  get onmessage(): ((event: WebSocketMessageEvent) => void) | null {
    return (this.#handlerFns.message as (event: WebSocketMessageEvent) => void) ?? null;
  }
  set onmessage(fn: ((event: WebSocketMessageEvent) => void) | null) {
    this.#setHandler('message', fn);
  }
  get onerror(): ((event: WebSocketErrorEvent) => void) | null {
    return (this.#handlerFns.error as (event: WebSocketErrorEvent) => void) ?? null;
  }
  set onerror(fn: ((event: WebSocketErrorEvent) => void) | null) {
    this.#setHandler('error', fn);
  }
  get onclose(): ((event: WebSocketCloseEvent) => void) | null {
    return (this.#handlerFns.close as (event: WebSocketCloseEvent) => void) ?? null;
  }
  set onclose(fn: ((event: WebSocketCloseEvent) => void) | null) {
    this.#setHandler('close', fn);
  }

  /** WHATWG `addEventListener` for `open`, `message`, `error`, `close` (option `once`). */
  addEventListener(
    type: 'open' | 'message' | 'error' | 'close',
    listener: EventListenerLike<never>,
    options?: { once?: boolean } | boolean,
  ): void {
    if (!isWhatwgType(type) || listener === null || listener === undefined) return;
    this.#whatwg ??= new Map();
    let byListener = this.#whatwg.get(type);
    if (byListener === undefined) {
      byListener = new Map();
      this.#whatwg.set(type, byListener);
    }
    if (byListener.has(listener)) return;
    const once = typeof options === 'object' && options?.once === true;
    const wrapper = this.#wrap(type, (event) => {
      if (once) this.removeEventListener(type, listener);
      if (typeof listener === 'function') listener.call(this, event as never);
      else listener.handleEvent(event as never);
    });
    byListener.set(listener, wrapper);
    this.on(type, wrapper as never);
  }

  removeEventListener(type: string, listener: EventListenerLike<never>): void {
    const byListener = this.#whatwg?.get(type);
    const wrapper = byListener?.get(listener);
    if (wrapper === undefined) return;
    byListener!.delete(listener);
    this.off(type as WhatwgType, wrapper as never);
  }

  // WHATWG objects are built here, only for WHATWG-style listeners.
  #wrap(type: WhatwgType, deliver: (event: WebSocketEvent) => void): (...args: never[]) => void {
    switch (type) {
      case 'open':
        return () => deliver(new WebSocketEvent('open', this));
      case 'message':
        return ((data: ClientMessageData, isBinary: boolean) =>
          deliver(new WebSocketMessageEvent(this, data, isBinary))) as never;
      case 'error':
        return ((error: Error) => deliver(new WebSocketErrorEvent(this, error))) as never;
      case 'close':
        return ((body: Buffer, wasClean: boolean) =>
          deliver(new WebSocketCloseEvent(this, body, wasClean))) as never;
    }
  }

  #setHandler(type: WhatwgType, fn: ((event: never) => void) | null): void {
    const old = this.#handlers[type];
    if (old !== undefined) this.off(type, old as never);
    delete this.#handlers[type];
    this.#handlerFns[type] = typeof fn === 'function' ? fn : null;
    if (typeof fn !== 'function') return;
    const wrapper = this.#wrap(type, (event) => fn.call(this, event as never));
    this.#handlers[type] = wrapper;
    this.on(type, wrapper as never);
  }

  // ---- connecting -----------------------------------------------------------------------

  #connect(): void {
    this.#state = CONNECTING;
    this.#abandonedWith = undefined;
    const plan = this.#plan;
    const attempt = new Establishment(
      {
        template: plan.template,
        proxy: plan.proxy,
        proxyCredentials: plan.proxyCredentials,
        tls: plan.tls,
        lookup: plan.lookup,
        queue: plan.queue,
        cookieJar: this.#existingJar,
        handshakeTimeout: plan.handshakeTimeout,
        maxHeadBytes: plan.maxHeadBytes,
        maxFields: plan.maxFields,
      },
      this.#attemptCallbacks,
    );
    this.#attempt = attempt;
    attempt.start();
  }

  // The jar to read for step 17 without creating one (a new jar would hold no cookies).
  readonly #existingJar = (): CookieJar | undefined => {
    const given = this.#plan.cookieJar;
    return given === false ? undefined : (given ?? this.#jar);
  };

  // One pair of callbacks for every attempt (each says which attempt it is about).
  readonly #attemptCallbacks: EstablishCallbacks = {
    established: (established, attempt) => this.#established(established, attempt),
    failed: (error, attempt) => this.#attemptFailed(error, attempt),
  };

  // Steps 49–51, then the open connection.
  #established(established: Established, attempt: Establishment): void {
    const plan = this.#plan;
    if (plan.deferCookies || plan.cookieJar === false) {
      // Step 51: stored for the component that invoked the algorithm.
      this.#cookies = plan.deferCookies ? established.cookies : [];
    } else if (established.cookies.length > 0) {
      // Step 49: applied only now that the reply checked out (the socket stays paused).
      const applied = applyCookies(this.cookieJar!, established.cookies, plan.url);
      if (applied !== undefined) {
        applied.then(
          () => this.#cookiesApplied(established, attempt),
          (error: Error) => {
            established.socket.destroy();
            this.#attemptFailed(error, attempt);
          },
        );
        return;
      }
    }
    this.#open(established);
  }

  // After an asynchronous store applied the cookies: the attempt may have been abandoned (or the
  // socket lost) meanwhile.
  #cookiesApplied(established: Established, attempt: Establishment): void {
    const { socket } = established;
    if (attempt !== this.#attempt) {
      socket.destroy();
      return;
    }
    if (this.#abandonedWith !== undefined || socket.destroyed) {
      socket.destroy();
      this.#attemptFailed(
        this.#abandonedWith ??
          new ClientError('CLIENT_SOCKET_ERROR', '5.1', 'the connection closed while opening'),
        attempt,
      );
      return;
    }
    this.#open(established);
  }

  #open(established: Established): void {
    const { socket } = established;
    const plan = this.#plan;
    // Step 50: established. The engine takes the socket; frames that came with the reply are
    // handed over first, so nothing is lost.
    this.#attempt = undefined;
    const tap = plan.tap;
    if (tap !== undefined) installTap(socket, tap, established.rest);
    const conn = new WebSocketConnection({
      socket,
      protocol: established.protocol,
      origin: this.origin,
      resourceName: plan.url.resourceName,
      context: undefined,
      rest: established.rest,
      settings: {
        role: 'client',
        frameOptions: plan.frameOptions,
        maxBufferedBytes: plan.maxBufferedBytes,
        closeTimeout: plan.closeTimeout,
        counters: this.counters,
      },
    });
    this.#conn = conn;
    this.#socket = socket;
    this.#connError = undefined;
    this.#protocol = established.protocol;
    this.#fields = established.fields;
    this.#attempts = 0;
    conn.on('message', this.#onMessage);
    conn.on('ping', (data) => this.emit('ping', data));
    conn.on('pong', (data) => this.emit('pong', data));
    conn.on('drain', () => this.emit('drain'));
    conn.on('error', (error) => {
      this.#connError ??= error;
    });
    conn.on('close', (body, wasClean) => this.#connectionClosed(conn, body, wasClean));
    this.#state = OPEN;
    // Messages wait until the tick after `open` (they are held, not lost), so code that attaches
    // its listeners when `await connect()` returns — or starts `for await` — sees the first ones,
    // even those that arrived in the same chunk as the 16-byte reply.
    conn.pause(); // the socket is still paused from the handshake
    this.emit('open');
    setImmediate(() => {
      if (!this.#paused && this.#conn === conn) conn.resume();
    });
  }

  readonly #onMessage = (data: string | Buffer, isBinary: boolean): void => {
    if (isBinary && this.#binaryType === 'arraybuffer') {
      // Exactly the message's bytes, not the whole pool the Buffer may view.
      const b = data as Buffer;
      this.emit(
        'message',
        b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
        true,
      );
      return;
    }
    this.emit('message', data, isBinary);
  };

  #connectionClosed(conn: WebSocketConnection, body: Buffer, wasClean: boolean): void {
    if (conn !== this.#conn) return;
    const error = this.#connError ?? conn.closeError;
    if (this.#retry(error)) return;
    this.#finish(error, body, wasClean);
  }

  #attemptFailed(error: Error, attempt: Establishment): void {
    if (attempt !== this.#attempt) return;
    this.#attempt = undefined;
    if (this.#retry(error)) return;
    this.#finish(error, EMPTY, false);
  }

  // Reconnect (opt-in) unless the application closed; true when an attempt was scheduled.
  #retry(error: Error | undefined): boolean {
    const reconnect = this.#plan.reconnect;
    if (reconnect === undefined || this.#userClosed || this.#attempts >= reconnect.retries) {
      return false;
    }
    const attempt = ++this.#attempts;
    const delay = backoffDelay(attempt, reconnect);
    this.#state = CONNECTING;
    this.#conn = undefined;
    this.#socket = undefined;
    this.emit('reconnecting', { attempt, delay, error });
    if (this.#userClosed) return true; // closed from the listener: #abandon already finished
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect();
    }, delay);
    return true;
  }

  // close()/terminate() while CONNECTING: fail the attempt (error, then close).
  #abandon(): void {
    const error = new ClientError(
      'CLIENT_CLOSED_BEFORE_OPEN',
      '5.1',
      'the connection was closed before it was established',
    );
    this.#state = CLOSING;
    if (this.#attempt !== undefined) {
      // The attempt fails and #attemptFailed finishes; if it has already ended (cookies being
      // applied), #cookiesApplied does.
      this.#abandonedWith = error;
      this.#attempt.abort(error);
      return;
    }
    if (this.#reconnectTimer !== undefined) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
    }
    queueMicrotask(() => this.#finish(error, EMPTY, false));
  }

  #finish(error: Error | undefined, body: Buffer, wasClean: boolean): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    if (error !== undefined) this.#connError = error as Ws02Error;
    // WHATWG: a failed connection fires `error`, then `close`.
    if (error !== undefined && !wasClean && this.listenerCount('error') > 0) {
      this.emit('error', error);
    }
    this.emit('close', body, wasClean);
  }
}

const TLS_KEYS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
  'checkServerIdentity',
  'ciphers',
  'minVersion',
  'maxVersion',
  'ecdhCurve',
  'secureContext',
  'session',
  'crl',
] as const;

// The template of the last plain `new WebSocket(url)` (see the constructor).
let lastPlain: { readonly address: string; readonly template: ClientHandshakeTemplate } | undefined;

// Step 1 (3.1, 3.3: URL, origin, protocols) and step 18 (a field that cannot be sent: HandshakeError
// HANDSHAKE_INVALID_FIELD) fail here, in the constructor, not after a connection was opened. The
// core checks them once; every attempt reuses the template.
function prepareTemplate(
  address: string,
  protocols: readonly string[],
  options: WebSocketOptions,
): ClientHandshakeTemplate {
  const url = parseWebSocketUrl(address);
  const origin =
    options.origin === undefined ? defaultOrigin(url) : serializeOrigin(options.origin);
  const headers: (readonly [string, string])[] =
    options.headers === undefined
      ? []
      : Symbol.iterator in options.headers
        ? [...(options.headers as Iterable<readonly [string, string]>)]
        : Object.entries(options.headers as Record<string, string>);
  try {
    return prepareClientHandshake({
      url,
      origin,
      protocols,
      ...(headers.length === 0 ? {} : { extraHeaders: headers }),
    });
  } catch (error) {
    // The URL's own error (WebSocketUrlError), as the WHATWG constructor throws SyntaxError.
    if (isWs02Error(error, 'HANDSHAKE_INVALID_URL') && isWs02Error(error.cause)) throw error.cause;
    throw error;
  }
}

// The origin a browser would send for a page at the server itself (3.3's serialization: scheme,
// lowercase host, port only when not the default). `url.host` is already lowercase ASCII from
// 3.1, so this is what serializeOrigin would return, without a WHATWG URL parse.
function defaultOrigin(url: WebSocketUrl): string {
  const port = url.port === defaultPort(url.secure) ? '' : `:${url.port}`;
  return `${url.secure ? 'https' : 'http'}://${url.host}${port}`;
}

function isWhatwgType(type: string): type is WhatwgType {
  return type === 'open' || type === 'message' || type === 'error' || type === 'close';
}

function checkBinaryType(value: string): BinaryType {
  if (value !== 'nodebuffer' && value !== 'arraybuffer') {
    throw new ClientError(
      'CLIENT_INVALID_OPTION',
      '5.1',
      `binaryType must be 'nodebuffer' or 'arraybuffer', got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ClientError('CLIENT_INVALID_OPTION', '5.1', `${name} must be a positive number`);
  }
  return value;
}

function notOpen(what: string): ClientError {
  return new ClientError(
    'CLIENT_NOT_OPEN',
    '5.1',
    `${what}() while CONNECTING: wait for the open event (no data before the handshake ends)`,
  );
}

// The tap sees the raw frame bytes: what arrived with the reply, each chunk read (registered
// before the engine's reader, so it sees a chunk before its messages are dispatched) and each
// write (only this socket's `write` is wrapped, and only when a tap was asked for).
function installTap(socket: Socket, tap: TapFunction, rest: Uint8Array): void {
  if (rest.byteLength > 0) tap('in', rest);
  socket.on('data', (chunk: Buffer) => tap('in', chunk));
  const write = socket.write;
  socket.write = function tapWrite(this: Socket, chunk: unknown, ...args: unknown[]) {
    if (chunk instanceof Uint8Array && chunk.byteLength > 0) tap('out', chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...args);
  } as typeof socket.write;
}
