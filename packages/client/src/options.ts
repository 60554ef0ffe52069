import type { ConnectionOptions } from 'node:tls';
import type { CookieJar } from 'tough-cookie';
import type { ConnectQueue } from './connect-queue.js';
import type { ReconnectOptions } from './reconnect.js';
import type { LookupFunction } from './transport.js';

/** How Binary messages are handed over: Node `Buffer` (default) or a standalone `ArrayBuffer`. */
export type BinaryType = 'nodebuffer' | 'arraybuffer';

/** TLS options passed through to `tls.connect` for wss (5.1 step 4). */
export type TlsPassThrough = Pick<
  ConnectionOptions,
  | 'ca'
  | 'cert'
  | 'key'
  | 'pfx'
  | 'passphrase'
  | 'rejectUnauthorized'
  | 'servername'
  | 'checkServerIdentity'
  | 'ciphers'
  | 'minVersion'
  | 'maxVersion'
  | 'ecdhCurve'
  | 'secureContext'
  | 'session'
  | 'crl'
>;

/** Raw-bytes observer (tracing tools): `in` = from the server, `out` = to it. */
export type TapFunction = (direction: 'in' | 'out', bytes: Uint8Array) => void;

export interface WebSocketOptions extends TlsPassThrough {
  /**
   * The origin sent in `Origin` (5.1 step 14), any URL or origin; it is sent in its lowercase
   * ASCII serialization. Default: `http://host[:port]` for ws, `https://host[:port]` for wss.
   */
  readonly origin?: string;
  /** Further request fields (step 18), e.g. Authorization. Never one the handshake owns. */
  readonly headers?: Readonly<Record<string, string>> | Iterable<readonly [string, string]>;
  /** Steps 3–48 must finish within this many ms (step 31 allows a timeout). Default 10 000. */
  readonly handshakeTimeout?: number;
  /** Section 7: after the closing handshake, wait this long for the server's TCP close. Default 5 000. */
  readonly closeTimeout?: number;
  /**
   * Step 3: an `http://[user:pass@]host:port` proxy spoken to with CONNECT, or `false` for none.
   * Default: `https_proxy`/`http_proxy`/`all_proxy` (either case), honouring `no_proxy`.
   */
  readonly proxy?: string | false;
  /** `user:password` for a 407 (CONNECT or step 33); default: the proxy URL's userinfo. */
  readonly proxyAuth?: string;
  /**
   * Steps 17, 44, 49: a tough-cookie `CookieJar` read for the request and written once the
   * connection is established. Default: a jar of this WebSocket's own (kept across reconnects);
   * `false`: no cookies at all.
   */
  readonly cookieJar?: CookieJar | false;
  /** Steps 49–51: do not apply the server's cookies; hand them over in `ws.cookies` instead. */
  readonly deferCookies?: boolean;
  readonly binaryType?: BinaryType;
  /** Largest frame / message / fragment count accepted from the server (@ws02/frame defaults). */
  readonly maxFrameSize?: number;
  readonly maxMessageSize?: number;
  readonly maxFragments?: number;
  /** Outgoing bytes allowed to queue before the connection is cut off. Default: unlimited. */
  readonly maxBufferedBytes?: number;
  /** Largest response head (bytes) and field count (steps 31–42). Defaults 16 KiB / 100. */
  readonly maxHeadBytes?: number;
  readonly maxFields?: number;
  /** Step 2's queue; default: the process-wide {@link defaultConnectQueue}. */
  readonly connectQueue?: ConnectQueue;
  /** Host name resolution for step 2. Default: `dns.promises.lookup`. */
  readonly lookup?: LookupFunction;
  /** Opt-in reconnection with exponential backoff and jitter. */
  readonly reconnect?: boolean | ReconnectOptions;
  /** Aborting it is `terminate()`. */
  readonly signal?: AbortSignal;
  /** More `tls.connect` options; the top-level TLS options above take precedence. */
  readonly tls?: ConnectionOptions;
  /** Observe the raw bytes of the open connection (after the handshake), e.g. to trace frames. */
  readonly tap?: TapFunction;
}
