import type { Socket } from 'node:net';
import type { FlushScheduler } from './flush-policy.js';

/** Small chunks are joined into write blocks of up to this many bytes. */
const COALESCE_LIMIT = 64 * 1024;
/**
 * Chunks this large are written as they are, never copied: payloads, and the runs of frames the
 * core already packed into its block (a flush whose run crossed the end of a block has two).
 * Below it, a segment of its own costs more than copying the bytes.
 */
const LARGE_CHUNK = 4 * 1024;

type WriteCallback = (error?: Error) => void;

/**
 * Empty lists of a writer holding nothing; never pushed to (the first item creates a fresh
 * array). A writer lives as long as its connection; a new empty array stored at every flush
 * would wait in the young generation while the connection is quiet, get promoted, and die in
 * the old one — at hundreds of connections a steady source of full (mark-compact) collections.
 */
const NO_CHUNKS: Uint8Array[] = [];
const NO_CALLBACKS: WriteCallback[] = [];

/** Where frames encoded by the protocol core wait (a @ws02/frame `FrameConnection`). */
export interface OutgoingSource {
  takeOutgoing(): Uint8Array[];
  readonly outgoingBytes: number;
}

/**
 * The write side of one connection: every frame queued during the same tick leaves in one
 * socket write, and the bytes queued are bounded.
 *
 * Frames sent through the core are already packed back to back in one block by @ws02/frame's
 * outgoing queue; the writer pulls them once per tick (`process.nextTick`), so a burst of sends
 * costs one `write()`. Pre-encoded frames (`enqueueEncoded`, for broadcast) keep their order
 * relative to core frames. When a flush has several chunks, consecutive small ones (< 4 KiB) are
 * joined — a deliberate copy of a few bytes, cheaper than a write segment each; large chunks
 * (payloads, and the core's packed runs of frames) are never copied: the socket is corked and
 * Node issues one `writev`.
 *
 * Backpressure: `bufferedAmount` counts what waits in the core and here plus what the socket
 * holds (`writableLength`); the connection compares it with its limit before each send.
 */
export class SocketWriter {
  readonly #socket: Socket;
  readonly #source: OutgoingSource;
  #pending: Uint8Array[] = NO_CHUNKS;
  #pendingBytes = 0;
  #callbacks: WriteCallback[] = NO_CALLBACKS;
  #scheduled = false;
  readonly #scheduler: FlushScheduler | undefined;
  /** Bytes handed to the socket so far (for counters). */
  bytesWritten = 0;

  /**
   * `scheduler`: flush later than the end of the tick, together with the owner's other
   * connections (a `FlushPolicy` of `'turn'` or a delay); none = `process.nextTick`.
   */
  constructor(socket: Socket, source: OutgoingSource, scheduler?: FlushScheduler) {
    this.#socket = socket;
    this.#source = source;
    this.#scheduler = scheduler;
  }

  get bufferedAmount(): number {
    return this.#source.outgoingBytes + this.#pendingBytes + this.#socket.writableLength;
  }

  /** The core queued frames: write them at the end of this tick (or as the scheduler says). */
  schedule(callback?: WriteCallback): void {
    if (callback !== undefined) {
      if (this.#callbacks === NO_CALLBACKS) this.#callbacks = [callback];
      else this.#callbacks.push(callback);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#scheduler === undefined) process.nextTick(flushWriter, this);
      else this.#scheduler.add(this);
    }
  }

  /** Queues frames encoded elsewhere (encode once, send many), after what the core holds. */
  enqueueEncoded(chunks: readonly Uint8Array[], callback?: WriteCallback): void {
    this.#takeFromSource();
    this.#add(chunks);
    this.schedule(callback);
  }

  #add(chunks: readonly Uint8Array[]): void {
    if (this.#pending === NO_CHUNKS) this.#pending = [];
    const pending = this.#pending;
    for (let i = 0; i < chunks.length; i++) {
      pending.push(chunks[i]!);
      this.#pendingBytes += chunks[i]!.byteLength;
    }
  }

  #takeFromSource(): void {
    if (this.#source.outgoingBytes === 0) return;
    this.#add(this.#source.takeOutgoing());
  }

  /** Writes everything queued now (also used right before ending the socket). */
  flush(): void {
    this.#scheduled = false;
    let pending = this.#pending;
    let total = this.#pendingBytes;
    const source = this.#source;
    if (pending === NO_CHUNKS) {
      // The common case, only the core's frames: its list is written without being stored here.
      if (source.outgoingBytes > 0) {
        pending = source.takeOutgoing();
        for (let i = 0; i < pending.length; i++) total += pending[i]!.byteLength;
      }
    } else {
      this.#takeFromSource();
      total = this.#pendingBytes;
      this.#pending = NO_CHUNKS;
      this.#pendingBytes = 0;
    }
    const callbacks = this.#callbacks;
    if (pending.length === 0 && callbacks.length === 0) return;
    this.#callbacks = NO_CALLBACKS;
    const done: ((error?: Error | null) => void) | undefined =
      callbacks.length === 0
        ? undefined
        : (error) => {
            for (const cb of callbacks) cb(error ?? undefined);
          };
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) {
      if (done)
        queueMicrotask(() => done(new Error('the socket closed before the data was written')));
      return;
    }
    if (pending.length === 0) {
      // Only callbacks (e.g. a send that queued nothing new): they complete with what is queued.
      socket.write(EMPTY_WRITE, done);
      return;
    }
    this.bytesWritten += total;
    if (pending.length === 1) {
      socket.write(pending[0]!, done);
      return;
    }
    // Runs of small chunks are joined into blocks of up to COALESCE_LIMIT (a burst of thousands
    // of small pre-encoded frames must not become a writev of thousands of tiny buffers); chunks
    // of LARGE_CHUNK bytes or more (payloads, packed runs) and a small chunk standing alone are
    // written uncopied, so each byte is copied once on its way out (by the core, into its block).
    const segments: Uint8Array[] = [];
    let runStart = 0;
    let runBytes = 0;
    for (let i = 0; i < pending.length; i++) {
      const size = pending[i]!.byteLength;
      if (size >= LARGE_CHUNK) {
        if (i > runStart) segments.push(joinChunks(pending, runStart, i, runBytes));
        segments.push(pending[i]!);
        runStart = i + 1;
        runBytes = 0;
      } else if (runBytes + size > COALESCE_LIMIT) {
        segments.push(joinChunks(pending, runStart, i, runBytes));
        runStart = i;
        runBytes = size;
      } else {
        runBytes += size;
      }
    }
    if (runStart < pending.length)
      segments.push(joinChunks(pending, runStart, pending.length, runBytes));
    const last = segments.length - 1;
    if (last === 0) {
      socket.write(segments[0]!, done);
      return;
    }
    // Corked, so the whole flush leaves as one writev; `done` rides on the last segment (writes
    // complete in order).
    socket.cork();
    for (let i = 0; i < last; i++) socket.write(segments[i]!);
    socket.write(segments[last]!, done);
    socket.uncork();
  }
}

/**
 * `chunks[from..to)` as one buffer. A deliberate copy of small chunks: one write segment is
 * cheaper than many (and a single chunk is returned as is, uncopied).
 */
function joinChunks(
  chunks: readonly Uint8Array[],
  from: number,
  to: number,
  bytes: number,
): Uint8Array {
  if (to - from === 1) return chunks[from]!;
  const joined = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = from; i < to; i++) {
    joined.set(chunks[i]!, offset);
    offset += chunks[i]!.byteLength;
  }
  return joined;
}
const EMPTY_WRITE = new Uint8Array(0);

function flushWriter(writer: SocketWriter): void {
  writer.flush();
}
