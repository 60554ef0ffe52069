/**
 * Close status codes (RFC 6455 section 7.4). draft-02 has none: its connections report a
 * received Close as `NO_STATUS` (1005) with the whole body as the reason, and an abnormal end as
 * `ABNORMAL` (1006), so applications read one set of codes whatever the wire protocol.
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Never sent: the Close had no status code (or the protocol has none). */
  NO_STATUS: 1005,
  /** Never sent: the connection ended without a Close. */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  /** Never sent: the TLS handshake failed. */
  TLS_FAILURE: 1015,
} as const;

/**
 * Whether `code` may be sent in a Close frame (RFC 6455 7.4.1 and 7.4.2, with 1012–1014 as
 * registered later): 1000–1003, 1007–1014, 3000–4999.
 */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}
