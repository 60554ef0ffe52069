import type { ChatAdapter } from './chat-adapter.js';

/** The chat's limits and manners; every field has a default (`CHAT_DEFAULTS`). */
export interface ChatLimits {
  /** Messages kept per room (and per direct-message inbox), and sent on join. Default 100. */
  readonly historySize: number;
  /** Longest `text` of a post or direct message, in Unicode code points. Default 2000. */
  readonly maxTextLength: number;
  /**
   * Largest WebSocket message (the JSON text, in UTF-8 bytes). A client sending more is closed
   * with `MESSAGE_TOO_LARGE`. Frames declaring more than 4× this are cut off from the frame
   * header, before buffering (the @ws02/server `maxMessageSize`). Default 16 KiB.
   */
  readonly maxMessageBytes: number;
  /** Rate limit: messages per second refilled into each connection's bucket. Default 5. */
  readonly rate: number;
  /** Rate limit: bucket size, the burst a client may send at once. Default 10. */
  readonly burst: number;
  /** Default 24. */
  readonly maxNickLength: number;
  /** Default 32. */
  readonly maxRoomNameLength: number;
  /** Rooms with members, server-wide; joining a new room past it fails. Default 1000. */
  readonly maxRooms: number;
  /** Members per room. Default 1000. */
  readonly maxRoomMembers: number;
  /** Rooms one user may be in. Default 20. */
  readonly maxRoomsPerUser: number;
  /** A connection must send `hello` within this (ms), else it is closed. Default 30 s. */
  readonly helloTimeout: number;
  /**
   * After a connection drops, its nick and direct-message inbox are held this long (ms) for a
   * `hello` carrying the session token (resume). Default 60 s.
   */
  readonly resumeWindow: number;
}

export const CHAT_DEFAULTS: ChatLimits = {
  historySize: 100,
  maxTextLength: 2000,
  maxMessageBytes: 16 * 1024,
  rate: 5,
  burst: 10,
  maxNickLength: 24,
  maxRoomNameLength: 32,
  maxRooms: 1000,
  maxRoomMembers: 1000,
  maxRoomsPerUser: 20,
  helloTimeout: 30_000,
  resumeWindow: 60_000,
};

/** What the chat logs through (pino's logger fits; any object with these methods does). */
export interface ChatLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const SILENT_LOGGER: ChatLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export interface ChatServerOptions {
  /** Default 8080; 0 picks a free port (see `address()` / the `url` after `start()`). */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** PEM key and certificate: the server speaks TLS (`wss://`, `https://`). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Section 8: exact Origin values accepted; absent = any origin. */
  readonly allowedOrigins?: readonly string[];
  /** Ping every `interval` ms, drop a peer whose Pong is `timeout` ms late. Default 30 s / 30 s. */
  readonly heartbeat?: { readonly interval: number; readonly timeout?: number } | false;
  /** Closing handshake time before a socket is destroyed (ms). Default 5 s. */
  readonly closeTimeout?: number;
  /**
   * When room fan-outs leave for the sockets (@ws02/server's `flush`): `'tick'` (default, lowest
   * latency), `'turn'`, or a delay in ms — messages of separate events within it share one write
   * per member, which is what a large room's delivery rate is bound by.
   */
  readonly flush?: 'tick' | 'turn' | number;
  /** Open WebSocket connections; then refused with 503. Default 10,000. */
  readonly maxConnections?: number;
  readonly limits?: Partial<ChatLimits>;
  /** Default: a `MemoryAdapter` with `limits.historySize`. */
  readonly adapter?: ChatAdapter;
  /** Default: silent. */
  readonly logger?: ChatLogger;
  /** Also export Node process metrics (`process_*`, `nodejs_*`) on /metrics. Default true. */
  readonly processMetrics?: boolean;
}

export const SERVER_OPTION_DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  heartbeat: { interval: 30_000, timeout: 30_000 },
  closeTimeout: 5_000,
  maxConnections: 10_000,
} as const;
