/**
 * The sans-I/O connection interface. One object per connection and role owns the connection's
 * whole life — opening handshake, frames, messages, closing handshake — and its one `state`,
 * in the shape of python-websockets' `Protocol`: bytes in (`receiveData`, `receiveEof`),
 * commands (`send…`, `accept`/`reject`), events out (the {@link ConnectionHandler} given at
 * construction, called synchronously from inside `receiveData`) and bytes out
 * (`takeOutgoing`). No sockets, no timers, no Node APIs.
 *
 * Both wire protocols implement it: draft-02 (`@ws02/draft02`) and RFC 6455 (`@ws02/rfc6455`).
 * A driver (`@ws02/socket` for Node) moves the bytes and owns the timers; a server picks the
 * implementation per request. docs/ARCHITECTURE.md draws the whole picture.
 */
import type { Ws02Error } from '@ws02/errors';

/** The wire protocols ws02 speaks: `draft-02` (`Sec-WebSocket-Draft: 2`), `rfc6455` (version 13). */
export type WireProtocol = 'draft-02' | 'rfc6455';

export type Role = 'server' | 'client';

/** `state` values, numbered as the WHATWG `WebSocket.readyState` (and `ws`) number them. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;
export type ConnectionState = typeof CONNECTING | typeof OPEN | typeof CLOSING | typeof CLOSED;

/** Header fields by lower-case name, every value in arrival order. */
export type HeaderFields = Readonly<Record<string, readonly string[]>>;

/** What a server connection read from the client's opening handshake (valid by then). */
export interface OpeningRequest {
  readonly wireProtocol: WireProtocol;
  readonly method: string;
  /** Path and query, as sent (`/chat?room=1`). */
  readonly resourceName: string;
  /** The Host field's value. */
  readonly host: string;
  /** The Origin field (draft-02: `Origin`; RFC 6455: `Origin`), if sent. */
  readonly origin: string | undefined;
  /** The subprotocols the client offered, in its order. */
  readonly protocols: readonly string[];
  /** The subprotocol the connection's selector chose, or undefined for none. */
  readonly protocol: string | undefined;
  /** The request came over TLS (as the server says; the core cannot know). */
  readonly secure: boolean;
  readonly fields: HeaderFields;
}

/** What a client connection read from the server's answer (checked by then). */
export interface OpeningResponse {
  readonly wireProtocol: WireProtocol;
  /** The subprotocol the server selected, or '' for none. */
  readonly protocol: string;
  readonly fields: HeaderFields;
  /** `Set-Cookie` (and `Set-Cookie2`) values, in order, not yet applied: the client shell's job. */
  readonly cookies: readonly string[];
}

/**
 * Events of a connection, called synchronously while it reads (`receiveData`, `receiveEof`) in
 * wire order: a handler's reply to a message is queued before anything the connection queues
 * for a later frame of the same chunk (e.g. the echo of a Close behind that message). A handler
 * may call the connection's `send…`/`accept`/`reject` methods; it must not throw, and must not
 * call `receiveData`/`receiveEof`. Payloads may be views of the received chunk: copy what you
 * keep past the call if the chunk's memory can be reused.
 */
export interface ConnectionHandler {
  /**
   * Server only: the client's opening handshake is complete and passed every check of the
   * protocol (state still CONNECTING). Answer with `accept()` or `reject()`, now or later;
   * bytes that arrive meanwhile are held by the connection, in order.
   */
  onRequest?(request: OpeningRequest): void;
  /** The opening handshake is complete (state OPEN). Client: `response` is set. */
  onOpen?(): void;
  /** A whole message: text as a string (or bytes, under draft-02's `raw` policy), binary as bytes. */
  onMessage(data: string | Uint8Array, binary: boolean): void;
  /** Streaming mode: one frame of a fragmented message, as it arrives. */
  onFragment?(data: string | Uint8Array, binary: boolean, first: boolean, last: boolean): void;
  /** A Ping; the Pong is already queued unless `autoPong` is off. */
  onPing?(data: Uint8Array): void;
  onPong?(data: Uint8Array): void;
  /**
   * The peer's Close frame (state CLOSING, or CLOSED when ours was sent already); the echo is
   * already queued. RFC 6455: its status code (1005 when it had none) and UTF-8 reason bytes.
   * draft-02, which has no status codes: `code` 1005, `reason` the whole body.
   */
  onClose?(code: number, reason: Uint8Array): void;
  /**
   * The connection failed: the peer broke a rule, or the input ended in the middle of
   * something. State is CLOSED and nothing more is delivered; what the protocol sends on a
   * failure (RFC 6455: a Close with 1002/1007/1009; a server's HTTP refusal during the opening
   * handshake) is already queued.
   */
  onError?(error: Ws02Error): void;
}

/** How a server answers an accepted opening handshake. */
export interface AcceptOptions {
  /** `Set-Cookie` values to send with the answer. */
  readonly setCookies?: readonly string[];
  /** Extra header fields for the answer (name → value). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The commands and state every connection has, whatever its role and wire protocol. */
export interface Connection {
  readonly wireProtocol: WireProtocol;
  readonly role: Role;
  /**
   * CONNECTING until the opening handshake completes; OPEN; CLOSING once a Close was sent or
   * received; CLOSED once both were, or on a failure, or at the end of the input.
   */
  readonly state: ConnectionState;
  /** The subprotocol agreed in the opening handshake, '' for none (and while CONNECTING). */
  readonly protocol: string;
  /** The error that failed the connection, if any. */
  readonly failure: Ws02Error | undefined;
  /** We queued a Close frame. */
  readonly closeSent: boolean;
  /** The peer's Close frame arrived. */
  readonly closeReceived: boolean;
  /** Bytes queued for sending and not yet taken. */
  readonly outgoingBytes: number;

  /**
   * Feeds received bytes, any split. Events are delivered to the handler before it returns.
   * Payloads in events may be views of `chunk`: do not modify it afterwards.
   */
  receiveData(chunk: Uint8Array): void;
  /** The transport's input ended. */
  receiveEof(): void;
  /**
   * Everything queued for sending, in order, as few chunks as possible (write them with one
   * gathered write). Large payloads may be the caller's own buffers, not copies.
   */
  takeOutgoing(): Uint8Array[];

  /** Queues a Text message: a string, or bytes the caller vouches are UTF-8. */
  sendText(text: string | Uint8Array): void;
  /** Queues a Binary message. */
  sendBinary(data: Uint8Array): void;
  /**
   * Queues one frame of a message sent piece by piece: the first call starts it (Text for a
   * string, Binary for bytes, unless `binary` says otherwise), `last` ends it. Control frames
   * may be sent in between; other messages may not.
   */
  sendFragment(data: string | Uint8Array, last: boolean, binary?: boolean): void;
  /** Queues frames encoded once by this protocol's `encodeMessage` (a broadcast). */
  sendEncoded(frames: readonly Uint8Array[]): void;
  sendPing(data?: Uint8Array): void;
  /** An unsolicited Pong (a heartbeat the peer only reports). */
  sendPong(data?: Uint8Array): void;
  /**
   * Starts the closing handshake: queues a Close and refuses data afterwards. RFC 6455: `code`
   * (default 1000; none sends an empty body only when both are omitted) and a UTF-8 `reason`.
   * draft-02: the Close body is `reason` (the code is not sent: -02 has no status codes).
   * Returns false, queuing nothing, when a Close was sent already or the connection is closed.
   */
  sendClose(code?: number, reason?: string | Uint8Array): boolean;
}

/** A server's connection: the opening handshake is the client's request, answered here. */
export interface ServerConnection extends Connection {
  readonly role: 'server';
  /** The client's request, once complete and valid (see `onRequest`). */
  readonly request: OpeningRequest | undefined;
  /** Queues the answer that opens the connection (state OPEN, `onOpen`, then held bytes). */
  accept(options?: AcceptOptions): void;
  /**
   * Queues an HTTP refusal (`status`, a short `reason` line, extra `headers`) and closes the
   * connection (state CLOSED); the driver then ends the transport.
   */
  reject(status: number, reason: string, headers?: Readonly<Record<string, string>>): void;
}

/** A client's connection: its request is queued at construction. */
export interface ClientConnection extends Connection {
  readonly role: 'client';
  /** The server's answer, once checked (see `onOpen`). */
  readonly response: OpeningResponse | undefined;
}

/** What a wire protocol offers besides connections: encoding once for many (broadcast). */
export interface MessageEncoder {
  /** The frames of one whole message as a server sends it (for `sendEncoded`). */
  encodeMessage(data: string | Uint8Array, binary: boolean): Uint8Array[];
}
