import { isAscii } from 'node:buffer';
import { type ConnectionEvent, decodeText, FrameError } from '@ws02/frame';
import type { Ws02Error } from '@ws02/url';
import { SocketError } from './socket-error.js';

/**
 * What a connection dispatches: the core's events, where an `error` may also be the offload
 * layer's own (`SOCKET_OFFLOAD_FAILED`).
 */
export type DeliveredEvent =
  | ConnectionEvent
  | { readonly type: 'error'; readonly error: Ws02Error };

/**
 * The part of a worker pool the offload layer uses. A `piscina` pool fits as is; it is typed
 * structurally so that neither @ws02/socket nor @ws02/server depends on piscina: applications
 * create the pool (with the worker module @ws02/server ships) and pass it in.
 */
export interface OffloadPool {
  /** Runs one task in a worker; `transferList` buffers are moved, not copied. */
  run(task: unknown, options?: { transferList?: ArrayBuffer[] }): Promise<unknown>;
  /** Tasks waiting for a free worker (piscina's `queueSize`). */
  readonly queueSize: number;
  /** Worker threads at most (piscina's `maxThreads`): the default `maxQueue`. */
  readonly maxThreads?: number;
}

/**
 * The task a text message becomes in the pool. `bytes` is an `ArrayBuffer` this layer owns and
 * transfers. The worker answers with the decoded string, or `null` when the bytes are not valid
 * UTF-8 under the `fail` policy (section 6).
 */
export interface TextDecodeTask {
  readonly kind: 'text';
  readonly bytes: ArrayBuffer;
  readonly policy: 'replace' | 'fail';
}

/** Default `minBytes`: below it text is always decoded inline (see docs/SCALING.md). */
export const DEFAULT_OFFLOAD_MIN_BYTES = 64 * 1024;
/** Default `maxQueue` when the pool does not say how many threads it has. */
const DEFAULT_MAX_QUEUE = 4;

export interface TextOffloadOptions {
  /** A worker pool running @ws02/server's offload worker module. */
  readonly pool: OffloadPool;
  /**
   * Text messages of at least this many bytes may be decoded in the pool; smaller ones are
   * always decoded inline. Default {@link DEFAULT_OFFLOAD_MIN_BYTES}; `calibrateOffload` in
   * @ws02/server measures one for the machine.
   */
  readonly minBytes?: number;
  /**
   * With this many tasks (or more) already waiting in the pool, text is decoded inline instead
   * of queueing without bound. Default: the pool's `maxThreads` (4 if unknown).
   */
  readonly maxQueue?: number;
  /**
   * Decode text that looks ASCII inline whatever its size (default true): for ASCII, decoding
   * costs about what a copy costs, so the copy to the worker and the string coming back cost
   * the main thread more than decoding inline would (measured in docs/SCALING.md).
   */
  readonly keepAsciiInline?: boolean;
}

/** Where text messages of at least `minBytes` were decoded, server-wide. */
export interface OffloadStats {
  /** Decoded in the pool. */
  offloaded: number;
  /** Of those, moved to the pool without a copy (a buffer the core joined the message into). */
  moved: number;
  /** Decoded inline because their samples were ASCII (`keepAsciiInline`). */
  asciiInline: number;
  /** Decoded inline because the pool's queue was at `maxQueue`. */
  saturated: number;
  /** Pool tasks that failed (worker crash, pool destroyed): each failed its connection. */
  failed: number;
}

/** Bytes one ASCII sample window checks; {@link SAMPLE_WINDOWS} windows spread over a message. */
const SAMPLE_BYTES = 512;
const SAMPLE_WINDOWS = 8;
/** Per connection: above this many bytes or events waiting behind a task, stop reading. */
const HOLD_BYTES = 16 * 1024 * 1024;
const HOLD_EVENTS = 1024;

/**
 * Offload settings and counters shared by every connection of one server. Each connection gets
 * its own {@link TextOffloadQueue} built on it.
 */
export class TextOffload {
  readonly pool: OffloadPool;
  readonly minBytes: number;
  readonly maxQueue: number;
  readonly keepAsciiInline: boolean;
  readonly stats: OffloadStats = {
    offloaded: 0,
    moved: 0,
    asciiInline: 0,
    saturated: 0,
    failed: 0,
  };

  constructor(options: TextOffloadOptions) {
    if (options.pool === null || typeof options.pool?.run !== 'function') {
      throw new TypeError('offload.pool must be a worker pool with run() (e.g. a piscina pool)');
    }
    const minBytes = options.minBytes ?? DEFAULT_OFFLOAD_MIN_BYTES;
    if (!(minBytes >= 1)) throw new RangeError('offload.minBytes must be at least 1');
    const maxQueue = options.maxQueue ?? options.pool.maxThreads ?? DEFAULT_MAX_QUEUE;
    if (!(maxQueue >= 0)) throw new RangeError('offload.maxQueue must be 0 or more');
    this.pool = options.pool;
    this.minBytes = minBytes;
    this.maxQueue = maxQueue;
    this.keepAsciiInline = options.keepAsciiInline ?? true;
  }

  /** True when a text message of these bytes goes to the pool (counted), false for inline. */
  shouldOffload(bytes: Uint8Array): boolean {
    if (bytes.byteLength < this.minBytes) return false;
    if (this.keepAsciiInline && looksAscii(bytes)) {
      this.stats.asciiInline++;
      return false;
    }
    // Saturated: the pool is behind; queueing more only adds latency and memory.
    if (this.pool.queueSize >= this.maxQueue) {
      this.stats.saturated++;
      return false;
    }
    this.stats.offloaded++;
    return true;
  }
}

/**
 * A few windows spread over the message are checked, not all of it: the answer only decides
 * where the message is decoded, never what it decodes to, and a message judged ASCII by its
 * samples costs at worst what inline decoding costs with offload off.
 */
function looksAscii(bytes: Uint8Array): boolean {
  const length = bytes.byteLength;
  if (length <= SAMPLE_BYTES * SAMPLE_WINDOWS) return isAscii(bytes);
  const step = Math.floor((length - SAMPLE_BYTES) / (SAMPLE_WINDOWS - 1));
  for (let i = 0; i < SAMPLE_WINDOWS; i++) {
    const start = i === SAMPLE_WINDOWS - 1 ? length - SAMPLE_BYTES : i * step;
    if (!isAscii(bytes.subarray(start, start + SAMPLE_BYTES))) return false;
  }
  return true;
}

/**
 * ArrayBuffers allocated for a frame core by {@link allocateMovable}: the core fills them
 * completely (a payload or message joined from several chunks) and hands them, whole, to exactly
 * one event. Nothing else ever holds them, so such a message can be moved to a worker as is.
 */
const movable = new WeakSet<ArrayBuffer>();

/**
 * The frame core's allocator on connections with offload: `Buffer.allocUnsafe` (no zero-fill;
 * the core overwrites every byte) that remembers the buffers it made, so that the offload stage
 * can transfer a joined message without copying it.
 */
export function allocateMovable(size: number): Uint8Array {
  const bytes = Buffer.allocUnsafe(size);
  // Sizes the core asks for (over 4 KiB) get an ArrayBuffer of their own, never pool memory.
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === size) {
    movable.add(bytes.buffer as ArrayBuffer);
  }
  return bytes;
}

/** The message's bytes as an ArrayBuffer this stage owns, and whether it was moved as is. */
function ownedBuffer(bytes: Uint8Array): { buffer: ArrayBuffer; moved: boolean } {
  const buffer = bytes.buffer as ArrayBuffer;
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && movable.has(buffer)) {
    movable.delete(buffer);
    return { buffer, moved: true };
  }
  // Deliberate copy: a view of a socket chunk (or of pooled memory) shares its ArrayBuffer with
  // other data and cannot be moved; the copy is what makes the transfer safe.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return { buffer: copy.buffer, moved: false };
}

interface Slot {
  /** False while the pool decodes this message. */
  ready: boolean;
  event: DeliveredEvent;
  bytes: number;
}

/**
 * One connection's ordered decode stage between the frame core (running with text policy
 * `raw`) and the connection's dispatch. Text below `minBytes` (or ASCII, or with the pool
 * saturated) is decoded inline with @ws02/frame's `decodeText`; larger text is decoded in the
 * pool. While a pool task is pending, every later event (messages, pings, pongs, the peer's
 * Close, errors) waits behind it, so the application sees events in wire order (section 4.3:
 * messages are delivered in order). A decode failure under `fail` becomes the
 * `FRAME_INVALID_UTF8` error event (section 6); a pool failure becomes `SOCKET_OFFLOAD_FAILED`;
 * either ends the stage: later events are dropped, as the core drops input after its own
 * failures.
 */
export class TextOffloadQueue {
  readonly #offload: TextOffload;
  readonly #policy: 'replace' | 'fail';
  readonly #deliver: (event: DeliveredEvent) => void;
  readonly #hold: (held: boolean) => void;
  #slots: Slot[] = [];
  #heldBytes = 0;
  #held = false;
  #failed = false;
  #idle: (() => void)[] = [];

  /**
   * @param deliver the connection's dispatch, called in wire order
   * @param hold asked to stop (true) and restart (false) reading the socket while too much
   *   waits behind pending tasks
   */
  constructor(
    offload: TextOffload,
    policy: 'replace' | 'fail',
    deliver: (event: DeliveredEvent) => void,
    hold: (held: boolean) => void,
  ) {
    this.#offload = offload;
    this.#policy = policy;
    this.#deliver = deliver;
    this.#hold = hold;
  }

  /** Something waits for the pool. */
  get busy(): boolean {
    return this.#slots.length > 0;
  }

  /** The stage delivered an error: the connection is failing and later input is ignored. */
  get failed(): boolean {
    return this.#failed;
  }

  /** The stage asked the connection to stop reading. */
  get held(): boolean {
    return this.#held;
  }

  /** Runs `callback` once nothing waits for the pool (at once if nothing does). */
  whenIdle(callback: () => void): void {
    if (this.#slots.length === 0) callback();
    else this.#idle.push(callback);
  }

  /** One event from the core, in wire order. */
  push(event: ConnectionEvent): void {
    if (this.#failed) return;
    let out: DeliveredEvent = event;
    if (event.type === 'message' && !event.binary && typeof event.data !== 'string') {
      const bytes = event.data;
      if (this.#offload.shouldOffload(bytes)) {
        this.#start(bytes);
        return;
      }
      out = this.#decodeInline(bytes);
    }
    if (this.#slots.length === 0) {
      // Nothing pending: straight through, as without offload.
      this.#emit(out);
      return;
    }
    this.#enqueue({ ready: true, event: out, bytes: sizeOf(out) });
  }

  #decodeInline(bytes: Uint8Array): DeliveredEvent {
    try {
      return { type: 'message', data: decodeText(bytes, this.#policy), binary: false };
    } catch (error) {
      if (error instanceof FrameError) return { type: 'error', error };
      throw error;
    }
  }

  #start(bytes: Uint8Array): void {
    // Transferred, never structured-cloned: a joined message is moved as is, anything else is
    // copied into an ArrayBuffer we own first.
    const { buffer, moved } = ownedBuffer(bytes);
    if (moved) this.#offload.stats.moved++;
    const slot: Slot = { ready: false, event: PENDING, bytes: bytes.byteLength };
    this.#enqueue(slot);
    const task: TextDecodeTask = { kind: 'text', bytes: buffer, policy: this.#policy };
    this.#offload.pool.run(task, { transferList: [buffer] }).then(
      (result) => this.#settle(slot, result),
      (error: unknown) => this.#settle(slot, undefined, error),
    );
  }

  #settle(slot: Slot, result: unknown, error?: unknown): void {
    // An earlier event already failed the connection: this result has nobody to go to.
    if (this.#failed) return;
    slot.ready = true;
    if (typeof result === 'string') {
      slot.event = { type: 'message', data: result, binary: false };
    } else if (result === null && error === undefined) {
      // Section 6, policy `fail`: the worker found invalid UTF-8.
      slot.event = {
        type: 'error',
        error: new FrameError('FRAME_INVALID_UTF8', '6', 'text message is not valid UTF-8'),
      };
    } else {
      this.#offload.stats.failed++;
      const reason =
        error === undefined ? 'the worker returned no string' : (error as Error)?.message;
      slot.event = {
        type: 'error',
        error: new SocketError(
          'SOCKET_OFFLOAD_FAILED',
          '6',
          `decoding a text message in the worker pool failed: ${reason}`,
          error === undefined ? {} : { cause: error },
        ),
      };
    }
    this.#flush();
  }

  #enqueue(slot: Slot): void {
    this.#slots.push(slot);
    this.#heldBytes += slot.bytes;
    if (!this.#held && (this.#heldBytes > HOLD_BYTES || this.#slots.length > HOLD_EVENTS)) {
      this.#held = true;
      this.#hold(true);
    }
  }

  /** Delivers the ready events at the head, in order, up to the first one still pending. */
  #flush(): void {
    const slots = this.#slots;
    while (slots.length > 0 && slots[0]!.ready) {
      const slot = slots.shift()!;
      this.#heldBytes -= slot.bytes;
      this.#emit(slot.event);
      if (this.#failed) break;
    }
    if (this.#failed) {
      this.#slots = [];
      this.#heldBytes = 0;
    }
    if (this.#held && this.#heldBytes <= HOLD_BYTES / 2 && slots.length <= HOLD_EVENTS / 2) {
      this.#held = false;
      this.#hold(false);
    }
    if (this.#slots.length === 0 && this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const callback of idle) callback();
    }
  }

  #emit(event: DeliveredEvent): void {
    if (event.type === 'error') this.#failed = true;
    this.#deliver(event);
  }
}

/** Placeholder event of a slot whose message the pool is decoding. */
const PENDING: DeliveredEvent = { type: 'pong', data: new Uint8Array(0) };

function sizeOf(event: DeliveredEvent): number {
  switch (event.type) {
    case 'message':
      return typeof event.data === 'string' ? event.data.length * 2 : event.data.byteLength;
    case 'ping':
    case 'pong':
      return event.data.byteLength;
    default:
      return 0;
  }
}
