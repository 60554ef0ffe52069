import { EMPTY_BYTES } from './byte-pool.js';
import { frameHeaderSize, GATHER_THRESHOLD, writeFrameHeader } from './frame-encoder.js';

/** Size of the blocks small frames are encoded into. */
const SLAB_SIZE = 64 * 1024;
/** Strings up to this many UTF-16 units try a plain ASCII copy before `encodeInto`. */
const ASCII_TRY = 32;
/**
 * Text whose worst-case UTF-8 size fits this is encoded straight into the block: it must be
 * copied anyway, and a block region is far cheaper than a fresh ArrayBuffer.
 */
const TEXT_IN_BLOCK_MAX = 48 * 1024;

const textEncoder = new TextEncoder();

/**
 * Outgoing bytes, ready for one gathered write.
 *
 * Small frames are encoded back to back into a 64 KiB block (one ArrayBuffer for hundreds of
 * frames instead of one each), so `take()` returns one chunk for a whole run of them. Large
 * payloads (> `GATHER_THRESHOLD`) are never copied: their header ends the current run and the
 * caller's payload follows as its own chunk. Regions handed out by `take()` are never written
 * again; a used-up block is simply dropped.
 */
export class OutgoingQueue {
  private chunks: Uint8Array[] = [];
  private slab: Uint8Array = EMPTY_BYTES;
  private pos = 0;
  private start = 0;
  /** Bytes queued and not yet taken. */
  bytes = 0;

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
      this.pos = p;
      this.flushRun();
      this.chunks.push(payload); // Not copied: the caller must not modify it until written.
      return;
    }
    // Deliberate copy of a small payload: cheaper than a separate write segment.
    if (payload.length > 0) slab.set(payload, p);
    this.pos = p + payload.length;
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
    this.pos = off + realHead + written;
    this.bytes += realHead + written;
  }

  /** Everything queued, in order, as few chunks as possible; the queue is empty afterwards. */
  take(): Uint8Array[] {
    this.flushRun();
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    return chunks;
  }

  /** An offset with `n` contiguous writable bytes in the current block. */
  private reserve(n: number): number {
    if (this.pos + n > this.slab.length) {
      this.flushRun();
      this.slab = new Uint8Array(Math.max(SLAB_SIZE, n));
      this.pos = 0;
      this.start = 0;
    }
    return this.pos;
  }

  private flushRun(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.slab.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }
}
