/**
 * An independent, lenient reader of draft-02 frames (section 4.2), used to observe what the peer
 * under test sends. It never refuses a frame — reserved bits, reserved opcodes and the 63-bit
 * length's top bit are read and reported, so a case can judge them — and it never buffers more
 * than `maxPayload` bytes for one frame.
 */
import type { ByteQueue } from '../peer/byte-queue.js';

export interface RawFrame {
  readonly more: boolean;
  /** RSV1..RSV4 as a 4-bit number (RSV1 = 8). */
  readonly rsv: number;
  readonly op: number;
  /** Which length encoding the sender used. */
  readonly lengthForm: 7 | 16 | 63;
  /** True when the sender used a longer length form than the shortest (legal in -02). */
  readonly nonMinimal: boolean;
  /** The most significant bit of a 63-bit length was set (4.2 says it must be 0). */
  readonly lengthHighBit: boolean;
  readonly header: Buffer;
  readonly payload: Buffer;
}

export interface OversizeFrame {
  readonly oversize: bigint;
  readonly header: Buffer;
}

/** Reads one frame from the front of `queue`, or reports that more bytes are needed. */
export function readFrame(
  queue: ByteQueue,
  maxPayload: number,
): RawFrame | OversizeFrame | 'need-more' {
  if (queue.length < 2) return 'need-more';
  const b1 = queue.byteAt(1);
  const len7 = b1 & 0x7f;
  const headerSize = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
  if (queue.length < headerSize) return 'need-more';
  const header = queue.peek(headerSize);
  let length: bigint;
  let lengthHighBit = false;
  if (len7 < 126) length = BigInt(len7);
  else if (len7 === 126) length = BigInt(header.readUInt16BE(2));
  else {
    length = header.readBigUInt64BE(2);
    lengthHighBit = (header[2]! & 0x80) !== 0;
  }
  if (length > BigInt(maxPayload)) return { oversize: length, header };
  const n = Number(length);
  if (queue.length < headerSize + n) return 'need-more';
  queue.skip(headerSize);
  const payload = queue.take(n);
  const b0 = header[0]!;
  const form = len7 < 126 ? 7 : len7 === 126 ? 16 : 63;
  return {
    more: (b0 & 0x80) !== 0,
    rsv: ((b0 >> 3) & 0b1110) | (b1 >> 7),
    op: b0 & 0x0f,
    lengthForm: form,
    nonMinimal: (form === 16 && n < 126) || (form === 63 && n < 65536),
    lengthHighBit,
    header,
    payload,
  };
}
