/** The components of a WebSocket URL, as section 3.1 returns them and 3.2 consumes them. */
export interface WebSocketUrl {
  /** Lowercase, ASCII (punycode) host; IPv6 literals keep their brackets: `[::1]`. */
  readonly host: string;
  /** Explicit port, or the scheme's default (80 for ws, 443 for wss). */
  readonly port: number;
  /** Path (`/` when empty) plus `?query` when the URL has a query. */
  readonly resourceName: string;
  /** `wss` (TLS) when true, `ws` when false. */
  readonly secure: boolean;
}

/** Section 3.1 step 8: the port used when the URL names none. */
export function defaultPort(secure: boolean): number {
  return secure ? 443 : 80;
}
