import { EventEmitter } from 'node:events';
import type { Server as HttpServer, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import {
  createServerResponse,
  type HandshakeRequest,
  type HandshakeRequestHead,
  type ServerHandshakeOptions,
  ServerHandshakeParser,
  type ServerHandshakeResult,
} from '@ws02/handshake';
import {
  type ConnectionSettings,
  countError,
  encodeBroadcast,
  flushSchedulerFor,
  type OffloadStats,
  type SendData,
  TextOffload,
  WebSocketConnection as WebSocket,
  watchSocketErrors,
} from '@ws02/socket';
import type { Ws02Error } from '@ws02/url';
import {
  DEFAULT_HANDSHAKE_MIN_BATCH,
  HandshakeBatcher,
  type HandshakeBatchStats,
} from './handshake-batcher.js';
import { writeHttpRefusal } from './http-response.js';
import { ServerError } from './server-error.js';
import { createServerCounters, type ServerCounters, type ServerLogEvent } from './server-log.js';
import {
  SERVER_DEFAULTS,
  type UpgradeRequest,
  type VerifyClientResult,
  type WebSocketServerOptions,
} from './server-options.js';

type ConnectionCallback = (ws: WebSocket, req: UpgradeRequest, context: unknown) => void;

/** Where the offload layer put its work (`wss.offloadStats`, when `offload` is set). */
export interface ServerOffloadStats {
  /** Text messages of at least `minBytes`: decoded in the pool, or inline and why. */
  readonly text: OffloadStats;
  /** Handshake MD5 batching; undefined unless `offload.handshakes` is set. */
  readonly handshakes: HandshakeBatchStats | undefined;
}

/** The 16 bytes createServerResponse writes before the batcher fills in the real answer. */
const BLANK_ANSWER = new Uint8Array(16);

/** The events of a server, typed (Node's generic EventEmitter). */
export interface WebSocketServerEvents {
  connection: [ws: WebSocket, req: UpgradeRequest, context: unknown];
  listening: [];
  close: [];
  error: [error: Error];
  /** A handshake refused before the connection opened, with its stable code. */
  refused: [error: Ws02Error, remoteAddress: string | undefined];
}

/**
 * A draft-02 WebSocket server (sections 5.2, 7, 8) with a `ws`-like API.
 *
 * Three ways to get connections: `port` (a server of our own, whose handshake parser reads the
 * raw bytes — the fastest path), `server` (attach to an existing http/https server's `upgrade`
 * event), or `noServer` with `handleUpgrade()` called by the application's own routing.
 *
 * Events: `connection(ws, req, context)`, `listening`, `error(err)`, `close`, and
 * `refused(error, req?)` for every handshake refused (with its stable code).
 */
export class WebSocketServer extends EventEmitter<WebSocketServerEvents> {
  /** Open connections, when `clientTracking` is on (default). */
  readonly clients: Set<WebSocket> | undefined;
  /** Always-on counters: connections, messages, bytes, errors by code. */
  readonly counters: ServerCounters = createServerCounters();

  readonly #options: WebSocketServerOptions;
  readonly #limits: Required<
    Pick<
      WebSocketServerOptions,
      | 'handshakeTimeout'
      | 'maxHeadBytes'
      | 'maxFields'
      | 'maxBufferedBytes'
      | 'maxConnections'
      | 'maxPendingHandshakes'
      | 'closeTimeout'
      | 'textPolicy'
    >
  >;
  readonly #connections = new Set<WebSocket>();
  readonly #pending = new Set<Duplex>();
  #server: NetServer | HttpServer | undefined;
  #ownsServer = false;
  #upgradeListener: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #closePromise: Promise<void> | undefined;
  readonly #textOffload: TextOffload | undefined;
  readonly #batcher: HandshakeBatcher | undefined;
  /** One settings object for every connection of this server (see ConnectionSettings). */
  readonly #connectionSettings: ConnectionSettings;

  constructor(options: WebSocketServerOptions = {}, onListening?: () => void) {
    super();
    const modes =
      Number(options.port !== undefined) +
      Number(options.server !== undefined) +
      Number(options.noServer === true);
    if (modes !== 1) {
      throw new TypeError('exactly one of `port`, `server` or `noServer: true` must be given');
    }
    this.#options = options;
    this.#limits = {
      handshakeTimeout: options.handshakeTimeout ?? SERVER_DEFAULTS.handshakeTimeout,
      maxHeadBytes: options.maxHeadBytes ?? SERVER_DEFAULTS.maxHeadBytes,
      maxFields: options.maxFields ?? SERVER_DEFAULTS.maxFields,
      maxBufferedBytes: options.maxBufferedBytes ?? SERVER_DEFAULTS.maxBufferedBytes,
      maxConnections: options.maxConnections ?? SERVER_DEFAULTS.maxConnections,
      maxPendingHandshakes: options.maxPendingHandshakes ?? SERVER_DEFAULTS.maxPendingHandshakes,
      closeTimeout: options.closeTimeout ?? SERVER_DEFAULTS.closeTimeout,
      textPolicy: options.textPolicy ?? SERVER_DEFAULTS.textPolicy,
    };
    this.clients = options.clientTracking === false ? undefined : new Set();
    const offload = options.offload;
    this.#textOffload = offload === undefined ? undefined : new TextOffload(offload);
    if (offload !== undefined) warnOnThreadChurn(offload.pool);
    const handshakes = offload?.handshakes;
    this.#batcher =
      offload === undefined || handshakes === undefined || handshakes === false
        ? undefined
        : new HandshakeBatcher(
            offload.pool,
            (handshakes === true ? undefined : handshakes.minBatch) ?? DEFAULT_HANDSHAKE_MIN_BATCH,
            this.#textOffload!.maxQueue,
          );
    this.#connectionSettings = {
      role: 'server',
      frameOptions: {
        textPolicy: this.#limits.textPolicy,
        ...(options.maxFrameSize !== undefined ? { maxFrameSize: options.maxFrameSize } : {}),
        ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
        ...(options.maxFragments !== undefined ? { maxFragments: options.maxFragments } : {}),
      },
      maxBufferedBytes: this.#limits.maxBufferedBytes,
      closeTimeout: this.#limits.closeTimeout,
      counters: this.counters,
      ...(this.#textOffload === undefined ? {} : { offload: this.#textOffload }),
      onClose: (ws, wasClean) => this.#connectionClosed(ws, wasClean),
      flushScheduler: flushSchedulerFor(options.flush),
    };
    if (onListening) this.once('listening', onListening);

    if (options.port !== undefined) {
      const server = createNetServer({ noDelay: true }, (socket) => this.#onRawSocket(socket));
      this.#server = server;
      this.#ownsServer = true;
      server.on('error', (err) => this.emit('error', err));
      server.on('listening', () => {
        this.#log({ event: 'listening', address: formatAddress(server.address()) });
        this.emit('listening');
      });
      server.listen(options.port, options.host, options.backlog);
    } else if (options.server !== undefined) {
      const server = options.server;
      this.#server = server;
      this.#upgradeListener = (req, socket, head) => {
        // Leave requests for other paths to other listeners on a shared server.
        if (this.#options.path !== undefined && !this.#pathMatches(req.url ?? '')) {
          if (server.listenerCount('upgrade') === 1) {
            this.#refuse(
              socket,
              new ServerError(
                'SERVER_PATH_MISMATCH',
                '5.2.1',
                'no WebSocket service at this path',
                404,
              ),
            );
          }
          return;
        }
        this.handleUpgrade(req, socket, head, (ws, request, context) =>
          this.emit('connection', ws, request, context),
        );
      };
      server.on('upgrade', this.#upgradeListener);
      server.on('listening', () => this.emit('listening'));
      server.on('error', (err) => this.emit('error', err));
    }
    if (options.heartbeat)
      this.#startHeartbeat(options.heartbeat.interval, options.heartbeat.timeout);
  }

  /** What the offload layer did, when `offload` is set. */
  get offloadStats(): ServerOffloadStats | undefined {
    if (this.#textOffload === undefined) return undefined;
    return { text: this.#textOffload.stats, handshakes: this.#batcher?.stats };
  }

  /** The listening address of the server we own or attached to. */
  address(): AddressInfo | string | null {
    if (this.#server === undefined) {
      throw new Error('the server is in noServer mode: it has no address');
    }
    return this.#server.address();
  }

  /**
   * Runs the opening handshake (5.2) on a request Node's http server already parsed: validates
   * it, reads key_3 from `head` and, if needed, from the socket, applies the section 8 checks,
   * answers, and calls back with the open WebSocket. Refusals are answered with a plain HTTP
   * response and a closed socket; the callback is not called then.
   */
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: ConnectionCallback,
  ): void {
    if (!this.#admit(socket)) return;
    const secure = this.#options.secure ?? isEncrypted(socket as Socket);
    const session = ServerHandshakeParser.fromParsedRequest(
      req,
      this.#parserOptions(secure, socket as Socket, req),
    );
    this.#drive(socket as Socket, session, head, req, callback);
  }

  /** Runs the whole opening handshake on a raw socket (what `port` mode does for each socket). */
  handleSocket(socket: Socket, head?: Uint8Array): void {
    if (!this.#admit(socket)) return;
    const secure = this.#options.secure ?? isEncrypted(socket);
    const session = new ServerHandshakeParser(this.#parserOptions(secure, socket, undefined));
    this.#drive(socket, session, head ?? new Uint8Array(0), undefined, (ws, req, context) =>
      this.emit('connection', ws, req, context),
    );
  }

  /**
   * Sends one message to every open client (or those `filter` keeps). The frame is encoded once
   * and the same bytes are written to each socket. Returns the number of recipients.
   */
  broadcast(
    data: SendData,
    filter?: (ws: WebSocket) => boolean,
    options?: { binary?: boolean },
  ): number {
    const frames = encodeBroadcast(data, options?.binary);
    let count = 0;
    for (const ws of this.#connections) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (filter !== undefined && !filter(ws)) continue;
      if (ws.sendEncoded(frames)) count++;
    }
    return count;
  }

  /**
   * Stops accepting, runs the closing handshake (7) with every client, destroys stragglers
   * after `closeTimeout`, and resolves when every connection and the listener are closed.
   */
  close(callback?: (err?: Error) => void): Promise<void> {
    if (this.#closePromise === undefined) this.#closePromise = this.#close();
    if (callback) this.#closePromise.then(() => callback(), callback);
    return this.#closePromise;
  }

  async #close(): Promise<void> {
    this.#state = 'closing';
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    const server = this.#server;
    const serverClosed =
      server !== undefined && this.#ownsServer
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
    if (server !== undefined && this.#upgradeListener !== undefined) {
      server.off('upgrade', this.#upgradeListener);
    }
    for (const socket of this.#pending) {
      this.#refuse(
        socket,
        new ServerError('SERVER_CLOSING', '5.2.1', 'the server is shutting down', 503),
      );
    }
    const closed = [...this.#connections].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    );
    await Promise.all(closed);
    await serverClosed;
    this.#state = 'closed';
    this.emit('close');
  }

  // --- handshake ---

  /**
   * The handshake core does all of 5.2.1 including the subprotocol choice: the `protocols` list
   * or the `selectProtocol` callback is handed to it.
   */
  #parserOptions(
    secure: boolean,
    socket: Socket,
    httpReq: IncomingMessage | undefined,
  ): ServerHandshakeOptions {
    const select = this.#options.selectProtocol;
    return {
      secure,
      maxHeadBytes: this.#limits.maxHeadBytes,
      maxFields: this.#limits.maxFields,
      protocols:
        select !== undefined
          ? (offered, head) => select(offered, httpReq ?? new RawUpgradeRequest(head, socket))
          : (this.#options.protocols ?? []),
    };
  }

  #onRawSocket(socket: Socket): void {
    // Errors of sockets still handshaking end in their 'close'; nothing to report. The listener
    // is the one the connection keeps once the handshake succeeds.
    watchSocketErrors(socket);
    this.handleSocket(socket);
  }

  /** Admission control before any parsing: server state, open connections, pending handshakes. */
  #admit(socket: Duplex): boolean {
    if (!this.#canOpen(socket)) return false;
    if (this.#pending.size >= this.#limits.maxPendingHandshakes) {
      this.#refuse(
        socket,
        new ServerError('SERVER_TOO_MANY_PENDING', '5.2.1', 'too many handshakes in progress', 503),
      );
      return false;
    }
    return true;
  }

  /**
   * The server still accepts and has room for one more connection; otherwise the socket is
   * refused with 503. Checked on arrival and again after every asynchronous step of the
   * handshake (verifyClient, batched MD5), since either may have changed meanwhile.
   */
  #canOpen(socket: Duplex): boolean {
    if (this.#state !== 'open') {
      this.#refuse(
        socket,
        new ServerError('SERVER_CLOSING', '5.2.1', 'the server is shutting down', 503),
      );
      return false;
    }
    if (this.#connections.size >= this.#limits.maxConnections) {
      this.#refuse(
        socket,
        new ServerError('SERVER_TOO_MANY_CONNECTIONS', '5.2.1', 'too many open connections', 503),
      );
      return false;
    }
    return true;
  }

  #drive(
    socket: Socket,
    session: ServerHandshakeParser,
    first: Uint8Array,
    req: IncomingMessage | undefined,
    callback: ConnectionCallback,
  ): void {
    this.#pending.add(socket);
    let settled = false;
    const timer = setTimeout(() => {
      finish();
      this.#refuse(
        socket,
        new ServerError(
          'SERVER_HANDSHAKE_TIMEOUT',
          '5.2.1',
          `opening handshake not complete within ${this.#limits.handshakeTimeout} ms`,
        ),
      );
    }, this.#limits.handshakeTimeout);
    timer.unref();
    const onData = (chunk: Buffer) => handle(session.receiveData(chunk));
    const onEnd = () => handle(session.receiveEof());
    const onClose = () => finish();
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.#pending.delete(socket);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
    };
    const handle = (outcome: ServerHandshakeResult) => {
      if (settled || outcome.kind === 'need-more') return;
      if (outcome.kind === 'failed') {
        finish();
        this.#refuse(socket, outcome.error);
        return;
      }
      // Hold further bytes (pipelined frames) in the socket while the application decides.
      socket.off('data', onData);
      socket.pause();
      this.#accept(socket, outcome.request, outcome.rest, req, callback).then(
        () => finish(),
        (err) => {
          finish();
          this.#refuse(
            socket,
            new ServerError(
              'SERVER_VERIFY_FAILED',
              '8',
              `verifyClient failed: ${(err as Error).message}`,
              500,
            ),
          );
        },
      );
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    if (first.byteLength > 0) handle(session.receiveData(first));
  }

  async #accept(
    socket: Socket,
    request: HandshakeRequest,
    rest: Uint8Array,
    httpReq: IncomingMessage | undefined,
    callback: ConnectionCallback,
  ): Promise<void> {
    const req: UpgradeRequest = httpReq ?? new RawUpgradeRequest(request, socket);
    // 5.2.1: the resource name must be one this server serves.
    if (this.#options.path !== undefined && !this.#pathMatches(request.resourceName)) {
      this.#refuse(
        socket,
        new ServerError('SERVER_PATH_MISMATCH', '5.2.1', 'no WebSocket service at this path', 404),
      );
      return;
    }
    // Section 8: the Origin-based model.
    if (!this.#originAllowed(request.origin, req)) {
      this.#refuse(
        socket,
        new ServerError('SERVER_ORIGIN_REFUSED', '8', 'origin not allowed', 403),
      );
      return;
    }
    // 5.2.2: the handshake core chose the subprotocol (or aborted when none fits).
    const protocol = request.protocol ?? '';
    const secure = request.secure;
    // Section 8: the application's own decision (authentication, quotas, ...).
    let context: unknown;
    let setCookies: readonly string[] | undefined;
    if (this.#options.verifyClient !== undefined) {
      const verdict: VerifyClientResult = await this.#options.verifyClient({
        origin: request.origin,
        secure,
        resourceName: request.resourceName,
        protocols: request.protocols,
        remoteAddress: socket.remoteAddress,
        req,
      });
      if (socket.destroyed) return;
      if (verdict === false || (typeof verdict === 'object' && !verdict.accept)) {
        const refusal = typeof verdict === 'object' && !verdict.accept ? verdict : undefined;
        this.#refuse(
          socket,
          new ServerError(
            'SERVER_CLIENT_REFUSED',
            '8',
            refusal?.reason ?? 'refused by verifyClient',
            refusal?.status ?? 401,
          ),
          refusal?.headers,
        );
        return;
      }
      if (typeof verdict === 'object' && verdict.accept) {
        context = verdict.context;
        setCookies = verdict.setCookies;
      }
    }
    if (!this.#canOpen(socket) || socket.destroyed) return;
    // 5.2.2 steps 10–13: the 101 response and the 16-byte answer.
    // The core's TypeScript MD5 is used: on a 16-byte challenge it beats node:crypto's
    // createHash (about 230 ns against 760 ns per call, measured in @ws02/handshake's bench).
    const responseOptions = { request, ...(setCookies ? { setCookies } : {}) };
    let response: Uint8Array;
    if (this.#batcher === undefined) {
      response = createServerResponse(responseOptions);
    } else {
      // Offload batching: the core builds the response and its challenge (steps 4–8) now, with
      // the answer left blank; the batcher fills in the MD5 (step 9), in the pool or inline.
      // `md5` must not keep its input: the challenge is copied.
      let challenge: Uint8Array | undefined;
      const blank = createServerResponse({
        ...responseOptions,
        md5: (input) => {
          challenge = input.slice();
          return BLANK_ANSWER;
        },
      });
      response = await this.#batcher.answer(challenge!, blank);
      if (socket.destroyed || socket.writableEnded || !this.#canOpen(socket)) return;
    }
    socket.write(response);
    const ws = new WebSocket({
      socket,
      protocol,
      origin: request.origin,
      resourceName: request.resourceName,
      context,
      rest,
      settings: this.#connectionSettings,
    });
    this.#connections.add(ws);
    this.clients?.add(ws);
    this.counters.connectionsOpened++;
    if (this.#options.logger !== undefined) {
      this.#log({
        event: 'connection',
        remoteAddress: ws.remoteAddress,
        resourceName: request.resourceName,
        protocol,
      });
    }
    socket.resume();
    callback(ws, req, context);
  }

  /** Every connection's end (ConnectionSettings.onClose): one function, no listener each. */
  #connectionClosed(ws: WebSocket, wasClean: boolean): void {
    this.#connections.delete(ws);
    this.clients?.delete(ws);
    if (this.#options.logger !== undefined) {
      this.#log({
        event: 'close',
        remoteAddress: ws.remoteAddress,
        wasClean,
        ...(ws.closeError ? { code: ws.closeError.code } : {}),
      });
    }
  }

  #pathMatches(resourceName: string): boolean {
    const q = resourceName.indexOf('?');
    const path = q === -1 ? resourceName : resourceName.slice(0, q);
    return path === this.#options.path;
  }

  #originAllowed(origin: string | undefined, req: UpgradeRequest): boolean {
    const allowed = this.#options.allowedOrigins;
    if (allowed === undefined) return true;
    if (typeof allowed === 'function') return allowed(origin, req);
    return origin !== undefined && allowed.includes(origin);
  }

  #refuse(socket: Duplex, error: Ws02Error, headers?: Readonly<Record<string, string>>): void {
    this.counters.handshakesRefused++;
    countError(this.counters, error.code);
    const status = httpStatusOf(error);
    const remoteAddress = (socket as Socket).remoteAddress;
    this.#log({ event: 'refused', code: error.code, status, remoteAddress });
    if (this.listenerCount('refused') > 0) this.emit('refused', error, remoteAddress);
    if (error.code === 'SERVER_HANDSHAKE_TIMEOUT') {
      // A slow (or slowloris) peer gets no answer: the socket is simply freed.
      socket.destroy();
      return;
    }
    writeHttpRefusal(socket, status, error.message.split(' [')[0] ?? 'refused', headers);
  }

  #startHeartbeat(interval: number, timeout = interval): void {
    const sweep = Math.max(10, Math.min(interval, timeout));
    this.#heartbeatTimer = setInterval(() => {
      const now = Date.now();
      for (const ws of this.#connections) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        if (ws.awaitingPong) {
          if (now - ws.lastPingAt >= timeout) {
            countError(this.counters, 'SERVER_PONG_TIMEOUT');
            ws.terminate();
          }
        } else if (now - ws.lastPingAt >= interval) {
          ws.awaitingPong = true;
          ws.lastPingAt = now;
          ws.ping();
        }
      }
    }, sweep);
    this.#heartbeatTimer.unref();
  }

  #log(event: ServerLogEvent): void {
    this.#options.logger?.(event);
  }
}

const warnedPools = new WeakSet<object>();

/**
 * piscina's defaults (idleTimeout 0, minThreads < maxThreads) stop every thread above
 * minThreads as soon as it is idle and start a new one on the next burst: measured 4–7× slower
 * than a fixed-size pool (docs/SCALING.md). Said once per pool, as a process warning.
 */
function warnOnThreadChurn(pool: object): void {
  const o = (
    pool as { options?: { idleTimeout?: unknown; minThreads?: unknown; maxThreads?: unknown } }
  ).options;
  if (o === undefined || warnedPools.has(pool)) return;
  if (
    o.idleTimeout === 0 &&
    typeof o.minThreads === 'number' &&
    typeof o.maxThreads === 'number' &&
    o.minThreads < o.maxThreads
  ) {
    warnedPools.add(pool);
    process.emitWarning(
      `offload pool: idleTimeout 0 with minThreads ${o.minThreads} < maxThreads ${o.maxThreads} ` +
        'restarts worker threads on every burst; use a fixed-size pool (minThreads = maxThreads) ' +
        'or a long idleTimeout',
      { code: 'WS02_OFFLOAD_THREAD_CHURN' },
    );
  }
}

function httpStatusOf(error: Ws02Error): number {
  const status =
    (error as { status?: unknown; httpStatus?: unknown }).status ??
    (error as { httpStatus?: unknown }).httpStatus;
  return typeof status === 'number' ? status : 400;
}

/**
 * The `req` handed to callbacks when the raw-socket path parsed the request itself. Its
 * `headers` object (Node's `IncomingHttpHeaders` shape) is built only if someone reads it: most
 * servers never do, and it costs an object per handshake.
 */
class RawUpgradeRequest implements UpgradeRequest {
  readonly method: string;
  readonly url: string;
  readonly socket: Socket;
  readonly #head: HandshakeRequestHead;
  #headers: IncomingHttpHeaders | undefined;

  constructor(head: HandshakeRequestHead, socket: Socket) {
    this.method = head.method;
    this.url = head.resourceName;
    this.socket = socket;
    this.#head = head;
  }

  get headers(): IncomingHttpHeaders {
    if (this.#headers !== undefined) return this.#headers;
    const headers: Record<string, string | string[]> = {};
    const fields = this.#head.fields;
    for (const name of Object.keys(fields)) {
      const values = fields[name]!;
      headers[name] = name === 'set-cookie' ? [...values] : values.join(', ');
    }
    this.#headers = headers;
    return headers;
  }
}

function isEncrypted(socket: Socket): boolean {
  return (socket as Socket & { encrypted?: boolean }).encrypted === true;
}

function formatAddress(address: AddressInfo | string | null): string {
  if (address === null) return '';
  if (typeof address === 'string') return address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}
