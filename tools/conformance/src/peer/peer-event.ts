import { OP } from '../wire/frame-bytes.js';
import type { RawFrame } from '../wire/frame-reader.js';

/** What the peer under test did, as the suite observes it. */
export type PeerEvent =
  /** A whole data message (4.3: fragments joined). `frames` are the frames it came in. */
  | {
      readonly type: 'message';
      readonly binary: boolean;
      readonly data: Buffer;
      readonly frames: readonly RawFrame[];
    }
  | { readonly type: 'ping' | 'pong' | 'close'; readonly data: Buffer; readonly frame: RawFrame }
  /** A frame with a reserved opcode (0x6–0xF). */
  | { readonly type: 'reserved'; readonly frame: RawFrame }
  /** The peer closed the TCP connection (FIN or reset). */
  | { readonly type: 'closed' }
  /** Nothing happened before the deadline. */
  | { readonly type: 'timeout' }
  /** The peer declared a frame larger than the suite is willing to read. */
  | { readonly type: 'oversize'; readonly length: bigint };

/**
 * Joins the peer's frames into messages (4.3) and notes every rule of sections 4.2–4.4 the peer
 * broke as a *sender*: such a note fails the case whatever else happened.
 */
export class MessageJoiner {
  readonly violations: string[] = [];
  #open: { binary: boolean; parts: Buffer[]; frames: RawFrame[] } | undefined;

  push(frame: RawFrame): PeerEvent | undefined {
    const { op } = frame;
    if (frame.rsv !== 0) {
      this.violations.push(
        `sent a frame (opcode 0x${op.toString(16)}) with reserved bits 0b${frame.rsv.toString(2).padStart(4, '0')} set (4.2: must be 0)`,
      );
    }
    if (frame.lengthHighBit) {
      this.violations.push('sent a 63-bit length with its most significant bit set (4.2)');
    }
    if (op >= 0x6) {
      this.violations.push(`sent a frame with reserved opcode 0x${op.toString(16)} (4.2)`);
      return { type: 'reserved', frame };
    }
    if (op === OP.CLOSE || op === OP.PING || op === OP.PONG) {
      if (frame.more) {
        this.violations.push(
          `sent a control frame (opcode 0x${op.toString(16)}) with MORE set (4.4: control frames are not fragmented)`,
        );
      }
      const type = op === OP.CLOSE ? 'close' : op === OP.PING ? 'ping' : 'pong';
      return { type, data: frame.payload, frame };
    }
    if (op === OP.CONTINUATION) {
      const open = this.#open;
      if (open === undefined) {
        this.violations.push('sent a continuation frame with no fragmented message open (4.3)');
        return undefined;
      }
      open.parts.push(frame.payload);
      open.frames.push(frame);
      if (frame.more) return undefined;
      this.#open = undefined;
      return {
        type: 'message',
        binary: open.binary,
        data: Buffer.concat(open.parts),
        frames: open.frames,
      };
    }
    // Text or Binary.
    if (this.#open !== undefined) {
      this.violations.push(
        'started a new data message inside an unfinished fragmented one (4.3); the unfinished one is dropped',
      );
      this.#open = undefined;
    }
    const binary = op === OP.BINARY;
    if (frame.more) {
      this.#open = { binary, parts: [frame.payload], frames: [frame] };
      return undefined;
    }
    return { type: 'message', binary, data: frame.payload, frames: [frame] };
  }
}
