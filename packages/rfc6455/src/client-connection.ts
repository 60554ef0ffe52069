import {
  type ClientConnection,
  type ConnectionHandler,
  HttpHeadError,
  type HttpHeadReader,
  type HttpResponseHead,
  type OpeningResponse,
  responseHeadReader,
} from '@ws02/protocol';
import { createAcceptValue, generateKey } from './accept-key.js';
import { checkClientOptions, clientRequestHead } from './client-request.js';
import { handshakeHeadFailure } from './handshake-head-failure.js';
import { checkOpeningResponse } from './opening-response.js';
import type { Rfc6455ClientOptions } from './options.js';
import { randomPoolFor } from './random.js';
import { Rfc6455Connection } from './rfc6455-connection.js';
import { Rfc6455Error } from './rfc6455-error.js';

/**
 * The client side of one RFC 6455 connection, sans-I/O (implements `ClientConnection`).
 *
 * The constructor checks the options (throwing `INVALID_ARGUMENT`), draws a fresh key from the
 * random source and queues the request (4.1): write `takeOutgoing()` once the transport is up.
 * The answer is read (bounded) and checked (4.1); a valid 101 sets `response`, goes OPEN, calls
 * `onOpen`, then reads any frames that came in the same chunk. Anything else calls `onError`
 * and closes (nothing is queued: the driver closes the transport). Every frame sent is masked
 * with a fresh key (5.3).
 *
 * ```ts fragment
 * const connection = new Rfc6455ClientConnection(handler, { url: 'ws://example.com/chat' });
 * socket.write(connection.takeOutgoing()); // the request
 * socket.on('data', (chunk) => connection.receiveData(chunk)); // → onOpen, onMessage…
 * ```
 */
export class Rfc6455ClientConnection extends Rfc6455Connection implements ClientConnection {
  readonly role = 'client' as const;
  /** The `Sec-WebSocket-Key` sent (4.1 step 7). */
  readonly key: string;
  readonly #expectedAccept: string;
  readonly #offered: readonly string[];
  #reader: HttpHeadReader<HttpResponseHead> | undefined;
  #response: OpeningResponse | undefined;

  constructor(handler: ConnectionHandler, options: Rfc6455ClientOptions) {
    const parts = checkClientOptions(options);
    const random = randomPoolFor(options.random);
    super(handler, options, 'server', random);
    this.#reader = responseHeadReader(options);
    this.#offered = parts.protocols;
    this.key = generateKey(random);
    this.#expectedAccept = createAcceptValue(this.key, options.sha1);
    this.out.writeHead(clientRequestHead(parts, this.key));
  }

  get response(): OpeningResponse | undefined {
    return this.#response;
  }

  protected handshakeData(chunk: Uint8Array): void {
    let result: ReturnType<HttpHeadReader<HttpResponseHead>['read']>;
    try {
      result = this.#reader!.read(chunk);
    } catch (error) {
      if (!(error instanceof HttpHeadError)) throw error;
      this.fail(handshakeHeadFailure(error));
      return;
    }
    if (result === undefined) return;
    this.#reader = undefined;
    let response: OpeningResponse;
    try {
      response = checkOpeningResponse(result.head, this.#expectedAccept, this.#offered);
    } catch (error) {
      if (!(error instanceof Rfc6455Error)) throw error;
      this.fail(error);
      return;
    }
    this.#response = response;
    this.open(response.protocol);
    // Frames the server sent right behind its answer, in the same chunk.
    if (result.rest.length > 0 && this.reading) this.receiveFrames(result.rest);
  }

  protected handshakeEof(): void {
    try {
      this.#reader!.end();
    } catch (error) {
      if (!(error instanceof HttpHeadError)) throw error;
      this.fail(handshakeHeadFailure(error));
    }
  }
}
