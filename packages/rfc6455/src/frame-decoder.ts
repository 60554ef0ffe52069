import { allocBytes, EMPTY_BYTES, type Role } from '@ws02/protocol';
import {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type FrameLimits,
  limitOption,
} from './limits.js';
import { applyMask } from './mask.js';
import { MAX_CONTROL_PAYLOAD } from './opcode.js';
import { peerFailure } from './peer-failure.js';

/**
 * Where decoded frames go, positionally (no frame objects). Payloads are unmasked.
 * - `frame`: a whole frame at once — a data frame whose payload was inside one chunk (a view of
 *   it), or a control frame (its own copy when it spanned chunks).
 * - `frameStart` then `framePiece`…: a data frame whose payload spans chunks, piece by piece as
 *   it arrives (views of the chunks), `last` on the final piece. Text can so be validated as it
 *   comes (fail-fast, 8.1) and joined once.
 */
export interface FrameSink {
  frame(opcode: number, fin: boolean, payload: Uint8Array): void;
  frameStart(opcode: number, fin: boolean, length: number): void;
  framePiece(piece: Uint8Array, last: boolean): void;
}

export interface FrameDecoderOptions extends FrameLimits {
  /** Whose frames are read: a server reads a client's (masked), a client a server's (not). */
  readonly peer: Role;
}

/** Reading a header (2 to 14 bytes). */
const HEAD = 0;
/** Reading the payload of a data frame that spans chunks. */
const DATA = 1;
/** Reading the payload of a control frame that spans chunks (≤ 125 bytes, copied). */
const CONTROL = 2;
/** Input is ignored (a Close arrived, or the connection failed). */
const STOPPED = 3;

const TWO_32 = 4294967296;
/** 2^53 / 2^32: a high half at or above this makes the length unsafe as a JS number. */
const HI_UNSAFE = 0x200000;

/**
 * Incremental RFC 6455 frame decoder (section 5), one explicit-state loop resumable at any byte.
 *
 * Every header is checked as soon as its bytes are here, before any payload byte is buffered:
 * from bytes 0–1, RSV1–3 (no extension is negotiated), reserved opcodes, the MASK bit against the
 * peer's role (5.1), FIN and the 7-bit length of control frames (5.5), and the fragment sequence
 * (5.4: a continuation needs a message in progress, Text/Binary must not start inside one;
 * control frames between fragments are allowed); from the full header, the 64-bit length's top
 * bit and the limits (frame, message, fragment count; 10.4). Lengths in a non-minimal encoding
 * are accepted (the project's decision; senders never use them). A violation throws a peer
 * failure (`Rfc6455Error` with the close code to send); the decoder then ignores all input.
 *
 * **Memory contract** (the project's decision): a received chunk is the connection's once
 * passed in. Payloads are unmasked **in place** in the chunk and delivered as views of it; the
 * caller must not modify or reuse a chunk after `receive` (a socket's chunks are fresh per read).
 * Only a control payload or header spanning chunks is copied.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  readonly maxMessageSize: number;
  readonly maxFragments: number;
  readonly #sink: FrameSink;
  /** Received frames must carry MASK (we are the server) or must not (the client). */
  readonly #masked: boolean;

  #state = HEAD;
  /** Header bytes received so far when a header spans chunks. */
  readonly #head = new Uint8Array(14);
  #headFill = 0;
  // The frame whose payload is arriving.
  #opcode = 0;
  #need = 0;
  /** Payload bytes received so far, modulo 4: where the next byte is in the masking key. */
  #phase = 0;
  readonly #key = new Uint8Array(4);
  #control: Uint8Array = EMPTY_BYTES;
  #controlFill = 0;
  // The fragment sequence (5.4), tracked at header time.
  #open = false;
  #messageSize = 0;
  #fragments = 0;

  constructor(sink: FrameSink, options: FrameDecoderOptions) {
    this.#sink = sink;
    this.#masked = options.peer === 'client';
    this.maxFrameSize = limitOption('maxFrameSize', options.maxFrameSize, DEFAULT_MAX_FRAME_SIZE);
    this.maxMessageSize = limitOption(
      'maxMessageSize',
      options.maxMessageSize,
      DEFAULT_MAX_MESSAGE_SIZE,
    );
    this.maxFragments = limitOption('maxFragments', options.maxFragments, DEFAULT_MAX_FRAGMENTS, 1);
  }

  /** True while part of a frame (header or payload) has been received. */
  get frameOpen(): boolean {
    return this.#headFill > 0 || this.#state === DATA || this.#state === CONTROL;
  }

  /** True between the first and the last frame of a fragmented message (by headers). */
  get messageOpen(): boolean {
    return this.#open;
  }

  /** Ignore all further input, at once, even in the middle of a chunk (after a Close, 7.1). */
  stop(): void {
    this.#state = STOPPED;
  }

  /** Feeds bytes; throws a peer failure on the first violation. See the memory contract. */
  receive(chunk: Uint8Array): void {
    const len = chunk.length;
    let pos = 0;
    while (pos < len) {
      switch (this.#state) {
        case HEAD:
          pos = this.#headerAt(chunk, pos);
          break;
        case DATA:
          pos = this.#dataAt(chunk, pos);
          break;
        case CONTROL:
          pos = this.#controlAt(chunk, pos);
          break;
        default:
          return;
      }
    }
  }

  /** Reads a header at `pos` (and the whole frame when it is here); returns the next position. */
  #headerAt(chunk: Uint8Array, pos: number): number {
    const len = chunk.length;
    if (this.#headFill === 0 && len - pos >= 2) {
      // Fast path: the whole header inside this chunk.
      const b0 = chunk[pos]!;
      const b1 = chunk[pos + 1]!;
      const size = headerSize(b1);
      if (len - pos >= size) {
        this.#checkFirstBytes(b0, b1);
        const length = readLength(chunk, pos, b1);
        this.#checkLength(b0, length);
        return this.#payloadAt(chunk, pos + size, b0, length, chunk, pos + size - 4);
      }
    }
    // Slow path: collect the header byte by byte (at most 14 bytes copied).
    const head = this.#head;
    while (pos < len) {
      head[this.#headFill++] = chunk[pos++]!;
      if (this.#headFill === 2) this.#checkFirstBytes(head[0]!, head[1]!);
      if (this.#headFill >= 2 && this.#headFill === headerSize(head[1]!)) {
        const b0 = head[0]!;
        const b1 = head[1]!;
        const length = readLength(head, 0, b1);
        this.#checkLength(b0, length);
        this.#headFill = 0;
        return this.#payloadAt(chunk, pos, b0, length, head, this.#masked ? headerSize(b1) - 4 : 0);
      }
    }
    return pos;
  }

  /**
   * The header is read and checked; the payload starts at `chunk[pos]` and the masking key at
   * `key[keyAt]`. Delivers the frame whole when its payload is in this chunk, else starts it.
   */
  #payloadAt(
    chunk: Uint8Array,
    pos: number,
    b0: number,
    length: number,
    key: Uint8Array,
    keyAt: number,
  ): number {
    const opcode = b0 & 0x0f;
    const fin = b0 >= 0x80;
    const masked = this.#masked;
    if (chunk.length - pos >= length) {
      const end = pos + length;
      if (length === 0) {
        this.#sink.frame(opcode, fin, EMPTY_BYTES);
        return end;
      }
      // Unmasked in place: the chunk is ours (the memory contract).
      if (masked) applyMask(chunk, pos, end, key, keyAt, 0);
      this.#sink.frame(opcode, fin, chunk.subarray(pos, end));
      return end;
    }
    if (masked) {
      const own = this.#key;
      own[0] = key[keyAt]!;
      own[1] = key[keyAt + 1]!;
      own[2] = key[keyAt + 2]!;
      own[3] = key[keyAt + 3]!;
    }
    this.#opcode = opcode;
    this.#need = length;
    this.#phase = 0;
    if (opcode >= 0x8) {
      this.#state = CONTROL;
      this.#control = allocBytes(length);
      this.#controlFill = 0;
    } else {
      this.#state = DATA;
      this.#sink.frameStart(opcode, fin, length);
    }
    return pos;
  }

  /** The next piece of a data payload spanning chunks. */
  #dataAt(chunk: Uint8Array, pos: number): number {
    const n = Math.min(this.#need, chunk.length - pos);
    const end = pos + n;
    if (this.#masked) {
      applyMask(chunk, pos, end, this.#key, 0, this.#phase);
      this.#phase = (this.#phase + n) & 3;
    }
    this.#need -= n;
    const last = this.#need === 0;
    if (last) this.#state = HEAD;
    this.#sink.framePiece(
      pos === 0 && end === chunk.length ? chunk : chunk.subarray(pos, end),
      last,
    );
    return end;
  }

  /** The next piece of a control payload spanning chunks: copied, unmasked at the end. */
  #controlAt(chunk: Uint8Array, pos: number): number {
    const n = Math.min(this.#need, chunk.length - pos);
    const control = this.#control;
    // Deliberate copy: at most 125 bytes, into the frame's own buffer.
    control.set(chunk.subarray(pos, pos + n), this.#controlFill);
    this.#controlFill += n;
    this.#need -= n;
    if (this.#need === 0) {
      this.#state = HEAD;
      if (this.#masked) applyMask(control, 0, control.length, this.#key, 0, 0);
      this.#control = EMPTY_BYTES;
      this.#sink.frame(this.#opcode, true, control);
    }
    return pos + n;
  }

  /** Checks of bytes 0 and 1 alone (5.2, 5.1, 5.5, 5.4). */
  #checkFirstBytes(b0: number, b1: number): void {
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) {
      throw peerFailure(
        'FRAME_RSV_SET',
        '5.2',
        `reserved bits RSV1–3 = 0b${((b0 >> 4) & 7).toString(2).padStart(3, '0')} set with no extension negotiated`,
        1002,
        { rsv: (b0 >> 4) & 7 },
      );
    }
    if ((opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb) {
      throw peerFailure(
        'FRAME_RESERVED_OPCODE',
        '5.2',
        `reserved opcode 0x${opcode.toString(16)}`,
        1002,
        { opcode },
      );
    }
    if (b1 >= 0x80 !== this.#masked) {
      throw this.#masked
        ? peerFailure('FRAME_NOT_MASKED', '5.1', 'a frame from the client is not masked', 1002)
        : peerFailure('FRAME_MASKED', '5.1', 'a frame from the server is masked', 1002);
    }
    if (opcode >= 0x8) {
      if (b0 < 0x80) {
        throw peerFailure(
          'FRAME_CONTROL_FRAGMENTED',
          '5.5',
          `control frame (opcode 0x${opcode.toString(16)}) without FIN: control frames are never fragmented`,
          1002,
          { opcode },
        );
      }
      if ((b1 & 0x7f) > MAX_CONTROL_PAYLOAD) {
        throw peerFailure(
          'FRAME_CONTROL_TOO_LONG',
          '5.5',
          `control frame (opcode 0x${opcode.toString(16)}) longer than 125 bytes`,
          1002,
          { opcode },
        );
      }
      return;
    }
    if (opcode === 0) {
      if (!this.#open) {
        throw peerFailure(
          'FRAME_UNEXPECTED_CONTINUATION',
          '5.4',
          'continuation frame with no fragmented message started',
          1002,
        );
      }
    } else if (this.#open) {
      throw peerFailure(
        'FRAME_INTERLEAVED_DATA',
        '5.4',
        `new data frame (opcode 0x${opcode.toString(16)}) inside a fragmented message`,
        1002,
        { opcode },
      );
    }
  }

  /** Checks of the whole header: the limits (10.4), then the message's new state (5.4). */
  #checkLength(b0: number, length: number): void {
    if (length > this.maxFrameSize) {
      throw peerFailure(
        'FRAME_TOO_LARGE',
        '10.4',
        `frame declares ${length} bytes, over maxFrameSize ${this.maxFrameSize}`,
        1009,
        { length, maxFrameSize: this.maxFrameSize },
      );
    }
    const opcode = b0 & 0x0f;
    if (opcode >= 0x8) return;
    const size = opcode === 0 ? this.#messageSize + length : length;
    const count = opcode === 0 ? this.#fragments + 1 : 1;
    if (size > this.maxMessageSize) {
      throw peerFailure(
        'MESSAGE_TOO_LARGE',
        '10.4',
        `message reaches ${size} bytes, over maxMessageSize ${this.maxMessageSize}`,
        1009,
        { size, maxMessageSize: this.maxMessageSize },
      );
    }
    if (count > this.maxFragments) {
      throw peerFailure(
        'MESSAGE_TOO_MANY_FRAGMENTS',
        '10.4',
        `message has more than maxFragments ${this.maxFragments} frames`,
        1009,
        { maxFragments: this.maxFragments },
      );
    }
    this.#messageSize = size;
    this.#fragments = count;
    this.#open = b0 < 0x80;
  }
}

/** Header size from byte 1: 7-bit length 126 → +2 bytes, 127 → +8; MASK → +4 (5.2). */
function headerSize(b1: number): number {
  const l = b1 & 0x7f;
  return (l < 126 ? 2 : l === 126 ? 4 : 10) + (b1 >= 0x80 ? 4 : 0);
}

/** The payload length of the header at `p` (5.2); the 64-bit form's top bit must be 0. */
function readLength(bytes: Uint8Array, p: number, b1: number): number {
  const l = b1 & 0x7f;
  if (l < 126) return l;
  if (l === 126) return (bytes[p + 2]! << 8) | bytes[p + 3]!;
  const hi =
    ((bytes[p + 2]! << 24) | (bytes[p + 3]! << 16) | (bytes[p + 4]! << 8) | bytes[p + 5]!) >>> 0;
  if (hi >= 0x80000000) {
    throw peerFailure(
      'FRAME_LENGTH_HIGH_BIT',
      '5.2',
      'the most significant bit of the 64-bit payload length is set',
      1002,
    );
  }
  if (hi >= HI_UNSAFE) {
    throw peerFailure(
      'FRAME_TOO_LARGE',
      '5.2',
      `frame declares ${hi * TWO_32} bytes or more, beyond any limit (2^53 − 1)`,
      1009,
    );
  }
  const lo =
    ((bytes[p + 6]! << 24) | (bytes[p + 7]! << 16) | (bytes[p + 8]! << 8) | bytes[p + 9]!) >>> 0;
  return hi * TWO_32 + lo;
}
