import { EMPTY_BYTES, OutgoingBlocks } from '@ws02/protocol';
import { frameHeaderSize, GATHER_THRESHOLD, writeFrameHeader } from './frame-encoder.js';

/** Strings up to this many UTF-16 units try a plain ASCII copy before `encodeInto`. */
const ASCII_TRY = 32;
/**
 * Text whose worst-case UTF-8 size fits this is encoded straight into the block: it must be
 * copied anyway, and a block region is far cheaper than a fresh ArrayBuffer.
 */
const TEXT_IN_BLOCK_MAX = 48 * 1024;

const textEncoder = new TextEncoder();

/**
 * Draft-02 frames (4.2) written into {@link OutgoingBlocks}: small frames share a block, large
 * payloads (> `GATHER_THRESHOLD`) go out uncopied behind their header.
 */
export class OutgoingQueue extends OutgoingBlocks {
  /** Queues one frame. */
  writeFrame(
    opcode: number,
    more: boolean,
    rsv: number,
    ext: Uint8Array,
    payload: Uint8Array,
  ): void {
    const length = ext.length + payload.length;
    const head = frameHeaderSize(length);
    const large = payload.length > GATHER_THRESHOLD;
    const off = this.reserve(large ? head + ext.length : head + length);
    const slab = this.slab;
    let p = writeFrameHeader(slab, off, opcode, more, rsv, length);
    if (ext.length > 0) {
      slab.set(ext, p);
      p += ext.length;
    }
    this.bytes += head + length;
    if (large) {
      this.advance(p);
      this.attach(payload);
      return;
    }
    // Deliberate copy of a small payload: cheaper than a separate write segment.
    if (payload.length > 0) slab.set(payload, p);
    this.advance(p + payload.length);
  }

  /** Queues a Text (or continuation) frame, UTF-8-encoding `text` straight into the block. */
  writeText(opcode: number, more: boolean, text: string): void {
    const n = text.length;
    const max = n * 3; // UTF-8 bytes per UTF-16 unit: at most 3 (a lone surrogate → U+FFFD).
    if (max > TEXT_IN_BLOCK_MAX) {
      this.writeFrame(opcode, more, 0, EMPTY_BYTES, textEncoder.encode(text));
      return;
    }
    const head = frameHeaderSize(max);
    const off = this.reserve(head + max);
    const slab = this.slab;
    const body = off + head;
    let written = 0;
    if (n <= ASCII_TRY) {
      while (written < n) {
        const c = text.charCodeAt(written);
        if (c >= 0x80) break;
        slab[body + written] = c;
        written++;
      }
    }
    if (written < n)
      written = textEncoder.encodeInto(text, slab.subarray(body, body + max)).written;
    const realHead = frameHeaderSize(written);
    if (realHead !== head) {
      // Minimal length encoding (4.2): the header reserved for the worst case was too long.
      slab.copyWithin(off + realHead, body, body + written);
    }
    writeFrameHeader(slab, off, opcode, more, 0, written);
    this.advance(off + realHead + written);
    this.bytes += realHead + written;
  }
}
