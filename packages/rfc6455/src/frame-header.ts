/**
 * The frame header of RFC 6455 section 5.2: byte 0 = FIN, RSV1–3, opcode; byte 1 = MASK, 7-bit
 * length; then the 16- or 64-bit extended length; then the 4-byte masking key when MASK is set.
 * Senders use the minimal length encoding ("the minimal number of bytes MUST be used").
 */
import { MASK } from './opcode.js';

const TWO_32 = 4294967296;

/** Header size for a payload length, minimal encoding, with the masking key when `masked`. */
export function frameHeaderSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes byte 0 (`b0`: FIN | RSV | opcode), byte 1 and the extended length at `off`; returns
 * the offset just after them — where the masking key goes when `masked`.
 * @internal Arguments are trusted (lengths are safe integers, so the 64-bit form's top bit is 0).
 */
export function writeFrameHeader(
  out: Uint8Array,
  off: number,
  b0: number,
  length: number,
  masked: boolean,
): number {
  out[off] = b0;
  const m = masked ? MASK : 0;
  if (length < 126) {
    out[off + 1] = m | length;
    return off + 2;
  }
  if (length < 65536) {
    out[off + 1] = m | 126;
    out[off + 2] = length >>> 8;
    out[off + 3] = length & 0xff;
    return off + 4;
  }
  out[off + 1] = m | 127;
  const hi = Math.floor(length / TWO_32);
  const lo = length >>> 0;
  out[off + 2] = hi >>> 24;
  out[off + 3] = (hi >>> 16) & 0xff;
  out[off + 4] = (hi >>> 8) & 0xff;
  out[off + 5] = hi & 0xff;
  out[off + 6] = lo >>> 24;
  out[off + 7] = (lo >>> 16) & 0xff;
  out[off + 8] = (lo >>> 8) & 0xff;
  out[off + 9] = lo & 0xff;
  return off + 10;
}
