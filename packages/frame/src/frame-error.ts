import { Ws02Error } from '@ws02/errors';

/**
 * Every way framing can fail. Stable strings: programs may switch on them.
 *
 * Received-data errors (the peer broke a rule; the connection fails, section 7):
 * - `FRAME_RSV_SET` (4.2): a reserved bit RSV1–RSV4 is set and no extension claims it.
 * - `FRAME_RESERVED_OPCODE` (4.2): opcode 0x6–0xF and no extension claims it.
 * - `FRAME_LENGTH_HIGH_BIT` (4.2): the most significant bit of the 63-bit length is set.
 * - `FRAME_TOO_LARGE` (4.2): the declared payload length exceeds `maxFrameSize` (checked from
 *   the header, before any payload byte is buffered).
 * - `FRAME_CONTROL_FRAGMENTED` (4.4): MORE set on a Close, Ping or Pong frame.
 * - `FRAME_UNEXPECTED_CONTINUATION` (4.3): a continuation frame with no message started.
 * - `FRAME_INTERLEAVED_DATA` (4.3): a new Text/Binary frame while a fragmented message is open.
 * - `FRAME_MESSAGE_TOO_LARGE` (4.3): the message's declared lengths sum past `maxMessageSize`.
 * - `FRAME_TOO_MANY_FRAGMENTS` (4.3): the message has more frames than `maxFragments`.
 * - `FRAME_INVALID_UTF8` (6): invalid UTF-8 in a text message under the `fail` policy.
 * - `FRAME_EXTENSION_DATA_OVERFLOW` (4.7): an extension claims more extension data than the
 *   frame's payload holds.
 * - `FRAME_EXTENSION_FAILED` (4.7): an extension rejected a frame.
 * - `FRAME_TRUNCATED` (4.2/4.3): the stream ended inside a frame or a fragmented message.
 *
 * Local misuse (thrown synchronously by the sending/constructing call):
 * - `FRAME_SEND_AFTER_CLOSE` (7): sending data after Close was sent, or anything once closed.
 * - `FRAME_SEND_INTERLEAVED` (4.3): a new message while a fragmented send is unfinished.
 * - `FRAME_EXTENSION_CONFLICT` (4.7): two extensions claim the same bit/opcode, or one claims a
 *   non-reserved opcode.
 * - `FRAME_INVALID_ARGUMENT` (4.2): an opcode/RSV/size/option outside its range.
 */
export type FrameErrorCode =
  | 'FRAME_RSV_SET'
  | 'FRAME_RESERVED_OPCODE'
  | 'FRAME_LENGTH_HIGH_BIT'
  | 'FRAME_TOO_LARGE'
  | 'FRAME_CONTROL_FRAGMENTED'
  | 'FRAME_UNEXPECTED_CONTINUATION'
  | 'FRAME_INTERLEAVED_DATA'
  | 'FRAME_MESSAGE_TOO_LARGE'
  | 'FRAME_TOO_MANY_FRAGMENTS'
  | 'FRAME_INVALID_UTF8'
  | 'FRAME_EXTENSION_DATA_OVERFLOW'
  | 'FRAME_EXTENSION_FAILED'
  | 'FRAME_TRUNCATED'
  | 'FRAME_SEND_AFTER_CLOSE'
  | 'FRAME_SEND_INTERLEAVED'
  | 'FRAME_EXTENSION_CONFLICT'
  | 'FRAME_INVALID_ARGUMENT';

/** The typed error of this package; `code`, `section` and the message name the broken rule. */
export class FrameError extends Ws02Error<FrameErrorCode> {
  static override readonly kind = 'FrameError';
}
