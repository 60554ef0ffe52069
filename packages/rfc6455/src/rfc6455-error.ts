import { Ws02Error, type Ws02ErrorOptions } from '@ws02/errors';

/**
 * Every way an RFC 6455 connection fails or is misused. Stable strings: programs may switch on
 * them. The README has the full table (side, section, HTTP status or close code).
 *
 * Opening handshake, server reading the request (4.2.1; `httpStatus` is the refusal queued):
 * - `HANDSHAKE_HEAD_TOO_LARGE` (431), `HANDSHAKE_TOO_MANY_FIELDS` (431): the head limits.
 * - `HANDSHAKE_MALFORMED_HEAD` (400): not valid HTTP/1.1 (`detail.headError` is the
 *   `HttpHeadError` code of `@ws02/protocol`, also the `cause`).
 * - `HANDSHAKE_UNEXPECTED_EOF`: the input ended inside the head (nothing is queued).
 * - `HANDSHAKE_BAD_METHOD` (400): not GET.
 * - `HANDSHAKE_BAD_HTTP_VERSION` (400): below HTTP/1.1.
 * - `HANDSHAKE_BAD_RESOURCE_NAME` (400): the request-target is not `/path?query` (or an
 *   absolute ws/wss/http/https URI), or has a fragment.
 * - `HANDSHAKE_BAD_HOST` (400): no Host field, or more than one.
 * - `HANDSHAKE_BAD_UPGRADE` (400 server; client 4.1): Upgrade missing or without `websocket`.
 * - `HANDSHAKE_BAD_CONNECTION` (400 server; client 4.1): Connection without the `Upgrade` token.
 * - `HANDSHAKE_BAD_KEY` (400): Sec-WebSocket-Key missing, repeated, or not 16 bytes in base64.
 * - `HANDSHAKE_MISSING_VERSION` (400): no Sec-WebSocket-Version.
 * - `HANDSHAKE_UNSUPPORTED_VERSION` (426, with `Sec-WebSocket-Version: 13`, 4.4): not 13.
 * - `HANDSHAKE_BAD_PROTOCOL_LIST` (400): Sec-WebSocket-Protocol is not a list of tokens.
 * - `HANDSHAKE_BAD_SELECTION` (500): the server's protocol selector chose a subprotocol the
 *   client did not offer.
 *
 * Opening handshake, client reading the answer (4.1; nothing is queued, the driver closes):
 * - `HANDSHAKE_UNEXPECTED_STATUS`: not 101 (`detail.status`, `detail.statusText`, and
 *   `detail.location` for a redirect).
 * - `HANDSHAKE_BAD_ACCEPT`: Sec-WebSocket-Accept missing, repeated or wrong.
 * - `HANDSHAKE_UNEXPECTED_EXTENSION`: the answer names an extension (none was offered).
 * - `HANDSHAKE_UNEXPECTED_PROTOCOL`: the answer names a subprotocol not offered, or several.
 * - also `HANDSHAKE_MALFORMED_HEAD`, `HANDSHAKE_HEAD_TOO_LARGE`, `HANDSHAKE_TOO_MANY_FIELDS`,
 *   `HANDSHAKE_UNEXPECTED_EOF`, `HANDSHAKE_BAD_UPGRADE`, `HANDSHAKE_BAD_CONNECTION`.
 *
 * Received frames (section 5, 7, 8; `closeCode` is the status code the failure calls for):
 * - `FRAME_RSV_SET` (1002, 5.2): RSV1–3 set, no extension negotiated.
 * - `FRAME_RESERVED_OPCODE` (1002, 5.2): opcode 3–7 or 0xB–0xF.
 * - `FRAME_NOT_MASKED` (1002, 5.1): a client frame without MASK (server side).
 * - `FRAME_MASKED` (1002, 5.1): a server frame with MASK (client side).
 * - `FRAME_LENGTH_HIGH_BIT` (1002, 5.2): the 64-bit length's most significant bit set.
 * - `FRAME_CONTROL_TOO_LONG` (1002, 5.5): a control frame payload over 125 bytes.
 * - `FRAME_CONTROL_FRAGMENTED` (1002, 5.5): a control frame without FIN.
 * - `FRAME_UNEXPECTED_CONTINUATION` (1002, 5.4): a continuation with no message started.
 * - `FRAME_INTERLEAVED_DATA` (1002, 5.4): a Text/Binary frame inside a fragmented message.
 * - `FRAME_TOO_LARGE` (1009, 10.4): a frame over `maxFrameSize`.
 * - `MESSAGE_TOO_LARGE` (1009, 10.4): a message over `maxMessageSize`.
 * - `MESSAGE_TOO_MANY_FRAGMENTS` (1009, 10.4): a message over `maxFragments` frames.
 * - `MESSAGE_INVALID_UTF8` (1007, 8.1): a Text message that is not UTF-8 (fail-fast).
 * - `CLOSE_BODY_ONE_BYTE` (1002, 5.5.1): a Close body of one byte.
 * - `CLOSE_INVALID_CODE` (1002, 7.4): a received status code that may not be sent.
 * - `CLOSE_INVALID_REASON` (1007, 5.5.1, 8.1): a Close reason that is not UTF-8.
 * - `STREAM_TRUNCATED` (5.2): the input ended inside a frame or a fragmented message.
 *
 * Misuse by the caller (thrown synchronously):
 * - `SEND_AFTER_CLOSE` (5.5.1): data after our Close, or anything once CLOSED.
 * - `SEND_INTERLEAVED` (5.4): a new message while a fragmented one is being sent.
 * - `CONTROL_PAYLOAD_TOO_LONG` (5.5): a Ping/Pong payload over 125 bytes.
 * - `CLOSE_CODE_NOT_SENDABLE` (7.4): a code `isSendableCloseCode` refuses (1005 is allowed
 *   without a reason: it sends a Close with no body).
 * - `CLOSE_REASON_TOO_LONG` (5.5): a reason over 123 bytes of UTF-8.
 * - `INVALID_STATE`: a command in the wrong state (send while CONNECTING, accept twice…).
 * - `INVALID_ARGUMENT`: an option or argument out of range (URL, header, limit, status…).
 */
export type Rfc6455ErrorCode =
  // opening handshake
  | 'HANDSHAKE_HEAD_TOO_LARGE'
  | 'HANDSHAKE_TOO_MANY_FIELDS'
  | 'HANDSHAKE_MALFORMED_HEAD'
  | 'HANDSHAKE_UNEXPECTED_EOF'
  | 'HANDSHAKE_BAD_METHOD'
  | 'HANDSHAKE_BAD_HTTP_VERSION'
  | 'HANDSHAKE_BAD_RESOURCE_NAME'
  | 'HANDSHAKE_BAD_HOST'
  | 'HANDSHAKE_BAD_UPGRADE'
  | 'HANDSHAKE_BAD_CONNECTION'
  | 'HANDSHAKE_BAD_KEY'
  | 'HANDSHAKE_MISSING_VERSION'
  | 'HANDSHAKE_UNSUPPORTED_VERSION'
  | 'HANDSHAKE_BAD_PROTOCOL_LIST'
  | 'HANDSHAKE_BAD_SELECTION'
  | 'HANDSHAKE_UNEXPECTED_STATUS'
  | 'HANDSHAKE_BAD_ACCEPT'
  | 'HANDSHAKE_UNEXPECTED_EXTENSION'
  | 'HANDSHAKE_UNEXPECTED_PROTOCOL'
  // received frames
  | 'FRAME_RSV_SET'
  | 'FRAME_RESERVED_OPCODE'
  | 'FRAME_NOT_MASKED'
  | 'FRAME_MASKED'
  | 'FRAME_LENGTH_HIGH_BIT'
  | 'FRAME_CONTROL_TOO_LONG'
  | 'FRAME_CONTROL_FRAGMENTED'
  | 'FRAME_UNEXPECTED_CONTINUATION'
  | 'FRAME_INTERLEAVED_DATA'
  | 'FRAME_TOO_LARGE'
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_TOO_MANY_FRAGMENTS'
  | 'MESSAGE_INVALID_UTF8'
  | 'CLOSE_BODY_ONE_BYTE'
  | 'CLOSE_INVALID_CODE'
  | 'CLOSE_INVALID_REASON'
  | 'STREAM_TRUNCATED'
  // misuse
  | 'SEND_AFTER_CLOSE'
  | 'SEND_INTERLEAVED'
  | 'CONTROL_PAYLOAD_TOO_LONG'
  | 'CLOSE_CODE_NOT_SENDABLE'
  | 'CLOSE_REASON_TOO_LONG'
  | 'INVALID_STATE'
  | 'INVALID_ARGUMENT';

export interface Rfc6455ErrorOptions extends Omit<Ws02ErrorOptions, 'spec'> {
  /** The status code of the Close frame the failure queues (1002, 1007, 1009). */
  readonly closeCode?: number;
}

/** The typed error of this package; `spec` is always `'RFC 6455'`. */
export class Rfc6455Error extends Ws02Error<Rfc6455ErrorCode> {
  static override readonly kind = 'Rfc6455Error';

  /**
   * For a failure on received frames, the status code it calls for (7.4.1: 1002 protocol error,
   * 1007 invalid data, 1009 too big). The connection queues a Close with it before closing —
   * unless it had sent its own Close already (`closeSent` was true), since a second is never
   * sent. Undefined for handshake failures, misuse and a truncated stream.
   */
  readonly closeCode: number | undefined;

  constructor(
    code: Rfc6455ErrorCode,
    section: string,
    reason: string,
    options: Rfc6455ErrorOptions = {},
  ) {
    super(code, section, reason, { ...options, spec: 'RFC 6455' });
    this.closeCode = options.closeCode;
  }
}

/** Quotes peer input for an error message without letting it run on. */
export function show(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
