import { type Allocator, ByteAccumulator, EMPTY_BYTES } from '@ws02/protocol';
import { ExtensionSet, type FrameExtension } from './extension.js';
import type { Frame } from './frame.js';
import { FrameError } from './frame-error.js';
import {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type FrameLimits,
  limitOption,
} from './limits.js';

export interface FrameDecoderOptions extends FrameLimits {
  /** Extensions whose RSV bits / opcodes are accepted and whose hooks run (section 4.7). */
  readonly extensions?: readonly FrameExtension[];
  /** Called synchronously for each frame; without it frames queue for `takeFrames()`. */
  readonly onFrame?: (frame: Frame) => void;
  /**
   * Allocator for buffers over 4 KiB that are written entirely before delivery (payloads
   * joined from several chunks). Default: `new Uint8Array(size)`. Node shells may pass
   * `Buffer.allocUnsafe` to skip zero-filling; it must return exactly `size` bytes.
   */
  readonly allocate?: Allocator;
}

const TWO_32 = 4294967296;
/** 2^53 / 2^32: a high half at or above this makes the length unsafe as a JS number. */
const HI_UNSAFE = 0x200000;

/**
 * Incremental draft-02 frame decoder (section 4.2), resumable at any byte.
 *
 * Feed it chunks of any size, down to one byte. A payload that lies wholly inside one chunk is
 * delivered as a view of that chunk (`subarray`, zero-copy); only a payload spanning chunks is
 * copied, once. **Contract:** the caller must not modify a chunk after passing it in, since
 * delivered payloads may be views of it.
 *
 * Every header is validated as soon as it is complete, before any of its payload is buffered:
 * reserved bits and opcodes (unless an extension claims them), the 63-bit length's top bit,
 * MORE on control frames (4.4), the fragment sequence (4.3: a continuation needs an open
 * message, a Text/Binary frame must not arrive inside one; control frames between fragments
 * are accepted — the project's decision), and the limits (frame size, message size, fragment
 * count). A violation throws a `FrameError`; the decoder is then failed for good and rethrows
 * the same error on any later input.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  readonly maxMessageSize: number;
  readonly maxFragments: number;

  private readonly extensions: ExtensionSet | null;
  private readonly rsvMask: number;
  private readonly opcodeMask: number;
  private readonly onFrame: ((frame: Frame) => void) | undefined;
  private frames: Frame[] = [];

  /** Header bytes received so far when a header spans chunks. */
  private readonly head = new Uint8Array(10);
  private headFill = 0;
  /** A header has been read and its payload is still arriving. */
  private inPayload = false;
  private curB0 = 0;
  private curB1 = 0;
  /** Payload bytes still to come for the current frame. */
  private need = 0;
  private readonly acc: ByteAccumulator;

  /** Fragment sequence state (section 4.3), tracked at header time. */
  private open = false;
  private messageSize = 0;
  private fragmentCount = 0;

  private stopped = false;
  private failure: FrameError | undefined = undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameSize = limitOption('maxFrameSize', options.maxFrameSize, DEFAULT_MAX_FRAME_SIZE);
    this.maxMessageSize = limitOption(
      'maxMessageSize',
      options.maxMessageSize,
      DEFAULT_MAX_MESSAGE_SIZE,
    );
    this.maxFragments = limitOption('maxFragments', options.maxFragments, DEFAULT_MAX_FRAGMENTS, 1);
    const list = options.extensions ?? [];
    this.extensions = list.length === 0 ? null : new ExtensionSet(list);
    this.rsvMask = this.extensions?.rsvMask ?? 0;
    this.opcodeMask = this.extensions?.opcodeMask ?? 0;
    this.onFrame = options.onFrame;
    this.acc = new ByteAccumulator(options.allocate);
  }

  /** The error that failed the decoder, if any. */
  get error(): FrameError | undefined {
    return this.failure;
  }

  /** True between the first and the last frame of a fragmented message. */
  get messageOpen(): boolean {
    return this.open;
  }

  /** True while part of a frame (header or payload) has been received. */
  get frameOpen(): boolean {
    return this.headFill > 0 || this.inPayload;
  }

  /** Frames decoded since the last call (only when no `onFrame` callback was given). */
  takeFrames(): Frame[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }

  /**
   * Ignore all further input (used once a Close has been received: section 7 says the rest is
   * discarded). Takes effect immediately, even in the middle of a chunk.
   */
  stop(): void {
    this.stopped = true;
  }

  /** Feeds bytes. Throws `FrameError` on the first violation. */
  receiveData(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.stopped) return;
    try {
      this.parse(chunk);
    } catch (error) {
      if (error instanceof FrameError) this.failure = error;
      else this.stopped = true; // An exception from a callback: state is no longer reliable.
      throw error;
    }
  }

  /** The stream ended. Throws `FRAME_TRUNCATED` if it ended inside a frame or a message. */
  receiveEof(): void {
    if (this.failure !== undefined || this.stopped) return;
    this.stopped = true;
    if (this.headFill > 0 || this.inPayload) {
      this.failure = new FrameError('FRAME_TRUNCATED', '4.2', 'stream ended inside a frame');
    } else if (this.open) {
      this.failure = new FrameError(
        'FRAME_TRUNCATED',
        '4.3',
        'stream ended inside a fragmented message',
      );
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Receives each decoded frame, positionally (no frame object on the fast path). Subclasses
   * override it; the default builds a `Frame` for `onFrame` or `takeFrames()`.
   */
  protected deliver(
    opcode: number,
    more: boolean,
    rsv: number,
    extensionData: Uint8Array,
    payload: Uint8Array,
  ): void {
    const frame: Frame = { opcode, more, rsv, extensionData, payload };
    if (this.onFrame !== undefined) this.onFrame(frame);
    else this.frames.push(frame);
  }

  private parse(chunk: Uint8Array): void {
    const len = chunk.length;
    let pos = 0;
    if (this.inPayload) {
      pos = this.continuePayload(chunk);
      if (pos < 0 || this.stopped) return;
    } else if (this.headFill > 0) {
      pos = this.continueHeader(chunk);
      if (pos < 0 || this.stopped) return;
    }
    // Fast path: whole headers inside this chunk.
    while (len - pos >= 2) {
      const b0 = chunk[pos]!;
      const b1 = chunk[pos + 1]!;
      let plen = b1 & 0x7f;
      let start = pos + 2;
      if (plen === 126) {
        if (len - pos < 4) break;
        plen = (chunk[pos + 2]! << 8) | chunk[pos + 3]!;
        start = pos + 4;
      } else if (plen === 127) {
        if (len - pos < 10) break;
        plen = readLength63(chunk, pos + 2);
        start = pos + 10;
      }
      this.checkHeader(b0, b1, plen);
      const end = start + plen;
      if (end > len) {
        this.beginPayload(b0, b1, plen, chunk.subarray(start));
        return;
      }
      this.frame(b0, b1, plen === 0 ? EMPTY_BYTES : chunk.subarray(start, end));
      if (this.stopped) return;
      pos = end;
    }
    // Deliberate copy: at most 9 bytes of a header that continues in the next chunk.
    for (let i = pos; i < len; i++) this.head[this.headFill++] = chunk[i]!;
  }

  /** Completes a header begun in an earlier chunk; returns the next position or -1. */
  private continueHeader(chunk: Uint8Array): number {
    const head = this.head;
    const len = chunk.length;
    let pos = 0;
    for (;;) {
      // Header size is known from byte 1 (7-bit length 126 → +2 bytes, 127 → +8).
      const want = this.headFill < 2 ? 2 : headerSizeFromLengthByte(head[1]!);
      if (this.headFill >= want) break;
      if (pos >= len) return -1;
      head[this.headFill++] = chunk[pos++]!;
    }
    const b0 = head[0]!;
    const b1 = head[1]!;
    let plen = b1 & 0x7f;
    if (plen === 126) plen = (head[2]! << 8) | head[3]!;
    else if (plen === 127) plen = readLength63(head, 2);
    this.headFill = 0;
    this.checkHeader(b0, b1, plen);
    if (len - pos < plen) {
      this.beginPayload(b0, b1, plen, chunk.subarray(pos));
      return -1;
    }
    this.frame(b0, b1, plen === 0 ? EMPTY_BYTES : chunk.subarray(pos, pos + plen));
    return pos + plen;
  }

  private beginPayload(b0: number, b1: number, plen: number, first: Uint8Array): void {
    this.inPayload = true;
    this.curB0 = b0;
    this.curB1 = b1;
    this.need = plen - first.length;
    this.acc.begin(plen);
    this.acc.push(first);
  }

  /** Adds payload bytes of a frame spanning chunks; returns the next position or -1. */
  private continuePayload(chunk: Uint8Array): number {
    const need = this.need;
    if (chunk.length < need) {
      this.acc.push(chunk);
      this.need = need - chunk.length;
      return -1;
    }
    this.acc.push(need === chunk.length ? chunk : chunk.subarray(0, need));
    this.need = 0;
    this.inPayload = false;
    this.frame(this.curB0, this.curB1, this.acc.take());
    return need;
  }

  /** Header validation (sections 4.2–4.4 and the limits), before any payload is buffered. */
  private checkHeader(b0: number, b1: number, plen: number): void {
    const opcode = b0 & 0x0f;
    const rsv = ((b0 >> 3) & 0b1110) | (b1 >> 7);
    if ((rsv & ~this.rsvMask) !== 0) {
      throw new FrameError(
        'FRAME_RSV_SET',
        '4.2',
        `reserved bits 0b${rsv.toString(2).padStart(4, '0')} (RSV1–RSV4) set with no extension claiming them`,
      );
    }
    if (opcode >= 0x6 && ((this.opcodeMask >> opcode) & 1) === 0) {
      throw new FrameError(
        'FRAME_RESERVED_OPCODE',
        '4.2',
        `reserved opcode 0x${opcode.toString(16)} with no extension claiming it`,
      );
    }
    if (plen > this.maxFrameSize) {
      throw new FrameError(
        'FRAME_TOO_LARGE',
        '4.2',
        `frame declares ${plen} bytes, over maxFrameSize ${this.maxFrameSize}`,
      );
    }
    if (opcode >= 0x6) return; // Extension frames: no fragment-sequence rules of ours apply.
    if (opcode !== 0 && opcode <= 0x3) {
      if (b0 & 0x80) {
        throw new FrameError(
          'FRAME_CONTROL_FRAGMENTED',
          '4.4',
          `control frame (opcode 0x${opcode.toString(16)}) with MORE set: control frames are never fragmented`,
        );
      }
      return;
    }
    let size: number;
    let count: number;
    if (opcode === 0) {
      if (!this.open) {
        throw new FrameError(
          'FRAME_UNEXPECTED_CONTINUATION',
          '4.3',
          'continuation frame with no fragmented message started',
        );
      }
      size = this.messageSize + plen;
      count = this.fragmentCount + 1;
    } else {
      if (this.open) {
        throw new FrameError(
          'FRAME_INTERLEAVED_DATA',
          '4.3',
          `new data frame (opcode 0x${opcode.toString(16)}) inside a fragmented message`,
        );
      }
      size = plen;
      count = 1;
    }
    if (size > this.maxMessageSize) {
      throw new FrameError(
        'FRAME_MESSAGE_TOO_LARGE',
        '4.3',
        `message reaches ${size} bytes, over maxMessageSize ${this.maxMessageSize}`,
      );
    }
    if (count > this.maxFragments) {
      throw new FrameError(
        'FRAME_TOO_MANY_FRAGMENTS',
        '4.3',
        `message has more than maxFragments ${this.maxFragments} frames`,
      );
    }
    this.messageSize = size;
    this.fragmentCount = count;
    this.open = (b0 & 0x80) !== 0;
  }

  private frame(b0: number, b1: number, data: Uint8Array): void {
    const opcode = b0 & 0x0f;
    const more = b0 >= 0x80;
    const rsv = ((b0 >> 3) & 0b1110) | (b1 >> 7);
    if (this.extensions === null) {
      this.deliver(opcode, more, rsv, EMPTY_BYTES, data);
      return;
    }
    const f = this.extensions.decode(opcode, more, rsv, data);
    this.deliver(opcode, more, f.rsv, f.extensionData, f.payload);
  }
}

function headerSizeFromLengthByte(b1: number): number {
  const l = b1 & 0x7f;
  return l < 126 ? 2 : l === 126 ? 4 : 10;
}

/** The 63-bit length (section 4.2): the top bit must be 0; unsafe lengths are too large. */
function readLength63(bytes: Uint8Array, p: number): number {
  const hi =
    ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0;
  if (hi >= 0x80000000) {
    throw new FrameError(
      'FRAME_LENGTH_HIGH_BIT',
      '4.2',
      'the most significant bit of the 63-bit payload length is set',
    );
  }
  if (hi >= HI_UNSAFE) {
    throw new FrameError(
      'FRAME_TOO_LARGE',
      '4.2',
      `frame declares ${hi * TWO_32} bytes or more, beyond any limit (2^53 − 1)`,
    );
  }
  const lo =
    ((bytes[p + 4]! << 24) | (bytes[p + 5]! << 16) | (bytes[p + 6]! << 8) | bytes[p + 7]!) >>> 0;
  return hi * TWO_32 + lo;
}
