import { Ws02Error } from '@ws02/url';

/** Reasons a connection fails in the Node shell itself (README table). */
export type SocketErrorCode =
  // send/ping/pong after the connection left the OPEN state (7: no data after Close)
  | 'SOCKET_NOT_OPEN'
  // the peer does not read: queued outgoing bytes passed `maxBufferedBytes`
  | 'SOCKET_BUFFER_OVERFLOW'
  // 7: the closing handshake (or the server's TCP close) did not finish within `closeTimeout`
  | 'SOCKET_CLOSE_TIMEOUT'
  // the TCP connection failed (reset, ...) under an open WebSocket
  | 'SOCKET_ERROR'
  // offload: decoding a text message in the worker pool failed (worker crashed, pool destroyed)
  | 'SOCKET_OFFLOAD_FAILED';

export class SocketError extends Ws02Error<SocketErrorCode> {
  static override readonly kind = 'SocketError';
}
