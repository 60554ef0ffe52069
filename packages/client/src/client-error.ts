import { Ws02Error } from '@ws02/url';

/**
 * The client shell's own reasons for failing a WebSocket connection (draft-02 5.1 steps 2–4,
 * 31, 33 and section 7) or refusing a call. Handshake validation failures are the core's
 * `HandshakeError` (with its step); bad URLs are `WebSocketUrlError` (3.1/3.3). Every code is in
 * the README table and has a test.
 */
export type ClientErrorCode =
  /** An option has a value the client cannot use (e.g. a bad `binaryType`, a non-http proxy). */
  | 'CLIENT_INVALID_OPTION'
  /** `send`/`ping`/`pong` while CONNECTING (WHATWG's InvalidStateError). */
  | 'CLIENT_NOT_OPEN'
  /** 5.1 step 2: the host name could not be resolved to an IP address. */
  | 'CLIENT_DNS_FAILED'
  /** 5.1 step 3: the TCP connection (to the server or the proxy) could not be opened. */
  | 'CLIENT_CONNECT_FAILED'
  /** 5.1 step 4: the TLS handshake failed (certificate refused, protocol error, …). */
  | 'CLIENT_TLS_FAILED'
  /** The connection failed (reset, error) while the opening handshake was running. */
  | 'CLIENT_SOCKET_ERROR'
  /** 5.1 step 3: the proxy refused or broke the CONNECT request (status other than 2xx/407). */
  | 'CLIENT_PROXY_FAILED'
  /** 5.1 step 33 / CONNECT: a 407 and no proxy credentials to answer it with. */
  | 'CLIENT_PROXY_AUTH_REQUIRED'
  /** 5.1 step 33 / CONNECT: a 407 again after the credentials were sent once. */
  | 'CLIENT_PROXY_AUTH_FAILED'
  /** 5.1 step 31: the opening handshake did not complete within `handshakeTimeout`. */
  | 'CLIENT_HANDSHAKE_TIMEOUT'
  /** `close()`/`terminate()` (or the `signal`) ended the connection before it was established. */
  | 'CLIENT_CLOSED_BEFORE_OPEN';

/** A client-side failure that is not a handshake validation step (those are `HandshakeError`). */
export class ClientError extends Ws02Error<ClientErrorCode> {
  static override readonly kind = 'ClientError';
}
