import { type Allocator, allocBytes, EMPTY_BYTES } from './byte-pool.js';

/** Pieces at least this long are kept by reference until the end (no copy on arrival). */
const BORROW_MIN = 16 * 1024;
/** Owned blocks for small pieces never exceed this. */
const BLOCK_MAX = 64 * 1024;
/** First owned block when the total is unknown (fragmented messages). */
const BLOCK_START = 1024;
/**
 * A known total above `BLOCK_MAX` gets its exact-size buffer once this fraction of it has
 * arrived (1/4): allocation stays within 4× the bytes the peer actually sent.
 */
const EXACT_SHIFT = 2;

/**
 * The piece list of an accumulator holding none; never pushed to. An accumulator lives as long
 * as its connection: a new empty array at every `begin`/`take` would often survive in the young
 * generation until the next payload, get promoted, and die in the old one (full collections at
 * hundreds of connections).
 */
const NO_PARTS: Uint8Array[] = [];

/**
 * Collects the pieces of one payload or one fragmented message and joins them once.
 *
 * Every byte is copied exactly once in the common cases:
 * - known total ≤ 64 KiB (a frame payload spanning chunks): one exact-size buffer, allocated by
 *   `begin`, pieces copied in as they arrive, returned as is;
 * - known total > 64 KiB (a large frame's payload): pieces are borrowed (large ones) or copied
 *   into small owned blocks until a quarter of the total has arrived; then the exact-size buffer
 *   is allocated, what is held so far is copied in, every later piece is copied in on arrival,
 *   and `take` returns that buffer — no second large buffer for a final join, and the socket's
 *   chunks die young instead of staying reachable (and being promoted by the GC) until the last
 *   byte of a 1 MiB message arrives;
 * - unknown total (fragmented messages): large pieces (≥ 16 KiB) are borrowed (kept as views)
 *   and copied once by the final join.
 *
 * Memory bound: nothing larger than 64 KiB is allocated from a header's word alone. A peer
 * announcing many maximum-size frames and sending nothing makes us hold at most one 64 KiB
 * buffer per connection; the exact buffer of a larger payload exists only once a quarter of it
 * has arrived, so allocation stays within 4× the bytes actually received (plus one block).
 *
 * Small pieces of a large or unknown total are copied into owned blocks on arrival: keeping a
 * view of a 10-byte piece would keep its whole chunk alive, and a peer interleaving tiny
 * fragments with large pings could then make us retain far more than the message size (a
 * memory denial of service). Memory held is therefore bounded by the bytes received plus one
 * block.
 */
export class ByteAccumulator {
  private parts: Uint8Array[] = NO_PARTS;
  private block: Uint8Array = EMPTY_BYTES;
  private blockStart = 0;
  private blockPos = 0;
  private total = 0;
  /** Bytes pushed since `begin`. */
  length = 0;

  /**
   * `allocate` serves the buffers that end up entirely written (the exact-size buffer of a
   * known total and the final join); blocks with slack always come zeroed from the pool or a
   * plain Uint8Array, so no uninitialized byte is ever reachable through `.buffer`.
   */
  constructor(private readonly allocate?: Allocator) {}

  /** Starts a new payload; `total` is the exact final length when known, else 0. */
  begin(total: number): void {
    this.parts = NO_PARTS;
    this.length = 0;
    this.total = total;
    if (total > 0 && total <= BLOCK_MAX) {
      this.block = allocBytes(total, this.allocate);
    } else {
      this.block = EMPTY_BYTES;
    }
    this.blockStart = 0;
    this.blockPos = 0;
  }

  push(piece: Uint8Array): void {
    const n = piece.length;
    if (n === 0) return;
    this.length += n;
    const block = this.block;
    if (this.blockPos + n <= block.length) {
      // Deliberate copy: into the exact-size buffer, or a small piece into an owned block.
      block.set(piece, this.blockPos);
      this.blockPos += n;
      return;
    }
    if (
      this.total > BLOCK_MAX &&
      this.length <= this.total &&
      this.length >= this.total >>> EXACT_SHIFT
    ) {
      this.switchToExact(piece);
      return;
    }
    if (n >= BORROW_MIN) {
      this.flushBlock();
      this.addPart(piece);
      return;
    }
    this.flushBlock();
    const size =
      this.total > 0
        ? Math.min(BLOCK_MAX, this.total - this.length + n)
        : Math.min(BLOCK_MAX, Math.max(BLOCK_START, block.length * 2, n));
    this.block = allocBytes(Math.max(size, n));
    this.blockStart = 0;
    // Deliberate copy: small piece into an owned block (see class comment).
    this.block.set(piece, 0);
    this.blockPos = n;
  }

  /** The joined bytes; the accumulator is empty afterwards. */
  take(): Uint8Array {
    const block = this.block;
    if (this.parts.length === 0 && this.blockStart === 0 && this.blockPos === block.length) {
      // The common spanning-frame case: one exact-size buffer, returned without another view.
      this.block = EMPTY_BYTES;
      this.blockPos = 0;
      this.length = 0;
      return block;
    }
    this.flushBlock();
    const parts = this.parts;
    const length = this.length;
    this.parts = NO_PARTS;
    this.block = EMPTY_BYTES;
    this.blockStart = 0;
    this.blockPos = 0;
    this.length = 0;
    if (parts.length === 0) return EMPTY_BYTES;
    if (parts.length === 1) return parts[0]!;
    // Deliberate copy: the one join of a payload that arrived in several pieces.
    const out = allocBytes(length, this.allocate);
    let offset = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  /**
   * A quarter of a large known total has arrived: allocate the exact-size buffer and copy what is
   * held so far and `piece` into it (see the class comment for the bound).
   */
  private switchToExact(piece: Uint8Array): void {
    this.flushBlock();
    const parts = this.parts;
    const exact = allocBytes(this.total, this.allocate);
    let offset = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      // Deliberate copy: the one copy of a borrowed piece (small pieces were copied on arrival).
      exact.set(part, offset);
      offset += part.length;
    }
    // Deliberate copy: the piece that crossed the quarter mark.
    exact.set(piece, offset);
    this.parts = NO_PARTS;
    this.block = exact;
    this.blockStart = 0;
    this.blockPos = offset + piece.length;
  }

  private addPart(part: Uint8Array): void {
    if (this.parts === NO_PARTS) this.parts = [part];
    else this.parts.push(part);
  }

  private flushBlock(): void {
    if (this.blockPos > this.blockStart) {
      this.addPart(this.block.subarray(this.blockStart, this.blockPos));
      this.blockStart = this.blockPos;
    }
  }
}
