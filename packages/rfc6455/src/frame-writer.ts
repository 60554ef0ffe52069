import { type Allocator, allocBytes, EMPTY_BYTES, OutgoingBlocks } from '@ws02/protocol';
import { frameHeaderSize, writeFrameHeader } from './frame-header.js';
import { applyMask } from './mask.js';
import type { RandomPool } from './random.js';

/**
 * Unmasked payloads longer than this (1 KiB) are not copied: the header goes into the shared
 * block and the caller's payload follows as its own chunk (measured for draft-02's writer, the
 * same trade-off: copying wins up to about 1 KiB).
 */
export const GATHER_THRESHOLD = 1024;
/**
 * Masked payloads up to this size are masked straight into the shared block; larger ones into a
 * buffer of their own. Masking copies anyway (the caller's data is never modified), and a block
 * region is cheaper than a fresh ArrayBuffer.
 */
const MASKED_IN_BLOCK_MAX = 16 * 1024;
/** Strings up to this many UTF-16 units try a plain ASCII copy before `encodeInto`. */
const ASCII_TRY = 32;
/** Text whose worst-case UTF-8 size fits this is encoded straight into the block. */
const TEXT_IN_BLOCK_MAX = 48 * 1024;

const textEncoder = new TextEncoder();

/**
 * RFC 6455 frames (5.2) and the HTTP heads of the opening handshake, written into
 * {@link OutgoingBlocks}. A client's writer masks every frame (5.3) with a fresh key from its
 * random pool; a server's writes them unmasked.
 */
export class FrameWriter extends OutgoingBlocks {
  readonly #random: RandomPool | undefined;
  readonly #allocate: Allocator | undefined;

  /** `random`: the masking keys' source; given for a client, omitted for a server. */
  constructor(allocate: Allocator | undefined, random: RandomPool | undefined) {
    super(allocate);
    this.#allocate = allocate;
    this.#random = random;
  }

  /** Queues one frame; `b0` is byte 0 (FIN | opcode). The payload is never modified. */
  writeFrame(b0: number, payload: Uint8Array): void {
    const length = payload.length;
    const random = this.#random;
    if (random === undefined) {
      const head = frameHeaderSize(length, false);
      const large = length > GATHER_THRESHOLD;
      const off = this.reserve(large ? head : head + length);
      const p = writeFrameHeader(this.slab, off, b0, length, false);
      this.bytes += head + length;
      if (large) {
        this.advance(p);
        this.attach(payload); // Not copied: the caller must not modify it until written.
        return;
      }
      // Deliberate copy of a small payload: cheaper than a separate write segment.
      if (length > 0) this.slab.set(payload, p);
      this.advance(p + length);
      return;
    }
    if (length > MASKED_IN_BLOCK_MAX) {
      // Deliberate copy: masking must not touch the caller's bytes.
      const own = allocBytes(length, this.#allocate);
      own.set(payload, 0);
      this.#writeMaskedOwn(b0, own);
      return;
    }
    const head = frameHeaderSize(length, true);
    const off = this.reserve(head + length);
    const slab = this.slab;
    const key = writeFrameHeader(slab, off, b0, length, true);
    random.fill(slab, key, 4);
    const p = key + 4;
    // Deliberate copy: the payload is masked in the block, never in the caller's memory.
    if (length > 0) {
      slab.set(payload, p);
      applyMask(slab, p, p + length, slab, key, 0);
    }
    this.advance(p + length);
    this.bytes += head + length;
  }

  /** Queues a Text (or continuation) frame, UTF-8-encoding `text` straight into the block. */
  writeText(b0: number, text: string): void {
    const n = text.length;
    const max = n * 3; // UTF-8 bytes per UTF-16 unit: at most 3 (a lone surrogate → U+FFFD).
    const masked = this.#random !== undefined;
    if (max > TEXT_IN_BLOCK_MAX) {
      const bytes = textEncoder.encode(text);
      if (masked) this.#writeMaskedOwn(b0, bytes);
      else this.writeFrame(b0, bytes);
      return;
    }
    const head = frameHeaderSize(max, masked);
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
    if (written < n) {
      written = textEncoder.encodeInto(text, slab.subarray(body, body + max)).written;
    }
    const realHead = frameHeaderSize(written, masked);
    if (realHead !== head) {
      // Minimal length encoding (5.2): the header reserved for the worst case was too long.
      slab.copyWithin(off + realHead, body, body + written);
    }
    const key = writeFrameHeader(slab, off, b0, written, masked);
    const p = off + realHead;
    if (masked) {
      this.#random!.fill(slab, key, 4);
      applyMask(slab, p, p + written, slab, key, 0);
    }
    this.advance(p + written);
    this.bytes += realHead + written;
  }

  /** Queues an HTTP head (the handshake): one byte per code unit (all ≤ 0xFF, checked before). */
  writeHead(text: string): void {
    const n = text.length;
    const off = this.reserve(n);
    const slab = this.slab;
    for (let i = 0; i < n; i++) slab[off + i] = text.charCodeAt(i);
    this.advance(off + n);
    this.bytes += n;
  }

  /** A masked frame whose payload is ours to mask in place (a fresh copy or encoding). */
  #writeMaskedOwn(b0: number, own: Uint8Array): void {
    const length = own.length;
    const head = frameHeaderSize(length, true);
    const off = this.reserve(head);
    const slab = this.slab;
    const key = writeFrameHeader(slab, off, b0, length, true);
    this.#random!.fill(slab, key, 4);
    applyMask(own, 0, length, slab, key, 0);
    this.advance(key + 4);
    this.bytes += head + length;
    this.attach(length === 0 ? EMPTY_BYTES : own);
  }
}
