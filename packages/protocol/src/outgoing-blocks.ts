import { type Allocator, EMPTY_BYTES } from './byte-pool.js';

/** Size of the blocks small frames are encoded into. */
const SLAB_SIZE = 64 * 1024;
/** The block small frames are written into, and the next free offset in it. */
interface SharedBlock {
  slab: Uint8Array;
  pos: number;
}

/**
 * The chunk list of a queue holding nothing. Never pushed to: the first chunk after `take()`
 * creates a fresh array. A queue lives long (its connection's lifetime) and its arrays are
 * short-lived; giving an idle queue a new empty array at every `take()` would let that array
 * survive in the young generation while the connection waits, get promoted, and die in the old
 * one — at hundreds of connections, a steady source of full (mark-compact) collections.
 */
const NO_CHUNKS: Uint8Array[] = [];

/**
 * The block small frames are written into, shared by every queue in this JS realm that uses
 * the same allocator (like Node's Buffer pool). One per connection would pin 64 KiB of memory to
 * every connection that ever sent a frame: 10,000 connections held over 600 MiB that way.
 * Shared, an idle connection holds none, and a block lives only as long as some region of it
 * waits to be written. Queues with a custom allocator get a block of their own allocator's kind
 * (one per allocator function): a queue that promised zeroed memory never hands out views into a
 * block whose unwritten bytes are uninitialized.
 */
const zeroedShared: SharedBlock = { slab: EMPTY_BYTES, pos: 0 };
const sharedByAllocator = new WeakMap<Allocator, SharedBlock>();

function sharedBlockFor(allocate: Allocator | undefined): SharedBlock {
  if (allocate === undefined) return zeroedShared;
  let shared = sharedByAllocator.get(allocate);
  if (shared === undefined) {
    shared = { slab: EMPTY_BYTES, pos: 0 };
    sharedByAllocator.set(allocate, shared);
  }
  return shared;
}

/**
 * Outgoing bytes, ready for one gathered write: the block machinery a wire protocol's frame
 * writer builds on (draft-02's and RFC 6455's write their own headers into it).
 *
 * Small frames are encoded back to back into a 64 KiB block shared by all queues (one
 * ArrayBuffer for hundreds of frames instead of one each), so `take()` returns one chunk for a
 * whole run of them — a run ends when another queue writes into the block in between, or when
 * the block is used up. Large payloads are never copied: a writer ends the current run and
 * `attach`es the caller's payload as its own chunk. Regions handed out by `take()` are never
 * written again (the shared position only moves forward).
 *
 * Blocks come from `allocate` (default: a zeroed Uint8Array). Every byte of a region is written
 * before `take()` hands it out, so Node shells pass `Buffer.allocUnsafe` and skip zero-filling
 * 64 KiB per block — but the rest of a block (visible through a chunk's `.buffer`) is then
 * uninitialized: pass such an allocator only when the chunks go nowhere but a socket.
 *
 * A used-up block is dropped, not recycled: a region handed out by `take()` may still sit in a
 * socket's write queue (Node keeps a reference until the kernel has the bytes), and the queue
 * cannot know when every region of a block has left; reusing a block early would corrupt
 * frames on the wire.
 *
 * Writing a frame: `const off = reserve(n)`, write up to `n` bytes at `slab[off…]`, then
 * `advance(end)` and add the frame's size to `bytes`; for an uncopied payload, `advance` past
 * the header, then `attach(payload)`.
 */
export class OutgoingBlocks {
  private readonly allocate: Allocator | undefined;
  private readonly shared: SharedBlock;
  private chunks: Uint8Array[] = NO_CHUNKS;
  /** The block being written (valid after `reserve`). */
  slab: Uint8Array = EMPTY_BYTES;
  private pos = 0;
  private start = 0;
  /** Bytes queued and not yet taken (writers add what they queue). */
  bytes = 0;

  /** `allocate`: where new blocks come from (see the class comment); default zeroed. */
  constructor(allocate?: Allocator) {
    this.allocate = allocate;
    this.shared = sharedBlockFor(allocate);
  }

  /** Everything queued, in order, as few chunks as possible; the queue is empty afterwards. */
  take(): Uint8Array[] {
    this.flushRun();
    const chunks = this.chunks;
    this.chunks = NO_CHUNKS;
    this.bytes = 0;
    // Hold no reference to the block while idle (the next write re-syncs with the shared one).
    this.slab = EMPTY_BYTES;
    this.start = this.pos = 0;
    // A fresh array when empty: the caller owns what it gets and may push to it.
    return chunks === NO_CHUNKS ? [] : chunks;
  }

  /** An offset in `slab` with `n` contiguous writable bytes. */
  reserve(n: number): number {
    const shared = this.shared;
    if (this.slab !== shared.slab || this.pos !== shared.pos) {
      // Another queue wrote since our run ended (or a new block came): the run can't grow.
      this.flushRun();
      this.slab = shared.slab;
      this.start = this.pos = shared.pos;
    }
    if (this.pos + n > this.slab.length) {
      this.flushRun();
      const size = Math.max(SLAB_SIZE, n);
      const slab = this.allocate === undefined ? new Uint8Array(size) : this.allocate(size);
      // A custom allocator must honour the size exactly; fall back rather than misbehave.
      shared.slab = slab.length === size ? slab : new Uint8Array(size);
      shared.pos = 0;
      this.slab = shared.slab;
      this.start = this.pos = 0;
    }
    return this.pos;
  }

  /** Ends the current write at `p`, in this run and in the shared block. */
  advance(p: number): void {
    this.pos = p;
    this.shared.pos = p;
  }

  /** Ends the current run and queues `payload` as a chunk of its own, uncopied. */
  attach(payload: Uint8Array): void {
    this.flushRun();
    this.addChunk(payload); // Not copied: the caller must not modify it until written.
  }

  /** Queues chunks encoded elsewhere (a broadcast's frames), uncopied, after what is queued. */
  attachAll(chunks: readonly Uint8Array[]): void {
    this.flushRun();
    for (let i = 0; i < chunks.length; i++) {
      this.addChunk(chunks[i]!);
      this.bytes += chunks[i]!.length;
    }
  }

  private addChunk(chunk: Uint8Array): void {
    if (this.chunks === NO_CHUNKS) this.chunks = [chunk];
    else this.chunks.push(chunk);
  }

  private flushRun(): void {
    if (this.pos > this.start) {
      this.addChunk(this.slab.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }
}
