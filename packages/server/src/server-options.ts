import type { Server as HttpServer, IncomingHttpHeaders } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { FlushPolicy, TextOffloadOptions } from '@ws02/socket';
import type { ServerLogEvent } from './server-log.js';

/** What every handshake path (http `upgrade`, raw socket) knows about the opening request. */
export interface UpgradeRequest {
  readonly method?: string | undefined;
  /** The request-URI as sent: the resource name (5.2.1). */
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
}

/** Input to `verifyClient` (section 8: the server decides whom it serves). */
export interface VerifyClientInfo {
  /** The `Origin` field, exactly as sent; undefined when absent. Never proof of identity (8). */
  readonly origin: string | undefined;
  readonly secure: boolean;
  readonly resourceName: string;
  readonly protocols: readonly string[];
  readonly remoteAddress: string | undefined;
  readonly req: UpgradeRequest;
}

/**
 * What `verifyClient` answers: `true`/`false`, or an object. `context` (e.g. the authenticated
 * user) travels to the `connection` event and `ws.context`, so no side table is needed.
 */
export type VerifyClientResult =
  | boolean
  | { readonly accept: true; readonly context?: unknown; readonly setCookies?: readonly string[] }
  | {
      readonly accept: false;
      /** HTTP status of the refusal, default 401. */
      readonly status?: number;
      readonly reason?: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export interface HeartbeatOptions {
  /** Send a Ping every `interval` ms of the connection's life. */
  readonly interval: number;
  /** Terminate a peer whose Pong has not come `timeout` ms after a Ping. Default: `interval`. */
  readonly timeout?: number;
}

/** Batching of handshake MD5s in the offload pool (off by default: inline is faster). */
export interface HandshakeOffloadOptions {
  /**
   * At least this many handshakes must reach their answer in the same event-loop turn for their
   * MD5s to go to the pool as one task; fewer are computed inline. Default 64.
   */
  readonly minBatch?: number;
}

/**
 * The offload layer (docs/SCALING.md): CPU-heavy work in a worker pool the application creates
 * with this package's worker module (`new Piscina({ filename: offloadWorkerUrl })`) and passes
 * in. Large non-ASCII text is decoded in the pool (`pool`, `minBytes`, `maxQueue`,
 * `keepAsciiInline`, see @ws02/socket's `TextOffloadOptions`); handshake MD5s only when
 * `handshakes` is set.
 */
export interface OffloadOptions extends TextOffloadOptions {
  /** Batch handshake MD5s in the pool during bursts. Default: off (always inline). */
  readonly handshakes?: HandshakeOffloadOptions | boolean;
}

export interface WebSocketServerOptions {
  /** Listen on this port (0 = any free port) with a server of our own. */
  readonly port?: number;
  readonly host?: string;
  readonly backlog?: number;
  /** Attach to an existing http/https server's `upgrade` event. */
  readonly server?: HttpServer | HttpsServer;
  /** Neither listen nor attach: the app calls `handleUpgrade` itself. */
  readonly noServer?: boolean;
  /** Only accept this resource name's path (query ignored); others get 404. */
  readonly path?: string;
  /**
   * Section 8: allowed `Origin` values (lowercase ASCII serializations, compared exactly), or a
   * predicate. Requests without Origin are refused when a list is given (a browser always sends
   * one; non-browser clients can send any value, so never treat Origin as authentication).
   */
  readonly allowedOrigins?:
    | readonly string[]
    | ((origin: string | undefined, req: UpgradeRequest) => boolean);
  /** Section 8: the application's own check, after the handshake request parsed and passed 5.2.1. */
  readonly verifyClient?: (
    info: VerifyClientInfo,
  ) => VerifyClientResult | Promise<VerifyClientResult>;
  /** Subprotocols this server speaks, in order of preference; the first one offered is chosen. */
  readonly protocols?: readonly string[];
  /**
   * Chooses the subprotocol from the client's list (5.2.2): a string, or undefined when none is
   * acceptable — then 5.2.1 says abort. Overrides `protocols`.
   */
  readonly selectProtocol?: (offered: readonly string[], req: UpgradeRequest) => string | undefined;
  /** `wss` in Sec-WebSocket-Location (5.2.2) when TLS is terminated in front of this server. */
  readonly secure?: boolean;
  /** Section 6.2 decision: `replace` (U+FFFD, default) or `fail` on invalid UTF-8 from clients. */
  readonly textPolicy?: 'replace' | 'fail';

  // --- limits, each with a safe default ---
  /** Whole opening handshake (request, fields, key_3) must arrive within this. Default 10 s. */
  readonly handshakeTimeout?: number;
  /** Bytes of request line + fields. Default 16 KiB. */
  readonly maxHeadBytes?: number;
  /** Number of header fields. Default 100. */
  readonly maxFields?: number;
  /** Largest frame payload accepted, checked from the header. Default: @ws02/frame's. */
  readonly maxFrameSize?: number;
  /** Largest assembled message. Default: @ws02/frame's. */
  readonly maxMessageSize?: number;
  /** Most fragments in one message. Default: @ws02/frame's. */
  readonly maxFragments?: number;
  /** Outgoing bytes queued per connection before a non-reading peer is closed. Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /** Open connections. Default 50,000. */
  readonly maxConnections?: number;
  /** Handshakes in progress. Default 1,000. */
  readonly maxPendingHandshakes?: number;
  /** Time for the peer to answer our Close and close TCP (7). Default 5 s. */
  readonly closeTimeout?: number;
  /** Ping/Pong liveness check; off by default. */
  readonly heartbeat?: HeartbeatOptions | false;
  /** Keep `server.clients`. Default true. */
  readonly clientTracking?: boolean;
  /**
   * When frames queued by sends leave for the socket (`FlushPolicy` of @ws02/socket). Default
   * `'tick'`: at the end of the tick they were sent in (lowest latency). `'turn'`: once per
   * event-loop turn, so fan-outs of messages that arrived in the same turn share one write per
   * client. A number of milliseconds: at most that much later, one timer for all connections —
   * broadcasts made in separate events within the window share one write per client, cutting a
   * large fan-out's write syscalls (docs/BENCHMARKS.md, broadcast) at the price of that latency.
   */
  readonly flush?: FlushPolicy;
  /**
   * Run CPU-heavy work (decoding large text; optionally handshake MD5s in bursts) in a worker
   * pool. Off by default.
   */
  readonly offload?: OffloadOptions;
  /** Structured events for the application's logger; nothing is printed by default. */
  readonly logger?: (event: ServerLogEvent) => void;
}

export const SERVER_DEFAULTS = {
  handshakeTimeout: 10_000,
  maxHeadBytes: 16 * 1024,
  maxFields: 100,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxConnections: 50_000,
  maxPendingHandshakes: 1_000,
  closeTimeout: 5_000,
  textPolicy: 'replace',
} as const;
