/** Exit codes of `ws02` (README table). */
export const EXIT = {
  /** Done: the connection closed cleanly or because we closed it; `url`: the URL is valid. */
  OK: 0,
  /** The connection could not be established (connect, proxy, TLS, handshake); `url`: invalid. */
  CONNECT_FAILED: 1,
  /** Bad usage: unknown option, missing argument, invalid URL or option value. */
  USAGE: 2,
  /** The connection was lost: it closed uncleanly without us asking. */
  CONNECTION_LOST: 3,
} as const;
