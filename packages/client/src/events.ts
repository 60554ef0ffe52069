/**
 * WHATWG-shaped event objects for `onopen`/`onmessage`/`onerror`/`onclose` and
 * `addEventListener`. They are built only when such a listener exists: Node-style listeners
 * (`ws.on('message', (data, isBinary) => …)`) get the raw values with no allocation.
 */
export class WebSocketEvent {
  readonly type: string;
  readonly target: unknown;
  readonly timeStamp: number;
  constructor(type: string, target: unknown) {
    this.type = type;
    this.target = target;
    this.timeStamp = performance.now();
  }
}

/** `message`: `data` is a string (Text), a Buffer or an ArrayBuffer (Binary, per `binaryType`). */
export class WebSocketMessageEvent extends WebSocketEvent {
  readonly data: unknown;
  /** Node extra: true for a Binary message. */
  readonly isBinary: boolean;
  constructor(target: unknown, data: unknown, isBinary: boolean) {
    super('message', target);
    this.data = data;
    this.isBinary = isBinary;
  }
}

/**
 * `close`. Draft-02 has no close status codes (section 7: the Close body is arbitrary), so
 * `code` follows the WHATWG fallbacks — 1005 ("no status") for a clean close, 1006 (abnormal)
 * otherwise — `reason` is the Close body read as UTF-8 and `body` the bytes themselves.
 */
export class WebSocketCloseEvent extends WebSocketEvent {
  readonly wasClean: boolean;
  readonly code: number;
  readonly reason: string;
  readonly body: Buffer;
  constructor(target: unknown, body: Buffer, wasClean: boolean) {
    super('close', target);
    this.wasClean = wasClean;
    this.code = wasClean ? 1005 : 1006;
    this.reason = body.toString('utf8');
    this.body = body;
  }
}

/** `error`: the typed error (`ClientError`, `HandshakeError`, `FrameError`, `SocketError`…). */
export class WebSocketErrorEvent extends WebSocketEvent {
  readonly error: Error;
  readonly message: string;
  constructor(target: unknown, error: Error) {
    super('error', target);
    this.error = error;
    this.message = error.message;
  }
}

/** A listener as `addEventListener` takes it: a function or an object with `handleEvent`. */
export type EventListenerLike<E> = ((event: E) => void) | { handleEvent(event: E): void };
