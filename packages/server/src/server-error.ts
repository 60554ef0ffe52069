import { Ws02Error } from '@ws02/url';

/** Every reason the server refuses or fails a connection on its own account (README table). */
export type ServerErrorCode =
  // 8: Origin not in `allowedOrigins` → 403
  | 'SERVER_ORIGIN_REFUSED'
  // 8: `verifyClient` said no → its status (default 401)
  | 'SERVER_CLIENT_REFUSED'
  // `verifyClient` threw or rejected → 500
  | 'SERVER_VERIFY_FAILED'
  // 5.2.1: the request's resource name is not the server's `path` → 404
  | 'SERVER_PATH_MISMATCH'
  // 5.2.1: request, fields and key_3 not complete within `handshakeTimeout` → socket destroyed
  | 'SERVER_HANDSHAKE_TIMEOUT'
  // `maxConnections` open connections already → 503
  | 'SERVER_TOO_MANY_CONNECTIONS'
  // `maxPendingHandshakes` handshakes in progress already → 503
  | 'SERVER_TOO_MANY_PENDING'
  // heartbeat: no Pong within `heartbeat.timeout` → connection terminated
  | 'SERVER_PONG_TIMEOUT'
  // the server is closing or closed and accepts no new connection → 503
  | 'SERVER_CLOSING';

/** An error of @ws02/server; `status` is the HTTP status of a refusal, when there is one. */
export class ServerError extends Ws02Error<ServerErrorCode> {
  static override readonly kind = 'ServerError';
  /** HTTP status sent for refusals before the handshake completes. */
  status: number | undefined;

  constructor(code: ServerErrorCode, section: string, message: string, status?: number) {
    super(code, section, message);
    this.status = status;
  }
}
