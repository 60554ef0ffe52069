/**
 * Received bytes not yet consumed, as a list of chunks: appending is O(1) and taking `n` bytes
 * copies only those bytes (a 16 MiB echo arriving in 64 KiB chunks is not re-concatenated on
 * every chunk).
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  /** Offset of the first unconsumed byte in the first chunk. */
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The byte at index `i` (0 = the first unconsumed byte); `i` must be < length. */
  byteAt(i: number): number {
    let index = i + this.#offset;
    for (const chunk of this.#chunks) {
      if (index < chunk.length) return chunk[index]!;
      index -= chunk.length;
    }
    throw new RangeError(`byteAt(${i}) past the end (${this.#length})`);
  }

  /** A copy of the first `n` bytes (fewer if fewer are queued), without consuming them. */
  peek(n: number): Buffer {
    const want = Math.min(n, this.#length);
    const out = Buffer.allocUnsafe(want);
    let filled = 0;
    let offset = this.#offset;
    for (const chunk of this.#chunks) {
      if (filled >= want) break;
      const part = chunk.subarray(offset, offset + (want - filled));
      part.copy(out, filled);
      filled += part.length;
      offset = 0;
    }
    return out;
  }

  /** Removes and returns the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    if (n > this.#length) throw new RangeError(`take(${n}) with ${this.#length} queued`);
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#offset >= n) {
      // Within the first chunk: a view, then drop the chunk if it is used up.
      const out = first.subarray(this.#offset, this.#offset + n);
      this.#offset += n;
      this.#length -= n;
      if (this.#offset === first.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
      return out;
    }
    const out = this.peek(n);
    this.skip(n);
    return out;
  }

  /** Drops the first `n` bytes. */
  skip(n: number): void {
    let left = Math.min(n, this.#length);
    this.#length -= left;
    while (left > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#offset;
      if (left < available) {
        this.#offset += left;
        return;
      }
      left -= available;
      this.#chunks.shift();
      this.#offset = 0;
    }
  }

  /** Index of `needle` within the first `limit` bytes, or -1. */
  indexOf(needle: Buffer, limit = 1 << 20): number {
    return this.peek(limit).indexOf(needle);
  }
}
