/**
 * A hand encoder of draft-02 frames (section 4.2), written from the draft's diagram and
 * independent of @ws02/frame: the suite must be able to send frames that encoder refuses to make
 * (reserved bits, reserved opcodes, fragmented control frames, non-minimal or lying lengths).
 *
 *   byte 0: MORE (0x80) RSV1 (0x40) RSV2 (0x20) RSV3 (0x10) opcode (0x0F)
 *   byte 1: RSV4 (0x80) payload length (0x7F): 0–125, 126 → 16-bit, 127 → 63-bit big-endian
 */
import { utf8 } from './bytes.js';

/** Draft-02 opcodes (4.2). Not RFC 6455's numbering: Close 1, Ping 2, Pong 3, Text 4, Binary 5. */
export const OP = {
  CONTINUATION: 0x0,
  CLOSE: 0x1,
  PING: 0x2,
  PONG: 0x3,
  TEXT: 0x4,
  BINARY: 0x5,
} as const;

/** The four reserved bits as a 4-bit number: RSV1 = 8 (0x40 of byte 0) … RSV4 = 1 (0x80 of byte 1). */
export const RSV = { RSV1: 8, RSV2: 4, RSV3: 2, RSV4: 1 } as const;

export interface FrameSpec {
  readonly op: number;
  readonly payload?: Uint8Array | string;
  readonly more?: boolean;
  /** 4-bit RSV1..RSV4 value (see `RSV`). */
  readonly rsv?: number;
  /** Length encoding; default the shortest. A longer one is legal in -02 (no minimality rule). */
  readonly lengthForm?: 7 | 16 | 63;
  /** Write this length instead of the payload's (a lie: to declare huge frames). */
  readonly declaredLength?: bigint;
}

/** One frame as bytes. */
export function frameBytes(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? utf8(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const rsv = spec.rsv ?? 0;
  const length = spec.declaredLength ?? BigInt(payload.length);
  const form = spec.lengthForm ?? (length < 126n ? 7 : length < 65536n ? 16 : 63);
  const b0 =
    (spec.more ? 0x80 : 0) |
    (rsv & 8 ? 0x40 : 0) |
    (rsv & 4 ? 0x20 : 0) |
    (rsv & 2 ? 0x10 : 0) |
    (spec.op & 0x0f);
  const b1High = rsv & 1 ? 0x80 : 0;
  let head: Buffer;
  if (form === 7) {
    if (length > 125n) throw new RangeError('7-bit length form holds at most 125');
    head = Buffer.from([b0, b1High | Number(length)]);
  } else if (form === 16) {
    if (length > 65535n) throw new RangeError('16-bit length form holds at most 65535');
    head = Buffer.from([b0, b1High | 126, Number(length >> 8n), Number(length & 0xffn)]);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = b1High | 127;
    head.writeBigUInt64BE(length, 2);
  }
  return Buffer.concat([head, payload]);
}

/** A whole Text message, one frame. */
export function textFrame(text: string | Uint8Array): Buffer {
  return frameBytes({ op: OP.TEXT, payload: text });
}

/** A whole Binary message, one frame. */
export function binaryFrame(data: Uint8Array): Buffer {
  return frameBytes({ op: OP.BINARY, payload: data });
}

/** A message split into frames carrying `sizes` bytes each (the last takes the rest). */
export function fragments(op: number, payload: Uint8Array, size: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  do {
    const end = Math.min(payload.length, start + size);
    out.push(
      frameBytes({
        op: start === 0 ? op : OP.CONTINUATION,
        more: end < payload.length,
        payload: payload.subarray(start, end),
      }),
    );
    start = end;
  } while (start < payload.length);
  return out;
}
