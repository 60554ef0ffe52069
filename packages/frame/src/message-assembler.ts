import type { Allocator } from '@ws02/protocol';
import { ByteAccumulator } from '@ws02/protocol';
import type { Frame } from './frame.js';
import { FrameError } from './frame-error.js';
import { Opcode } from './opcode.js';
import { checkTextPolicy, decodeText, type TextPolicy, TextStreamDecoder } from './text-policy.js';

/** A whole message (section 4.5). Text is a string, or bytes under the `raw` policy. */
export interface ConnectionMessageEvent {
  readonly type: 'message';
  readonly data: string | Uint8Array;
  /** True for Binary; false for Text (whatever the type of `data`). */
  readonly binary: boolean;
}

/** Streaming mode: one frame of a fragmented message, delivered as it arrives (section 4.3). */
export interface ConnectionFragmentEvent {
  readonly type: 'fragment';
  /** Text fragments are decoded with a streaming decoder (a split sequence is joined). */
  readonly data: string | Uint8Array;
  readonly binary: boolean;
  /** First frame of the message. */
  readonly first: boolean;
  /** Last frame of the message (MORE clear). */
  readonly last: boolean;
}

/** A Ping (section 4.4); `FrameConnection` has already queued the Pong carrying `data`. */
export interface ConnectionPingEvent {
  readonly type: 'ping';
  readonly data: Uint8Array;
}

/** A Pong, solicited or not (section 4.4); only reported. */
export interface ConnectionPongEvent {
  readonly type: 'pong';
  readonly data: Uint8Array;
}

/** A Close (section 7); `FrameConnection` has already queued the echo unless it sent Close. */
export interface ConnectionCloseEvent {
  readonly type: 'close';
  /** Arbitrary bytes: -02 has no status codes. */
  readonly body: Uint8Array;
}

/** A frame with an extension's opcode (0x6–0xF), after the extensions' decode hooks (4.7). */
export interface ConnectionFrameEvent {
  readonly type: 'frame';
  readonly frame: Frame;
}

/** The connection failed (the peer broke a rule); it is closed and ignores further input. */
export interface ConnectionErrorEvent {
  readonly type: 'error';
  readonly error: FrameError;
}

export type ConnectionEvent =
  | ConnectionMessageEvent
  | ConnectionFragmentEvent
  | ConnectionPingEvent
  | ConnectionPongEvent
  | ConnectionCloseEvent
  | ConnectionFrameEvent
  | ConnectionErrorEvent;

export interface MessageAssemblerOptions {
  /** Section 6 policy for Text messages; default `replace`. */
  readonly textPolicy?: TextPolicy;
  /**
   * Deliver the frames of fragmented messages as `fragment` events as they arrive instead of
   * holding the whole message. Unfragmented messages are still `message` events.
   */
  readonly streaming?: boolean;
  /** Allocator for the joined bytes of fragmented messages over 4 KiB (see `FrameDecoder`). */
  readonly allocate?: Allocator;
}

/**
 * Turns a validated frame sequence (from a `FrameDecoder`) into messages and control events.
 * Fragments are joined once, when the last arrives (4.3); text is decoded from the joined bytes,
 * so a UTF-8 sequence split across fragments decodes correctly (6). Empty fragments cost
 * nothing to hold.
 */
export class MessageAssembler {
  readonly textPolicy: TextPolicy;
  readonly streaming: boolean;
  /** Opcode (Text/Binary) of the fragmented message in progress, 0 when none. */
  private kind = 0;
  private readonly acc: ByteAccumulator;
  private readonly stream: TextStreamDecoder;

  constructor(options: MessageAssemblerOptions = {}) {
    this.textPolicy = checkTextPolicy(options.textPolicy ?? 'replace');
    this.streaming = options.streaming === true;
    this.stream = new TextStreamDecoder(this.textPolicy);
    this.acc = new ByteAccumulator(options.allocate);
  }

  /** True while a fragmented message is in progress. */
  get messageOpen(): boolean {
    return this.kind !== 0;
  }

  /** Feeds one frame; returns the event it completes, if any. */
  push(frame: Frame): ConnectionEvent | undefined {
    const { opcode, payload } = frame;
    switch (opcode) {
      case Opcode.Continuation:
      case Opcode.Text:
      case Opcode.Binary:
        return this.data(opcode, frame.more, payload);
      case Opcode.Close:
        return { type: 'close', body: payload };
      case Opcode.Ping:
        return { type: 'ping', data: payload };
      case Opcode.Pong:
        return { type: 'pong', data: payload };
      default:
        return { type: 'frame', frame };
    }
  }

  /**
   * Feeds the payload of a data frame (Text, Binary or Continuation). Returns the completed
   * `message`, a streaming `fragment`, or undefined while a message is still being gathered.
   * Throws `FRAME_INVALID_UTF8` under the `fail` policy, and the sequence errors (4.3) should
   * frames not come from a `FrameDecoder`.
   */
  data(
    opcode: number,
    more: boolean,
    payload: Uint8Array,
  ): ConnectionMessageEvent | ConnectionFragmentEvent | undefined {
    if (opcode !== Opcode.Continuation) {
      if (this.kind !== 0) {
        throw new FrameError(
          'FRAME_INTERLEAVED_DATA',
          '4.3',
          `new data frame (opcode 0x${opcode.toString(16)}) inside a fragmented message`,
        );
      }
      const binary = opcode === Opcode.Binary;
      if (!more) {
        // The hot path: one unfragmented message, payload still a view of the input chunk.
        return {
          type: 'message',
          data: binary ? payload : decodeText(payload, this.textPolicy),
          binary,
        };
      }
      this.kind = opcode;
      if (this.streaming) {
        return {
          type: 'fragment',
          data: binary ? payload : this.stream.decode(payload, false),
          binary,
          first: true,
          last: false,
        };
      }
      this.acc.begin(0);
      this.acc.push(payload);
      return undefined;
    }
    const kind = this.kind;
    if (kind === 0) {
      throw new FrameError(
        'FRAME_UNEXPECTED_CONTINUATION',
        '4.3',
        'continuation frame with no fragmented message started',
      );
    }
    const binary = kind === Opcode.Binary;
    if (this.streaming) {
      if (!more) this.kind = 0;
      return {
        type: 'fragment',
        data: binary ? payload : this.stream.decode(payload, !more),
        binary,
        first: false,
        last: !more,
      };
    }
    this.acc.push(payload);
    if (more) return undefined;
    this.kind = 0;
    const joined = this.acc.take();
    return {
      type: 'message',
      data: binary ? joined : decodeText(joined, this.textPolicy),
      binary,
    };
  }

  /** Drops a message in progress (after a Close, section 7: the rest is discarded). */
  reset(): void {
    this.kind = 0;
    this.acc.take();
    this.stream.reset();
  }
}
