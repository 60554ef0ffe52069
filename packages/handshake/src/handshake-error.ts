import { Ws02Error, type Ws02ErrorOptions } from '@ws02/errors';

/**
 * Every reason the opening handshake (draft-02 section 5) fails or is aborted, one stable code
 * each. The README has the full table (code, side, section/step, HTTP status).
 */
export type HandshakeErrorCode =
  // ── limits (both sides; not draft steps: the draft puts no bound on a head) ──
  | 'HANDSHAKE_HEAD_TOO_LARGE'
  | 'HANDSHAKE_TOO_MANY_FIELDS'
  // ── byte-level syntax (both sides) ──
  | 'HANDSHAKE_BAD_LINE_ENDING'
  | 'HANDSHAKE_BAD_FIELD_NAME'
  | 'HANDSHAKE_EMPTY_FIELD_NAME'
  | 'HANDSHAKE_BAD_FIELD_VALUE'
  | 'HANDSHAKE_DUPLICATE_FIELD'
  | 'HANDSHAKE_UNEXPECTED_EOF'
  // ── server, reading the client's handshake (5.2.1) ──
  | 'HANDSHAKE_BAD_REQUEST_LINE'
  | 'HANDSHAKE_BAD_METHOD'
  | 'HANDSHAKE_BAD_RESOURCE_NAME'
  | 'HANDSHAKE_BAD_HTTP_VERSION'
  | 'HANDSHAKE_MISSING_UPGRADE'
  | 'HANDSHAKE_BAD_UPGRADE'
  | 'HANDSHAKE_MISSING_CONNECTION'
  | 'HANDSHAKE_BAD_CONNECTION'
  | 'HANDSHAKE_MISSING_HOST'
  | 'HANDSHAKE_BAD_HOST'
  | 'HANDSHAKE_HOST_REJECTED'
  | 'HANDSHAKE_MISSING_ORIGIN'
  | 'HANDSHAKE_ORIGIN_REJECTED'
  | 'HANDSHAKE_MISSING_DRAFT'
  | 'HANDSHAKE_UNSUPPORTED_DRAFT'
  | 'HANDSHAKE_MISSING_KEY'
  | 'HANDSHAKE_BAD_PROTOCOL_LIST'
  | 'HANDSHAKE_UNSUPPORTED_PROTOCOL'
  // ── server, the key challenge (5.2.2 steps 4–6) ──
  | 'HANDSHAKE_BAD_KEY'
  | 'HANDSHAKE_KEY_TOO_LARGE'
  | 'HANDSHAKE_KEY_NO_SPACES'
  | 'HANDSHAKE_KEY_NOT_MULTIPLE'
  | 'HANDSHAKE_BAD_KEY3'
  // ── client (5.1) ──
  | 'HANDSHAKE_INVALID_URL'
  | 'HANDSHAKE_INVALID_FIELD'
  | 'HANDSHAKE_BAD_STATUS_LINE'
  | 'HANDSHAKE_UNEXPECTED_STATUS'
  | 'HANDSHAKE_MISSING_LOCATION'
  | 'HANDSHAKE_LOCATION_MISMATCH'
  | 'HANDSHAKE_ORIGIN_MISMATCH'
  | 'HANDSHAKE_MISSING_PROTOCOL'
  | 'HANDSHAKE_PROTOCOL_MISMATCH'
  | 'HANDSHAKE_CHALLENGE_MISMATCH'
  // ── API use ──
  | 'HANDSHAKE_INVALID_STATE';

export interface HandshakeErrorOptions extends Ws02ErrorOptions {
  /** The (lower-case) field name involved, when the failure is about one field. */
  readonly field?: string;
}

/** The opening handshake failed (client, 5.1) or was aborted (server, 5.2). */
export class HandshakeError extends Ws02Error<HandshakeErrorCode> {
  static override readonly kind = 'HandshakeError';

  /** Lower-case field name the failure is about, if any. */
  readonly field: string | undefined;

  constructor(
    code: HandshakeErrorCode,
    section: string,
    message: string,
    options: HandshakeErrorOptions = {},
  ) {
    super(code, section, message, options);
    this.field = options.field;
  }
}

/** Quotes peer input for an error message without letting it run on. */
export function show(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
