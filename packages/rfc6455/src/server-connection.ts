import {
  type AcceptOptions,
  CONNECTING,
  type ConnectionHandler,
  EMPTY_BYTES,
  HttpHeadError,
  type HttpHeadReader,
  type HttpRequestHead,
  type OpeningRequest,
  type ParsedHttpRequest,
  requestHeadFromParsed,
  requestHeadReader,
  type ServerConnection,
} from '@ws02/protocol';
import { handshakeHeadFailure } from './handshake-head-failure.js';
import { checkOpeningRequest } from './opening-request.js';
import type { Rfc6455ServerOptions } from './options.js';
import { Rfc6455Connection } from './rfc6455-connection.js';
import { Rfc6455Error } from './rfc6455-error.js';
import {
  acceptResponseHead,
  checkAcceptOptions,
  checkRefusal,
  failedRequestHead,
  refusalHead,
} from './server-response.js';
import type { Sha1 } from './sha1.js';

const NO_OPTIONS: AcceptOptions = {};

/**
 * The server side of one RFC 6455 connection, sans-I/O (implements `ServerConnection`).
 *
 * CONNECTING: the client's request is read (bounded by `maxHeadBytes`/`maxFields`) and checked
 * (4.2.1); a bad request queues the refusal (400, 426 with `Sec-WebSocket-Version: 13`, 431),
 * calls `onError` and closes. A good one calls `onRequest(request)` — the subprotocol is chosen
 * by then (`request.protocol`) — and waits for the application: bytes that arrive meanwhile
 * (frames the client pipelined) are held, in order. `accept()` queues the 101 (4.2.2), goes
 * OPEN, calls `onOpen`, then reads the held bytes; `reject()` queues a refusal and closes.
 * Without an `onRequest` handler, the request is accepted at once.
 *
 * ```ts fragment
 * const connection = new Rfc6455ServerConnection(handler, { protocols: ['chat'] });
 * connection.receiveData(chunk); // → handler.onRequest(request) → connection.accept()
 * socket.write(connection.takeOutgoing()); // the 101, then frames
 * ```
 */
export class Rfc6455ServerConnection extends Rfc6455Connection implements ServerConnection {
  readonly role = 'server' as const;
  readonly #options: Rfc6455ServerOptions;
  readonly #sha1: Sha1 | undefined;
  #reader: HttpHeadReader<HttpRequestHead> | undefined;
  /** A head someone else read (`fromRequestHead`), checked at the first `receiveData`. */
  #given: HttpRequestHead | undefined;
  /** A head from `fromParsedRequest` that broke HTTP's syntax: refused at the first input. */
  #pendingFailure: Rfc6455Error | undefined;
  #request: OpeningRequest | undefined;
  #key = '';
  #decided = false;
  /** Bytes that arrived while the application decides, in order; and an end of input. */
  #held: Uint8Array[] = [];
  #heldEof = false;

  constructor(handler: ConnectionHandler, options: Rfc6455ServerOptions = {}) {
    super(handler, options, 'client', undefined);
    this.#options = options;
    this.#sha1 = options.sha1;
    this.#reader = requestHeadReader(options);
  }

  /**
   * A connection for a request whose head was already read — by `@ws02/protocol`'s
   * `requestHeadReader` (a server choosing the wire protocol per request) or converted from
   * Node's `upgrade` event with `requestHeadFromParsed`. The checks run at the first
   * `receiveData` (pass the bytes after the head, even when empty) or `receiveEof`.
   */
  static fromRequestHead(
    head: HttpRequestHead,
    handler: ConnectionHandler,
    options: Rfc6455ServerOptions = {},
  ): Rfc6455ServerConnection {
    const connection = new Rfc6455ServerConnection(handler, options);
    connection.#reader = undefined;
    connection.#given = head;
    return connection;
  }

  /**
   * A connection for Node's `upgrade` event (`request` is the `IncomingMessage`): call
   * `receiveData(head)` next, with the event's `head` buffer even when empty. A head that breaks
   * HTTP's syntax is refused (`HANDSHAKE_MALFORMED_HEAD`) at that first call.
   */
  static fromParsedRequest(
    request: ParsedHttpRequest,
    handler: ConnectionHandler,
    options: Rfc6455ServerOptions = {},
  ): Rfc6455ServerConnection {
    const connection = new Rfc6455ServerConnection(handler, options);
    connection.#reader = undefined;
    try {
      connection.#given = requestHeadFromParsed(request, options);
    } catch (error) {
      if (!(error instanceof HttpHeadError)) throw error;
      connection.#pendingFailure = handshakeHeadFailure(error);
    }
    return connection;
  }

  get request(): OpeningRequest | undefined {
    return this.#request;
  }

  /**
   * Queues the 101 answer (4.2.2) with the chosen subprotocol, `setCookies` and `headers`; OPEN,
   * `onOpen`, then the held bytes' events — all before it returns. Throws `INVALID_STATE` unless
   * a request is waiting for its answer, `INVALID_ARGUMENT` for fields that cannot be written.
   */
  accept(options: AcceptOptions = NO_OPTIONS): void {
    this.#checkDecision('accept');
    checkAcceptOptions(options);
    this.#decided = true;
    const request = this.#request!;
    const protocol = request.protocol ?? '';
    this.out.writeHead(acceptResponseHead(this.#key, protocol, options, this.#sha1));
    this.open(protocol);
    // The bytes the client sent after its request, in order, as if they arrived now.
    const held = this.#held;
    this.#held = [];
    for (let i = 0; i < held.length && this.reading; i++) this.receiveFrames(held[i]!);
    if (this.#heldEof) this.receiveEof();
  }

  /**
   * Queues an HTTP refusal (`status` 300–599, a `reason` phrase, extra `headers`) and closes
   * (4.2.2: "return an appropriate HTTP error code"). Throws like `accept`.
   */
  reject(status: number, reason: string, headers?: Readonly<Record<string, string>>): void {
    this.#checkDecision('reject');
    checkRefusal(status, reason, headers);
    this.#decided = true;
    this.#held = [];
    this.out.writeHead(refusalHead(status, reason, headers));
    this.end();
  }

  protected handshakeData(chunk: Uint8Array): void {
    if (this.#request !== undefined) {
      // Waiting for accept/reject: hold the bytes (the chunk is ours: no copy).
      if (chunk.length > 0) this.#held.push(chunk);
      return;
    }
    if (this.#pendingFailure !== undefined) {
      this.#refuse(this.#pendingFailure);
      return;
    }
    const given = this.#given;
    if (given !== undefined) {
      this.#given = undefined;
      this.#checkRequest(given, chunk);
      return;
    }
    let result: ReturnType<HttpHeadReader<HttpRequestHead>['read']>;
    try {
      result = this.#reader!.read(chunk);
    } catch (error) {
      if (!(error instanceof HttpHeadError)) throw error;
      this.#refuse(handshakeHeadFailure(error));
      return;
    }
    if (result === undefined) return;
    this.#reader = undefined;
    this.#checkRequest(result.head, result.rest);
  }

  protected handshakeEof(): void {
    if (
      this.#request === undefined &&
      (this.#given !== undefined || this.#pendingFailure !== undefined)
    ) {
      // A head given but not yet checked: check it first.
      this.handshakeData(EMPTY_BYTES);
      if (!this.reading) return; // Refused.
      if (this.state !== CONNECTING) {
        this.receiveEof(); // Accepted at once (no onRequest handler).
        return;
      }
    }
    if (this.#request !== undefined) {
      this.#heldEof = true; // Read after the held bytes, once accepted.
      return;
    }
    try {
      this.#reader!.end();
    } catch (error) {
      if (!(error instanceof HttpHeadError)) throw error;
      this.fail(handshakeHeadFailure(error)); // The client is gone: no refusal is queued.
    }
  }

  #checkRequest(head: HttpRequestHead, rest: Uint8Array): void {
    let checked: ReturnType<typeof checkOpeningRequest>;
    try {
      checked = checkOpeningRequest(head, this.#options);
    } catch (error) {
      if (!(error instanceof Rfc6455Error)) throw error;
      this.#refuse(error);
      return;
    }
    this.#request = checked.request;
    this.#key = checked.key;
    if (rest.length > 0) this.#held.push(rest); // Before onRequest: accept() inside it reads them.
    if (this.handler.onRequest === undefined) this.accept();
    else this.handler.onRequest(checked.request);
  }

  /** 4.2.1: a bad request gets an HTTP error (the error's status), then the connection closes. */
  #refuse(error: Rfc6455Error): void {
    this.#decided = true;
    this.out.writeHead(failedRequestHead(error.httpStatus));
    this.fail(error);
  }

  #checkDecision(what: string): void {
    if (this.#request === undefined || this.#decided || this.state !== CONNECTING) {
      throw new Rfc6455Error(
        'INVALID_STATE',
        '4.2.2',
        this.#decided
          ? `cannot ${what}: the request was answered already`
          : `cannot ${what}: no complete, valid request is waiting for an answer`,
      );
    }
  }
}
