/**
 * Small-buffer pool. Allocating an ArrayBuffer costs far more than the bytes it holds (about
 * 0.7 µs each in Node 20, whatever the size), so small results are carved out of a shared
 * 64 KiB block, the way `Buffer.allocUnsafe` does. Carved regions are never handed out twice;
 * a block is dropped (left to the GC) once it is used up.
 */
const POOL_SIZE = 64 * 1024;
/** Largest request served from the pool; bigger ones get their own ArrayBuffer. */
export const POOL_CARVE_LIMIT = 4 * 1024;

let pool = new Uint8Array(0);
let poolOffset = 0;

/** A zero-length array shared by every empty payload (it cannot be written to). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * Allocates a buffer the caller overwrites entirely before anyone else sees it, so it may be
 * uninitialized: Node shells pass `Buffer.allocUnsafe` to skip zero-filling large buffers.
 */
export type Allocator = (size: number) => Uint8Array;

const zeroed: Allocator = (size) => new Uint8Array(size);

/**
 * Returns `n` writable bytes; contents are unspecified (callers overwrite all of them). Sizes
 * up to 4 KiB come from the pool; larger ones from `large` (default: a zeroed Uint8Array).
 */
export function allocBytes(n: number, large: Allocator = zeroed): Uint8Array {
  if (n > POOL_CARVE_LIMIT) {
    const out = large(n);
    // A custom allocator must honour the size exactly; fall back rather than misbehave.
    return out.length === n ? out : new Uint8Array(n);
  }
  if (n === 0) return EMPTY_BYTES;
  if (poolOffset + n > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  // Keep 8-byte alignment between carved regions, as Node's own pool does.
  poolOffset = (poolOffset + n + 7) & ~7;
  return out;
}
