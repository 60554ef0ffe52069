import { allocBytes, EMPTY_BYTES, type MessageEncoder } from '@ws02/protocol';
import { frameHeaderSize, writeFrameHeader } from './frame-header.js';
import { GATHER_THRESHOLD } from './frame-writer.js';
import { applyMask } from './mask.js';
import { FIN, Opcode } from './opcode.js';

const textEncoder = new TextEncoder();

/**
 * Encodes a server's frames once, for many connections (a broadcast): `sendEncoded` queues the
 * same chunks on each. Server frames are unmasked (5.1), so they are the same for every client.
 * One buffer for a small message; `[header, payload]` above 1 KiB (the payload uncopied — do not
 * modify it until every connection wrote it).
 */
export const rfc6455Encoder: MessageEncoder = {
  encodeMessage(data: string | Uint8Array, binary: boolean): Uint8Array[] {
    const payload = typeof data === 'string' ? textEncoder.encode(data) : data;
    const b0 = FIN | (binary ? Opcode.Binary : Opcode.Text);
    const head = frameHeaderSize(payload.length, false);
    if (payload.length > GATHER_THRESHOLD) {
      const header = allocBytes(head);
      writeFrameHeader(header, 0, b0, payload.length, false);
      return [header, payload];
    }
    const frame = allocBytes(head + payload.length);
    const p = writeFrameHeader(frame, 0, b0, payload.length, false);
    frame.set(payload, p);
    return [frame];
  },
};

/** One frame, for tests and tools (5.2). */
export interface FrameInit {
  readonly opcode: number;
  /** Default true. */
  readonly fin?: boolean;
  /** RSV1–3 as 3 bits (default 0): a frame no one may send unless an extension says so. */
  readonly rsv?: number;
  readonly payload?: Uint8Array;
  /** A 4-byte masking key: the frame is masked with it (a client's frame, 5.3). */
  readonly maskKey?: Uint8Array;
}

/**
 * One frame as one new buffer, minimal length encoding (5.2), masked when `maskKey` is given.
 * The connections write their frames themselves; this is for tests, fixtures and tools.
 */
export function encodeFrame(frame: FrameInit): Uint8Array {
  const payload = frame.payload ?? EMPTY_BYTES;
  const key = frame.maskKey;
  const masked = key !== undefined;
  const b0 = (frame.fin === false ? 0 : FIN) | ((frame.rsv ?? 0) << 4) | (frame.opcode & 0x0f);
  const out = new Uint8Array(frameHeaderSize(payload.length, masked) + payload.length);
  let p = writeFrameHeader(out, 0, b0, payload.length, masked);
  if (masked) {
    out.set(key.subarray(0, 4), p);
    p += 4;
  }
  out.set(payload, p);
  if (masked) applyMask(out, p, out.length, key, 0, 0);
  return out;
}
