import { type Allocator, EMPTY_BYTES } from '@ws02/protocol';
import { ExtensionSet, type FrameExtension } from './extension.js';
import type { FrameInit } from './frame.js';
import { FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
import { checkOpcodeRsv, utf8Encode } from './frame-encoder.js';
import { FrameError } from './frame-error.js';
import type { FrameLimits } from './limits.js';
import { type ConnectionEvent, MessageAssembler } from './message-assembler.js';
import { isControlOpcode, Opcode } from './opcode.js';
import { OutgoingQueue } from './outgoing-queue.js';
import type { TextPolicy } from './text-policy.js';

export interface FrameConnectionOptions extends FrameLimits {
  /** Section 6 policy for received Text messages; default `replace`. */
  readonly textPolicy?: TextPolicy;
  /** Deliver fragmented messages as `fragment` events as they arrive (default false). */
  readonly streaming?: boolean;
  /** Extensions, identical and in the same order on both peers (section 4.7). */
  readonly extensions?: readonly FrameExtension[];
  /**
   * Allocator for received buffers over 4 KiB that are written entirely before delivery
   * (payloads and messages joined from several pieces). Default `new Uint8Array(size)`; a Node
   * shell may pass `Buffer.allocUnsafe` to skip zero-filling. Must return exactly `size` bytes.
   */
  readonly allocate?: Allocator;
  /** Queue a Pong for every Ping received while not closed (default true; section 4.4). */
  readonly autoPong?: boolean;
  /**
   * Receive events synchronously, during `receiveData`/`receiveEof`, instead of collecting them
   * for `takeEvents()`. The callback may call the `send*` methods; it must not throw and must
   * not call `receiveData`/`receiveEof`.
   */
  readonly onEvent?: (event: ConnectionEvent) => void;
}

/** Section 7: `closing` = our Close is sent, the peer's not yet received. */
export type ConnectionState = 'open' | 'closing' | 'closed';

type FrameSink = (
  opcode: number,
  more: boolean,
  rsv: number,
  extensionData: Uint8Array,
  payload: Uint8Array,
) => void;

/**
 * The decoder feeding a connection positionally, with no frame objects. It calls the
 * connection's `frame` method directly (no closure per connection: idle connections are many).
 */
class SinkDecoder extends FrameDecoder {
  constructor(
    options: FrameDecoderOptions,
    private readonly target: { frame: FrameSink },
  ) {
    super(options);
  }
  protected override deliver(
    opcode: number,
    more: boolean,
    rsv: number,
    extensionData: Uint8Array,
    payload: Uint8Array,
  ): void {
    this.target.frame(opcode, more, rsv, extensionData, payload);
  }
}

/**
 * The sans-I/O data-transfer side of one draft-02 connection, shared by server and client:
 * bytes in (`receiveData`, `receiveEof`), events and bytes out (`takeEvents` or `onEvent`,
 * `takeOutgoing`). No sockets, no timers.
 *
 * Closing (section 7) as state: `open` → `closing` (our Close sent; sending data is refused
 * with `FRAME_SEND_AFTER_CLOSE`, received data is still delivered) → `closed`. On receiving a
 * Close the connection queues a Close echoing its body unless it already sent one, reports a
 * `close` event, and discards everything after it; it is then `closed` (the server closes the
 * TCP connection now; a client waits for the server to, with a timeout). Simultaneous closes
 * are safe: each side's Close answers the other's and nothing is sent twice.
 *
 * Failing: a received-data violation emits one `error` event and closes the connection
 * (`state` 'closed', `error` set); no Close is queued — failing means closing the transport.
 */
export class FrameConnection {
  readonly textPolicy: TextPolicy;
  readonly streaming: boolean;
  readonly autoPong: boolean;

  private readonly decoder: SinkDecoder;
  private readonly assembler: MessageAssembler;
  private readonly extensions: ExtensionSet | null;
  private readonly out: OutgoingQueue;
  private readonly onEvent: ((event: ConnectionEvent) => void) | undefined;
  private events: ConnectionEvent[] = [];

  private sentClose = false;
  private receivedClose = false;
  private ended = false;
  private failure: FrameError | undefined = undefined;
  /** Opcode of the fragmented message we are sending, 0 when none. */
  private sending = 0;

  constructor(options: FrameConnectionOptions = {}) {
    this.assembler = new MessageAssembler(options);
    this.textPolicy = this.assembler.textPolicy;
    this.streaming = this.assembler.streaming;
    this.autoPong = options.autoPong !== false;
    this.onEvent = options.onEvent;
    // Outgoing blocks are written in full before they are sent: the allocator may skip zeroing.
    this.out = new OutgoingQueue(options.allocate);
    // `frame` is private to callers, not to this file's decoder.
    this.decoder = new SinkDecoder(options, this as unknown as { frame: FrameSink });
    const list = options.extensions ?? [];
    this.extensions = list.length === 0 ? null : new ExtensionSet(list);
  }

  /** Section 7 state; `closed` also after a failure or end of input. */
  get state(): ConnectionState {
    if (this.failure !== undefined || this.ended || (this.sentClose && this.receivedClose)) {
      return 'closed';
    }
    return this.sentClose ? 'closing' : 'open';
  }

  /** We have queued a Close frame. */
  get closeSent(): boolean {
    return this.sentClose;
  }

  /** The peer's Close frame has been received. */
  get closeReceived(): boolean {
    return this.receivedClose;
  }

  /** The error that failed the connection, if any. */
  get error(): FrameError | undefined {
    return this.failure;
  }

  /** Bytes queued for sending and not yet taken. */
  get outgoingBytes(): number {
    return this.out.bytes;
  }

  // ---- input ----------------------------------------------------------------------------

  /**
   * Feeds received bytes (any split). Payloads in events may be views of `chunk`: do not modify
   * it afterwards. Ignored once the connection is closed.
   */
  receiveData(chunk: Uint8Array): void {
    if (this.failure !== undefined || this.ended || this.receivedClose) return;
    try {
      this.decoder.receiveData(chunk);
    } catch (error) {
      if (error instanceof FrameError) this.fail(error);
      else {
        this.ended = true;
        throw error;
      }
    }
  }

  /**
   * The transport reached end of input. The connection is closed; if the input ended inside a
   * frame or a fragmented message an `error` event (`FRAME_TRUNCATED`) is emitted.
   */
  receiveEof(): void {
    if (this.failure !== undefined || this.ended) return;
    this.ended = true;
    if (this.receivedClose) return;
    try {
      this.decoder.receiveEof();
    } catch (error) {
      this.fail(error as FrameError);
    }
  }

  /** Events since the last call (empty when an `onEvent` callback is used). */
  takeEvents(): ConnectionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  // ---- output ---------------------------------------------------------------------------

  /** Queues a Text message, optionally fragmented into frames of `fragmentSize` bytes. */
  sendText(text: string, fragmentSize?: number): void {
    this.checkSendData();
    if (fragmentSize !== undefined) {
      this.sendFragmented(Opcode.Text, utf8Encode(text), fragmentSize);
    } else if (this.extensions?.hasEncode) {
      this.writeExtended(Opcode.Text, false, utf8Encode(text));
    } else {
      this.out.writeText(Opcode.Text, false, text);
    }
  }

  /** Queues a Binary message, optionally fragmented into frames of `fragmentSize` bytes. */
  sendBinary(data: Uint8Array, fragmentSize?: number): void {
    this.checkSendData();
    if (fragmentSize !== undefined) this.sendFragmented(Opcode.Binary, data, fragmentSize);
    else this.write(Opcode.Binary, false, data);
  }

  /**
   * Queues one frame of a message sent piece by piece (section 4.3). The first call starts the
   * message — Text when `data` is a string, Binary for bytes, unless `binary` says otherwise —
   * and later calls continue it; `last` ends it. Control frames may be sent in between; other
   * messages may not (`FRAME_SEND_INTERLEAVED`). String pieces are encoded separately, so do
   * not split a surrogate pair between two of them.
   */
  sendFragment(data: string | Uint8Array, last: boolean, binary?: boolean): void {
    if (this.failure !== undefined || this.ended || this.sentClose) this.afterClose('data');
    const first = this.sending === 0;
    const opcode = first
      ? (binary ?? typeof data !== 'string')
        ? Opcode.Binary
        : Opcode.Text
      : Opcode.Continuation;
    if (first) this.sending = opcode;
    if (last) this.sending = 0;
    if (typeof data === 'string') {
      if (this.extensions?.hasEncode) this.writeExtended(opcode, !last, utf8Encode(data));
      else this.out.writeText(opcode, !last, data);
    } else {
      this.write(opcode, !last, data);
    }
  }

  /** Queues a Ping (no size limit in -02). */
  sendPing(data: Uint8Array = EMPTY_BYTES): void {
    if (this.state === 'closed') this.afterClose('Ping');
    this.write(Opcode.Ping, false, data);
  }

  /** Queues a Pong (an unsolicited Pong is allowed, section 4.4). */
  sendPong(data: Uint8Array = EMPTY_BYTES): void {
    if (this.state === 'closed') this.afterClose('Pong');
    this.write(Opcode.Pong, false, data);
  }

  /**
   * Starts the closing handshake (section 7): queues a Close with `body`. Returns false, and
   * queues nothing, when a Close was already sent or the connection is closed — so a close
   * racing the peer's is harmless.
   */
  sendClose(body: Uint8Array = EMPTY_BYTES): boolean {
    if (this.sentClose || this.state === 'closed') return false;
    this.write(Opcode.Close, false, body);
    this.sentClose = true;
    return true;
  }

  /**
   * Queues one raw frame (after the extensions' encode hooks), e.g. an extension's own opcode.
   * No message sequencing is checked beyond the closing rules: data opcodes are refused after
   * Close, and a Close frame sent this way counts as our Close. `frame.extensionData` is used
   * only when no extension has an `encode` hook (otherwise the hooks produce it).
   */
  sendFrame(frame: FrameInit): void {
    const rsv = frame.rsv ?? 0;
    checkOpcodeRsv(frame.opcode, rsv);
    if (this.state === 'closed') this.afterClose('frames');
    if (this.sentClose && !isControlOpcode(frame.opcode)) this.afterClose('data');
    if (this.sentClose && frame.opcode === Opcode.Close) this.afterClose('a second Close');
    const more = frame.more === true;
    const payload = frame.payload ?? EMPTY_BYTES;
    const ext = frame.extensionData ?? EMPTY_BYTES;
    if (this.extensions?.hasEncode) {
      const f = this.extensions.encode({
        opcode: frame.opcode,
        more,
        rsv,
        extensionData: EMPTY_BYTES,
        payload,
      });
      this.out.writeFrame(f.opcode, f.more, f.rsv, f.extensionData, f.payload);
    } else {
      this.out.writeFrame(frame.opcode, more, rsv, ext, payload);
    }
    if (frame.opcode === Opcode.Close) this.sentClose = true;
  }

  /**
   * Everything queued for sending, in order, as few chunks as possible: write them all with one
   * gathered write (writev / cork). Large payloads are the caller's own buffers, not copies.
   */
  takeOutgoing(): Uint8Array[] {
    return this.out.take();
  }

  // ---- internals ------------------------------------------------------------------------

  /** Every frame the decoder validated, in order. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: SinkDecoder calls it (no closure per connection).
  private frame(
    opcode: number,
    more: boolean,
    rsv: number,
    extensionData: Uint8Array,
    payload: Uint8Array,
  ): void {
    if (opcode === Opcode.Text || opcode === Opcode.Binary || opcode === Opcode.Continuation) {
      const event = this.assembler.data(opcode, more, payload);
      if (event !== undefined) this.emit(event);
      return;
    }
    switch (opcode) {
      case Opcode.Ping:
        // Section 4.4: answer with identical application data as soon as practical.
        if (this.autoPong) this.write(Opcode.Pong, false, payload);
        this.emit({ type: 'ping', data: payload });
        return;
      case Opcode.Pong:
        this.emit({ type: 'pong', data: payload });
        return;
      case Opcode.Close:
        // Section 7: answer with a Close echoing the body unless ours was sent; then discard
        // the rest of the input, including any message in progress.
        this.receivedClose = true;
        this.decoder.stop();
        this.assembler.reset();
        if (!this.sentClose) {
          this.write(Opcode.Close, false, payload);
          this.sentClose = true;
        }
        this.emit({ type: 'close', body: payload });
        return;
      default:
        this.emit({ type: 'frame', frame: { opcode, more, rsv, extensionData, payload } });
    }
  }

  private emit(event: ConnectionEvent): void {
    if (this.onEvent !== undefined) this.onEvent(event);
    else this.events.push(event);
  }

  private fail(error: FrameError): void {
    this.failure = error;
    this.decoder.stop();
    this.emit({ type: 'error', error });
  }

  private write(opcode: number, more: boolean, payload: Uint8Array): void {
    if (this.extensions?.hasEncode) this.writeExtended(opcode, more, payload);
    else this.out.writeFrame(opcode, more, 0, EMPTY_BYTES, payload);
  }

  private writeExtended(opcode: number, more: boolean, payload: Uint8Array): void {
    const f = (this.extensions as ExtensionSet).encode({
      opcode,
      more,
      rsv: 0,
      extensionData: EMPTY_BYTES,
      payload,
    });
    this.out.writeFrame(f.opcode, f.more, f.rsv, f.extensionData, f.payload);
  }

  private sendFragmented(opcode: number, data: Uint8Array, fragmentSize: number): void {
    if (!Number.isSafeInteger(fragmentSize) || fragmentSize < 1) {
      throw new FrameError('FRAME_INVALID_ARGUMENT', '4.3', `fragmentSize ${fragmentSize} < 1`);
    }
    let start = 0;
    let op = opcode;
    do {
      const end = Math.min(data.length, start + fragmentSize);
      this.write(op, end < data.length, data.subarray(start, end));
      op = Opcode.Continuation;
      start = end;
    } while (start < data.length);
  }

  private checkSendData(): void {
    if (this.failure !== undefined || this.ended || this.sentClose) this.afterClose('data');
    if (this.sending !== 0) {
      throw new FrameError(
        'FRAME_SEND_INTERLEAVED',
        '4.3',
        'a fragmented message is being sent; finish it (sendFragment(..., true)) first',
      );
    }
  }

  private afterClose(what: string): never {
    throw new FrameError(
      'FRAME_SEND_AFTER_CLOSE',
      '7',
      this.sentClose
        ? `cannot send ${what} after the Close frame was sent`
        : `cannot send ${what}: the connection is closed`,
    );
  }
}
