import {
  CLOSED,
  CLOSING,
  CONNECTING,
  type Connection,
  type ConnectionHandler,
  type ConnectionState,
  EMPTY_BYTES,
  OPEN,
  type Role,
} from '@ws02/protocol';
import { encodeCloseBody, NO_STATUS, readCloseBody } from './close-body.js';
import { FrameDecoder } from './frame-decoder.js';
import { FrameWriter } from './frame-writer.js';
import { type ControlSink, MessageReader } from './message-reader.js';
import { FIN, MAX_CONTROL_PAYLOAD, Opcode } from './opcode.js';
import type { Rfc6455ConnectionOptions } from './options.js';
import { isPeerFailure, peerFailure } from './peer-failure.js';
import type { RandomPool } from './random.js';
import { Rfc6455Error } from './rfc6455-error.js';

/**
 * What both roles of an RFC 6455 connection share once the opening handshake is done: frames in
 * (section 5), messages (5.4, 5.6, 8.1), control frames (5.5), the closing handshake (7) and
 * failing (7.1.7); frames out. The subclasses add their side of the opening handshake (4.1,
 * 4.2) behind `handshakeData`/`handshakeEof`.
 *
 * Closing (7): `sendClose` queues our Close (CLOSING; data is refused afterwards, received data
 * still delivered); the peer's Close is answered with a Close echoing its code (5.5.1) unless
 * ours was sent, and everything after it is discarded; once both are sent and received the state
 * is CLOSED (a server's driver then closes TCP first, 7.1.1). A simultaneous close needs no
 * special case: each side's Close answers the other's and nothing is sent twice.
 *
 * Failing (7.1.7): a received-data violation queues a Close with the error's `closeCode` (unless
 * ours was sent), sets `failure`, goes CLOSED, and calls `onError`; no later input is read.
 */
export abstract class Rfc6455Connection implements Connection {
  readonly wireProtocol = 'rfc6455' as const;
  abstract readonly role: Role;
  readonly autoPong: boolean;
  readonly streaming: boolean;

  protected readonly handler: ConnectionHandler;
  protected readonly out: FrameWriter;
  readonly #decoder: FrameDecoder;
  readonly #messages: MessageReader;

  #state: ConnectionState = CONNECTING;
  #protocol = '';
  #failure: Rfc6455Error | undefined;
  #closeSent = false;
  #closeReceived = false;
  /** A handler threw while we were reading: nothing more is read. */
  #broken = false;
  /** Opcode of the fragmented message we are sending, 0 when none. */
  #sending = 0;

  protected constructor(
    handler: ConnectionHandler,
    options: Rfc6455ConnectionOptions,
    peer: Role,
    random: RandomPool | undefined,
  ) {
    this.handler = handler;
    this.autoPong = options.autoPong !== false;
    this.streaming = options.streaming === true;
    const control: ControlSink = { control: (opcode, payload) => this.#control(opcode, payload) };
    this.#messages = new MessageReader(handler, control, this.streaming, options.allocate);
    this.#decoder = new FrameDecoder(this.#messages, { ...limitsOf(options), peer });
    this.out = new FrameWriter(options.allocate, random);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get protocol(): string {
    return this.#protocol;
  }

  get failure(): Rfc6455Error | undefined {
    return this.#failure;
  }

  get closeSent(): boolean {
    return this.#closeSent;
  }

  get closeReceived(): boolean {
    return this.#closeReceived;
  }

  get outgoingBytes(): number {
    return this.out.bytes;
  }

  // ---- input ----------------------------------------------------------------------------

  /**
   * Feeds received bytes, any split; events are delivered before it returns. **The chunk becomes
   * the connection's**: a server unmasks payloads in place in it, and payloads in events are
   * views of it — do not modify or reuse it afterwards. Ignored once CLOSED.
   */
  receiveData(chunk: Uint8Array): void {
    if (this.#state === CLOSED || this.#broken) return;
    if (this.#state === CONNECTING) this.handshakeData(chunk);
    else this.receiveFrames(chunk);
  }

  /**
   * The transport's input ended. The connection is CLOSED; when it ended inside a frame or a
   * fragmented message, `onError` reports `STREAM_TRUNCATED` (no Close is queued: the peer is
   * gone). An end without the peer's Close is otherwise silent (the driver reports 1006).
   */
  receiveEof(): void {
    if (this.#state === CLOSED || this.#broken) return;
    if (this.#state === CONNECTING) {
      this.handshakeEof();
      return;
    }
    const decoder = this.#decoder;
    if (decoder.frameOpen || decoder.messageOpen) {
      this.fail(
        peerFailure(
          'STREAM_TRUNCATED',
          '5.2',
          decoder.frameOpen
            ? 'the input ended inside a frame'
            : 'the input ended inside a fragmented message',
          undefined,
        ),
      );
      return;
    }
    this.#state = CLOSED;
    decoder.stop();
  }

  takeOutgoing(): Uint8Array[] {
    return this.out.take();
  }

  // ---- commands -------------------------------------------------------------------------

  sendText(text: string | Uint8Array): void {
    this.#checkMessage();
    if (typeof text === 'string') this.out.writeText(FIN | Opcode.Text, text);
    else this.out.writeFrame(FIN | Opcode.Text, text);
  }

  sendBinary(data: Uint8Array): void {
    this.#checkMessage();
    this.out.writeFrame(FIN | Opcode.Binary, data);
  }

  /**
   * Queues one frame of a message sent piece by piece (5.4). String pieces are encoded
   * separately: do not split a surrogate pair between two of them.
   */
  sendFragment(data: string | Uint8Array, last: boolean, binary?: boolean): void {
    this.#checkData();
    const first = this.#sending === 0;
    const opcode = first
      ? (binary ?? typeof data !== 'string')
        ? Opcode.Binary
        : Opcode.Text
      : Opcode.Continuation;
    this.#sending = last ? 0 : first ? opcode : this.#sending;
    const b0 = (last ? FIN : 0) | opcode;
    if (typeof data === 'string') this.out.writeText(b0, data);
    else this.out.writeFrame(b0, data);
  }

  /** Queues a server's frames from `rfc6455Encoder` (a broadcast). A client cannot: it masks. */
  sendEncoded(frames: readonly Uint8Array[]): void {
    if (this.role === 'client') {
      throw new Rfc6455Error(
        'INVALID_STATE',
        '5.3',
        'a client masks every frame: encoded (unmasked) frames are for server connections',
      );
    }
    this.#checkMessage();
    this.out.attachAll(frames);
  }

  sendPing(data: Uint8Array = EMPTY_BYTES): void {
    this.#checkControl('Ping', data);
    this.out.writeFrame(FIN | Opcode.Ping, data);
  }

  sendPong(data: Uint8Array = EMPTY_BYTES): void {
    this.#checkControl('Pong', data);
    this.out.writeFrame(FIN | Opcode.Pong, data);
  }

  /**
   * Starts the closing handshake (7.1.2): queues a Close with `code` (default 1000) and the UTF-8
   * `reason` (≤ 123 bytes), then refuses data. `code` 1005 ("no status") with no reason sends a
   * Close without a body. Returns false, queuing nothing, when a Close was sent already or the
   * connection is CLOSED. Throws `CLOSE_CODE_NOT_SENDABLE`, `CLOSE_REASON_TOO_LONG`, and
   * `INVALID_STATE` while CONNECTING (no Close exists before the opening handshake).
   */
  sendClose(code = 1000, reason: string | Uint8Array = ''): boolean {
    const body = encodeCloseBody(code, reason);
    if (this.#state === CONNECTING) {
      throw new Rfc6455Error(
        'INVALID_STATE',
        '7.1.2',
        'the opening handshake is not complete: there is no connection to close yet',
      );
    }
    if (this.#closeSent || this.#state === CLOSED) return false;
    this.#queueClose(body);
    return true;
  }

  // ---- for the subclasses ---------------------------------------------------------------

  /** Bytes while CONNECTING: the subclass's side of the opening handshake. */
  protected abstract handshakeData(chunk: Uint8Array): void;
  /** End of input while CONNECTING. */
  protected abstract handshakeEof(): void;

  /** The opening handshake is complete (4.1, 4.2.2): OPEN, then `onOpen`. */
  protected open(protocol: string): void {
    this.#protocol = protocol;
    this.#state = OPEN;
    this.handler.onOpen?.();
  }

  /** Ends the connection without a failure (a server's refusal). */
  protected end(): void {
    this.#state = CLOSED;
    this.#decoder.stop();
  }

  /** True until the connection is CLOSED or a handler threw. */
  protected get reading(): boolean {
    return this.#state !== CLOSED && !this.#broken;
  }

  /** Frames, once OPEN (or CLOSING): decoded, and a peer failure fails the connection. */
  protected receiveFrames(chunk: Uint8Array): void {
    try {
      this.#decoder.receive(chunk);
    } catch (error) {
      if (isPeerFailure(error) && this.#failure === undefined) {
        this.fail(error);
        return;
      }
      // A handler threw (it must not): the connection's state is no longer reliable.
      this.#broken = true;
      this.#decoder.stop();
      throw error;
    }
  }

  /**
   * Fails the connection (7.1.7): queues a Close with the error's code when the connection is
   * open and ours was not sent, then CLOSED, then `onError`.
   */
  protected fail(error: Rfc6455Error): void {
    if (
      error.closeCode !== undefined &&
      this.#state !== CONNECTING &&
      !this.#closeSent &&
      this.#state !== CLOSED
    ) {
      this.#queueClose(encodeCloseBody(error.closeCode, ''));
    }
    this.#failure = error;
    this.#state = CLOSED;
    this.#decoder.stop();
    this.handler.onError?.(error);
  }

  // ---- internals ------------------------------------------------------------------------

  /** Close, Ping and Pong (5.5), in wire order with the data around them. */
  #control(opcode: number, payload: Uint8Array): void {
    if (opcode === Opcode.Ping) {
      // 5.5.2: answer with the same data, unless the peer's Close arrived (then nothing follows).
      if (this.autoPong) this.out.writeFrame(FIN | Opcode.Pong, payload);
      this.handler.onPing?.(payload);
      return;
    }
    if (opcode === Opcode.Pong) {
      this.handler.onPong?.(payload); // 5.5.3: unsolicited Pongs are allowed; only reported.
      return;
    }
    // 5.5.1 Close: checked, then the rest of the input is discarded (a message in progress too).
    const { code, reason } = readCloseBody(payload);
    this.#closeReceived = true;
    this.#decoder.stop();
    this.#messages.reset();
    if (!this.#closeSent) {
      // Echo the status code (5.5.1 "typically echos"), or an empty body for none.
      this.#queueClose(code === NO_STATUS ? EMPTY_BYTES : encodeCloseBody(code, ''));
    }
    this.#state = CLOSED;
    this.handler.onClose?.(code, reason);
  }

  #queueClose(body: Uint8Array): void {
    this.out.writeFrame(FIN | Opcode.Close, body);
    this.#closeSent = true;
    this.#state = this.#closeReceived ? CLOSED : CLOSING;
  }

  /** A new message may start: open, no Close sent, no fragmented message being sent. */
  #checkMessage(): void {
    this.#checkData();
    if (this.#sending !== 0) {
      throw new Rfc6455Error(
        'SEND_INTERLEAVED',
        '5.4',
        'a fragmented message is being sent; finish it (sendFragment(…, true)) first',
      );
    }
  }

  /** Data frames may be sent: OPEN, and no Close sent (5.5.1). */
  #checkData(): void {
    if (this.#state === OPEN) return;
    if (this.#state === CONNECTING) throw notOpen('data');
    throw new Rfc6455Error(
      'SEND_AFTER_CLOSE',
      '5.5.1',
      this.#closeSent
        ? 'cannot send data after the Close frame was sent'
        : 'cannot send data: the connection is closed',
    );
  }

  /** Control frames may be sent until CLOSED, at most 125 bytes (5.5). */
  #checkControl(what: string, data: Uint8Array): void {
    if (data.length > MAX_CONTROL_PAYLOAD) {
      throw new Rfc6455Error(
        'CONTROL_PAYLOAD_TOO_LONG',
        '5.5',
        `a ${what} carries at most 125 bytes, got ${data.length}`,
        { detail: { length: data.length } },
      );
    }
    if (this.#state === CONNECTING) throw notOpen(what);
    if (this.#state === CLOSED) {
      throw new Rfc6455Error(
        'SEND_AFTER_CLOSE',
        '5.5.1',
        `cannot send a ${what}: the connection is closed`,
      );
    }
  }
}

function notOpen(what: string): Rfc6455Error {
  return new Rfc6455Error(
    'INVALID_STATE',
    '4.1',
    `cannot send ${what} before the opening handshake is complete`,
  );
}

function limitsOf(options: Rfc6455ConnectionOptions) {
  return {
    maxFrameSize: options.maxFrameSize,
    maxMessageSize: options.maxMessageSize,
    maxFragments: options.maxFragments,
  };
}
