import { allocBytes, EMPTY_BYTES } from '@ws02/protocol';
import type { FrameInit } from './frame.js';
import { FrameError } from './frame-error.js';
import { Opcode } from './opcode.js';

/**
 * Payloads longer than this (1 KiB) are not copied by `encodeFrameChunks` (nor by
 * `FrameConnection`'s outgoing queue): the header goes in one chunk and the caller's payload,
 * untouched, in the next, for a gathered write (writev). Up to it, one copy into a shared buffer
 * is cheaper than a second write segment. Measured on Node 20 over loopback TCP: copying wins
 * clearly at 256 B, breaks even around 1 KiB, and loses from 4 KiB (2× slower at 16 KiB) —
 * mostly because fresh ArrayBuffers to copy into cost more than the copy itself.
 */
export const GATHER_THRESHOLD = 1024;

/** 2^32, to split a length into two 32-bit halves. */
const TWO_32 = 4294967296;

/** Header size for a payload length, minimal encoding (section 4.2): 7, 16 or 63 bits. */
export function frameHeaderSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/**
 * Writes the header (section 4.2) at `off` of `out` and returns the offset just after it.
 * `rsv` is the 4-bit RSV1–RSV4 value (see `Rsv`). Senders always use the shortest length form;
 * the 63-bit form's top bit stays 0 because lengths are at most 2^53 − 1.
 * @internal Arguments are trusted (validated by the callers).
 */
export function writeFrameHeader(
  out: Uint8Array,
  off: number,
  opcode: number,
  more: boolean,
  rsv: number,
  length: number,
): number {
  out[off] = (more ? 0x80 : 0) | ((rsv & 0b1110) << 3) | opcode;
  const b1 = (rsv & 1) << 7;
  if (length < 126) {
    out[off + 1] = b1 | length;
    return off + 2;
  }
  if (length < 65536) {
    out[off + 1] = b1 | 126;
    out[off + 2] = length >>> 8;
    out[off + 3] = length & 0xff;
    return off + 4;
  }
  out[off + 1] = b1 | 127;
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

/** @internal Throws FRAME_INVALID_ARGUMENT unless opcode and rsv are 4-bit integers. */
export function checkOpcodeRsv(opcode: number, rsv: number): void {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) {
    throw new FrameError('FRAME_INVALID_ARGUMENT', '4.2', `opcode ${opcode} is not 0x0–0xF`);
  }
  if (!Number.isInteger(rsv) || rsv < 0 || rsv > 0xf) {
    throw new FrameError('FRAME_INVALID_ARGUMENT', '4.2', `rsv ${rsv} is not a 4-bit value`);
  }
}

/**
 * Only the header of a frame whose payload (extension data + application data) is `length`
 * bytes long, for callers who write the payload themselves.
 */
export function encodeFrameHeader(
  header: { readonly opcode: number; readonly more?: boolean; readonly rsv?: number },
  length: number,
): Uint8Array {
  const rsv = header.rsv ?? 0;
  checkOpcodeRsv(header.opcode, rsv);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new FrameError('FRAME_INVALID_ARGUMENT', '4.2', `payload length ${length} is invalid`);
  }
  const out = allocBytes(frameHeaderSize(length));
  writeFrameHeader(out, 0, header.opcode, header.more === true, rsv, length);
  return out;
}

/**
 * One frame as a single buffer: header, extension data, application data (section 4.2).
 * Small results may be views into a shared pool block (as with `Buffer.allocUnsafe`).
 */
export function encodeFrame(frame: FrameInit): Uint8Array {
  const ext = frame.extensionData ?? EMPTY_BYTES;
  const payload = frame.payload ?? EMPTY_BYTES;
  const rsv = frame.rsv ?? 0;
  checkOpcodeRsv(frame.opcode, rsv);
  const length = ext.length + payload.length;
  const out = allocBytes(frameHeaderSize(length) + length);
  let off = writeFrameHeader(out, 0, frame.opcode, frame.more === true, rsv, length);
  if (ext.length > 0) {
    out.set(ext, off);
    off += ext.length;
  }
  // Deliberate copy: encodeFrame promises one buffer; use encodeFrameChunks to avoid it.
  out.set(payload, off);
  return out;
}

/**
 * One frame as chunks for a gathered write: `[frame]` when the application data is at most
 * `GATHER_THRESHOLD` bytes, else `[header + extension data, payload]` with the caller's payload
 * itself as the second chunk (never copied).
 */
export function encodeFrameChunks(frame: FrameInit): Uint8Array[] {
  const payload = frame.payload ?? EMPTY_BYTES;
  if (payload.length <= GATHER_THRESHOLD) return [encodeFrame(frame)];
  const ext = frame.extensionData ?? EMPTY_BYTES;
  const rsv = frame.rsv ?? 0;
  checkOpcodeRsv(frame.opcode, rsv);
  const length = ext.length + payload.length;
  const head = allocBytes(frameHeaderSize(length) + ext.length);
  const off = writeFrameHeader(head, 0, frame.opcode, frame.more === true, rsv, length);
  head.set(ext, off);
  return [head, payload];
}

const textEncoder = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, per the WHATWG encoder). */
export function utf8Encode(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** An unfragmented Text frame (section 4.5). */
export function encodeText(text: string): Uint8Array {
  return encodeFrame({ opcode: Opcode.Text, payload: textEncoder.encode(text) });
}

/** An unfragmented Binary frame (section 4.5). */
export function encodeBinary(data: Uint8Array): Uint8Array {
  return encodeFrame({ opcode: Opcode.Binary, payload: data });
}

/** A Ping frame (section 4.4); -02 sets no size limit on control frames. */
export function encodePing(data: Uint8Array = EMPTY_BYTES): Uint8Array {
  return encodeFrame({ opcode: Opcode.Ping, payload: data });
}

/** A Pong frame (section 4.4); in answer to a Ping it carries the Ping's data. */
export function encodePong(data: Uint8Array = EMPTY_BYTES): Uint8Array {
  return encodeFrame({ opcode: Opcode.Pong, payload: data });
}

/** A Close frame (section 7); -02 gives the body no structure (no status codes). */
export function encodeClose(body: Uint8Array = EMPTY_BYTES): Uint8Array {
  return encodeFrame({ opcode: Opcode.Close, payload: body });
}

/**
 * A message split into frames of at most `fragmentSize` bytes of application data (section
 * 4.3): first frame `opcode` with MORE set, then continuations, the last with MORE clear; a
 * payload that fits is one unfragmented frame. Returns wire chunks in order (see
 * `encodeFrameChunks`: large fragments are views of `payload`, not copies). Text may be split
 * inside a UTF-8 sequence: receivers decode the assembled message (section 4.3).
 */
export function fragmentMessage(
  opcode: number,
  payload: Uint8Array | string,
  fragmentSize: number,
): Uint8Array[] {
  checkOpcodeRsv(opcode, 0);
  if (opcode === Opcode.Continuation || (opcode >= 0x1 && opcode <= 0x3)) {
    throw new FrameError(
      'FRAME_INVALID_ARGUMENT',
      '4.3',
      `opcode ${opcode} cannot start a fragmented message (control frames are never fragmented)`,
    );
  }
  if (!Number.isSafeInteger(fragmentSize) || fragmentSize < 1) {
    throw new FrameError('FRAME_INVALID_ARGUMENT', '4.3', `fragmentSize ${fragmentSize} < 1`);
  }
  const bytes = typeof payload === 'string' ? textEncoder.encode(payload) : payload;
  const chunks: Uint8Array[] = [];
  let start = 0;
  let first = true;
  do {
    const end = Math.min(bytes.length, start + fragmentSize);
    const more = end < bytes.length;
    const part = bytes.subarray(start, end);
    const frame = { opcode: first ? opcode : Opcode.Continuation, more, payload: part };
    if (part.length > GATHER_THRESHOLD) {
      for (const c of encodeFrameChunks(frame)) chunks.push(c);
    } else {
      chunks.push(encodeFrame(frame));
    }
    first = false;
    start = end;
  } while (start < bytes.length);
  return chunks;
}
