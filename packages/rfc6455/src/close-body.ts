import { EMPTY_BYTES, isSendableCloseCode, isValidUtf8 } from '@ws02/protocol';
import { peerFailure } from './peer-failure.js';
import { Rfc6455Error } from './rfc6455-error.js';

/** 1005: "no status code was actually present" (7.4.1); never sent in a frame. */
export const NO_STATUS = 1005;
/** A Close body holds the 2-byte code and at most 123 bytes of reason (5.5: ≤ 125). */
export const MAX_CLOSE_REASON = 123;

const textEncoder = new TextEncoder();

/** A received Close body (5.5.1), checked. */
export interface CloseBody {
  /** The status code, or 1005 when the body was empty. */
  readonly code: number;
  /** The UTF-8 reason bytes (a view of the payload), possibly empty. */
  readonly reason: Uint8Array;
}

/**
 * Reads a received Close body (5.5.1): empty, or a 2-byte status code then a UTF-8 reason.
 * Throws peer failures: a 1-byte body (1002), a code that may not be sent (7.4: 0–999,
 * 1004–1006, 1015, 1016–2999, ≥ 5000; 1002), a reason that is not UTF-8 (8.1; 1007).
 */
export function readCloseBody(payload: Uint8Array): CloseBody {
  if (payload.length === 0) return { code: NO_STATUS, reason: EMPTY_BYTES };
  if (payload.length === 1) {
    throw peerFailure(
      'CLOSE_BODY_ONE_BYTE',
      '5.5.1',
      'a Close body of one byte: a status code takes two',
      1002,
    );
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isSendableCloseCode(code)) {
    throw peerFailure(
      'CLOSE_INVALID_CODE',
      '7.4',
      `status code ${code} may not be sent in a Close frame`,
      1002,
      { code },
    );
  }
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason)) {
    throw peerFailure(
      'CLOSE_INVALID_REASON',
      '5.5.1',
      'the Close reason is not valid UTF-8',
      1007,
      {
        code,
      },
    );
  }
  return { code, reason };
}

/**
 * The body of a Close we send (5.5.1, 7.4): the code then the reason's UTF-8, or an empty body
 * for 1005 ("no status") without a reason. Throws `CLOSE_CODE_NOT_SENDABLE` for a code that may
 * not be sent, `CLOSE_REASON_TOO_LONG` past 123 bytes, `INVALID_ARGUMENT` for reason bytes that
 * are not UTF-8.
 */
export function encodeCloseBody(code: number, reason: string | Uint8Array): Uint8Array {
  const bytes = typeof reason === 'string' ? textEncoder.encode(reason) : reason;
  if (code === NO_STATUS && bytes.length === 0) return EMPTY_BYTES;
  if (!isSendableCloseCode(code)) {
    throw new Rfc6455Error(
      'CLOSE_CODE_NOT_SENDABLE',
      '7.4',
      code === NO_STATUS
        ? 'a reason needs a status code: 1005 (no status) sends an empty Close body only'
        : `status code ${code} may not be sent (1000–1003, 1007–1014, 3000–4999)`,
      { detail: { code } },
    );
  }
  if (bytes.length > MAX_CLOSE_REASON) {
    throw new Rfc6455Error(
      'CLOSE_REASON_TOO_LONG',
      '5.5',
      `the Close reason is ${bytes.length} bytes of UTF-8, over 123 (control frames carry ≤ 125)`,
      { detail: { length: bytes.length } },
    );
  }
  if (typeof reason !== 'string' && !isValidUtf8(bytes)) {
    throw new Rfc6455Error('INVALID_ARGUMENT', '5.5.1', 'the Close reason bytes are not UTF-8');
  }
  const body = new Uint8Array(2 + bytes.length);
  body[0] = code >>> 8;
  body[1] = code & 0xff;
  body.set(bytes, 2);
  return body;
}
