import { constructWebSocketUrl, type WebSocketUrl } from '@ws02/url';
import { HandshakeError, type HandshakeErrorCode, show } from './handshake-error.js';
import { DEFAULT_MAX_FIELDS, DEFAULT_MAX_HEAD_BYTES } from './request-validator.js';
import { asciiLowercase, decodeUtf8 } from './text.js';

/** One entry of 5.1's /fields/ list: [lower-case name, value], in arrival order (step 40). */
export type HandshakeField = readonly [name: string, value: string];

/** A cookie field of the server's handshake, handed to the caller to apply (steps 44, 49–51). */
export interface HandshakeCookie {
  readonly name: 'set-cookie' | 'set-cookie2';
  readonly value: string;
}

/** What {@link ClientHandshakeParser.receiveData} and `receiveEof` report. */
export type ClientHandshakeResult =
  /** The response is incomplete: feed more bytes. */
  | { readonly kind: 'need-more' }
  /**
   * Steps 31–48 passed: the WebSocket connection is established (step 50). `protocol` is the
   * server's Sec-WebSocket-Protocol (one of those offered; `undefined` when none were offered);
   * `cookies` is the /list of cookies/ to apply now (step 49) or store (defer cookies, step 51);
   * `rest` holds the bytes after the 16-byte reply (frames already sent by the server): a view
   * into the last chunk, never to be dropped.
   */
  | {
      readonly kind: 'established';
      readonly protocol: string | undefined;
      readonly fields: readonly HandshakeField[];
      readonly cookies: readonly HandshakeCookie[];
      readonly rest: Uint8Array;
    }
  /**
   * Status 407 (step 33): close the connection and start again from step 2 with proxy
   * credentials (see `fields`, e.g. proxy-authenticate), or fail. `rest` is what followed the
   * head (a body, if any).
   */
  | {
      readonly kind: 'proxy-auth-required';
      readonly fields: readonly HandshakeField[];
      readonly rest: Uint8Array;
    }
  /** Fail the WebSocket connection; `error.step` is the step of 5.1 that failed. */
  | { readonly kind: 'failed'; readonly error: HandshakeError };

/** Options of {@link ClientHandshakeParser}; a {@link ClientHandshake} satisfies it. */
export interface ClientHandshakeParserOptions {
  /** Step 46: the 16 bytes the server must answer with (`ClientHandshake.expected`). */
  readonly expected: Uint8Array;
  /** The Sec-WebSocket-Location to require; when absent, constructed from `url` (3.2). */
  readonly location?: string;
  /** The URL connected to (used when `location` is absent). */
  readonly url?: WebSocketUrl;
  /** The origin sent; Sec-WebSocket-Origin must equal it exactly. */
  readonly origin: string;
  /** The subprotocols offered; when non-empty, exactly one Sec-WebSocket-Protocol must name one. */
  readonly protocols?: readonly string[];
  /** Largest response head (status line + fields + blank line), in bytes. Default 16384. */
  readonly maxHeadBytes?: number;
  /** Most fields in the response head. Default 100. */
  readonly maxFields?: number;
}

const NEED_MORE: ClientHandshakeResult = Object.freeze({ kind: 'need-more' });

// The steps of 5.1 the parser can be waiting in.
const STATUS = 31; // reading the status line
const NAME = 36; // reading a field name (or the CR of the blank line)
const VALUE = 38; // reading a field value
const VALUE_LF = 39; // the LF after a field's CR
const END_LF = 42; // the LF after the blank line's CR
const REPLY = 47; // the sixteen bytes
const DONE = 50;
const FAILED = 0;

/**
 * The client side of the opening handshake as a sans-I/O parser: reads the server's response
 * byte by byte exactly as draft-02 5.1 steps 31–48 say, from chunks split anywhere. Bounded by
 * `maxHeadBytes` and `maxFields`.
 */
export class ClientHandshakeParser {
  readonly #expected: Uint8Array;
  readonly #location: string;
  readonly #origin: string;
  readonly #protocols: readonly string[];
  readonly #maxHeadBytes: number;
  readonly #maxFields: number;

  #state = STATUS;
  #failure: ClientHandshakeResult | undefined;
  #headBytes = 0;
  // Bytes of the token in progress (status line, name or value) from earlier chunks: a copy.
  #carry: Uint8Array | undefined;
  #proxyAuth = false;
  #name = '';
  #valueStarted = false;
  readonly #fields: HandshakeField[] = [];
  #cookies: readonly HandshakeCookie[] = [];
  #selected: string | undefined;
  #reply: Uint8Array | undefined;
  #replyFilled = 0;

  constructor(options: ClientHandshakeParserOptions) {
    this.#expected = options.expected;
    const location =
      options.location ??
      (options.url === undefined ? undefined : constructWebSocketUrl(options.url));
    if (location === undefined) throw new TypeError('ClientHandshakeParser needs location or url');
    this.#location = location;
    this.#origin = options.origin;
    this.#protocols = options.protocols ?? [];
    this.#maxHeadBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
    this.#maxFields = options.maxFields ?? DEFAULT_MAX_FIELDS;
  }

  /** Feeds the next bytes from the server. */
  receiveData(chunk: Uint8Array): ClientHandshakeResult {
    if (this.#state === FAILED) return this.#failure!;
    if (this.#state === DONE) return invalidState('receiveData after the handshake ended');
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      if (this.#state === REPLY) return this.#replyData(chunk.subarray(pos));
      // Head bytes this chunk may still contribute before the limit is hit.
      const room = this.#maxHeadBytes - this.#headBytes;
      if (room <= 0) return this.#fail(headTooLarge(this.#maxHeadBytes));
      const end = Math.min(length, pos + room);
      const start = pos;
      switch (this.#state) {
        case STATUS: {
          // Step 31: bytes up to and including the first 0x0A.
          const lf = indexOf(chunk, 0x0a, pos, end);
          if (lf === -1) {
            this.#keep(chunk.subarray(pos, end));
            pos = end;
            break;
          }
          pos = lf + 1;
          const error = this.#statusLine(this.#take(chunk.subarray(start, pos)));
          if (error !== undefined) return this.#fail(error);
          this.#state = NAME;
          break;
        }
        case NAME: {
          // Step 36: name bytes until CR, LF or ":".
          let i = pos;
          while (i < end) {
            const b = chunk[i]!;
            if (b === 0x3a || b === 0x0d || b === 0x0a) break;
            i++;
          }
          if (i === end) {
            this.#keep(chunk.subarray(pos, end));
            pos = end;
            break;
          }
          const b = chunk[i]!;
          const name = this.#take(chunk.subarray(pos, i));
          pos = i + 1;
          if (b === 0x3a) {
            // "Move on to the next step" with A–Z lowered (decoded as UTF-8 at step 40).
            this.#name = asciiLowercase(decodeUtf8(name));
            this.#valueStarted = false;
            this.#state = VALUE; // step 37: count = 0
          } else if (b === 0x0d && name.length === 0) {
            this.#state = END_LF; // "jump to the fields processing step"
          } else {
            return this.#fail(
              clientError(
                'HANDSHAKE_BAD_FIELD_NAME',
                b === 0x0d ? 'a CR inside a field name' : 'an LF inside a field name',
                36,
              ),
            );
          }
          break;
        }
        case VALUE: {
          // Step 38: skip one 0x20 right after the colon (count = 1), then value bytes to CR.
          if (!this.#valueStarted) {
            this.#valueStarted = true;
            if (chunk[pos] === 0x20) {
              pos++;
              break;
            }
          }
          let i = pos;
          while (i < end) {
            const b = chunk[i]!;
            if (b === 0x0d || b === 0x0a) break;
            i++;
          }
          if (i === end) {
            this.#keep(chunk.subarray(pos, end));
            pos = end;
            break;
          }
          if (chunk[i] === 0x0a) {
            return this.#fail(
              clientError('HANDSHAKE_BAD_FIELD_VALUE', 'an LF inside a field value', 38),
            );
          }
          const value = decodeUtf8(this.#take(chunk.subarray(pos, i)));
          pos = i + 1;
          // Step 40 is done once the LF is confirmed (step 39).
          this.#fields.push([this.#name, value]);
          this.#state = VALUE_LF;
          break;
        }
        case VALUE_LF: {
          // Step 39.
          if (chunk[pos] !== 0x0a) {
            return this.#fail(
              clientError('HANDSHAKE_BAD_LINE_ENDING', 'a field ends in CR without LF', 39),
            );
          }
          pos++;
          if (this.#fields.length > this.#maxFields) {
            return this.#fail(
              clientError('HANDSHAKE_TOO_MANY_FIELDS', `more than ${this.#maxFields} fields`),
            );
          }
          this.#state = NAME; // step 41: back to step 35
          break;
        }
        case END_LF: {
          // Step 42.
          if (chunk[pos] !== 0x0a) {
            return this.#fail(
              clientError('HANDSHAKE_BAD_LINE_ENDING', 'the blank line ends in CR without LF', 42),
            );
          }
          pos++;
          this.#headBytes += pos - start;
          if (this.#proxyAuth) {
            this.#state = DONE;
            return { kind: 'proxy-auth-required', fields: this.#fields, rest: chunk.subarray(pos) };
          }
          const error = this.#checkFields();
          if (error !== undefined) return this.#fail(error);
          this.#state = REPLY;
          continue;
        }
      }
      this.#headBytes += pos - start;
    }
    // The head is unfinished and may not grow: fail now rather than at the next byte.
    if (this.#state !== REPLY && this.#headBytes >= this.#maxHeadBytes) {
      return this.#fail(headTooLarge(this.#maxHeadBytes));
    }
    return NEED_MORE;
  }

  /** The server closed the connection: every step still reading fails ("connection closes"). */
  receiveEof(): ClientHandshakeResult {
    if (this.#state === FAILED) return this.#failure!;
    if (this.#state === DONE) return invalidState('receiveEof after the handshake ended');
    const step = this.#state;
    return this.#fail(
      clientError(
        'HANDSHAKE_UNEXPECTED_EOF',
        step === REPLY
          ? `connection closed after ${this.#replyFilled} of the 16 reply bytes`
          : 'connection closed before the end of the response head',
        step,
      ),
    );
  }

  // Steps 31–33 on the complete status line (LF included).
  #statusLine(field: Uint8Array): HandshakeError | undefined {
    const n = field.length;
    // Step 31: at least 7 bytes, ends CRLF, no other CR, at least two 0x20 bytes.
    const firstCr = field.indexOf(0x0d);
    const sp1 = field.indexOf(0x20);
    const sp2 = sp1 === -1 ? -1 : field.indexOf(0x20, sp1 + 1);
    if (n < 7 || field[n - 2] !== 0x0d || firstCr !== n - 2 || sp2 === -1) {
      return clientError(
        'HANDSHAKE_BAD_STATUS_LINE',
        `malformed status line ${show(decodeUtf8(field))}`,
        31,
      );
    }
    // Step 32: /code/ is between the first and the second 0x20.
    const code = decodeUtf8(field.subarray(sp1 + 1, sp2));
    // Step 33.
    if (code === '101') return undefined;
    if (code === '407') {
      this.#proxyAuth = true;
      return undefined;
    }
    return clientError(
      'HANDSHAKE_UNEXPECTED_STATUS',
      `status ${show(code)} is not 101: ${show(decodeUtf8(field.subarray(0, n - 2)))}`,
      33,
    );
  }

  // Steps 43–44 on the complete /fields/ list.
  #checkFields(): HandshakeError | undefined {
    const fields = this.#fields;
    const offered = this.#protocols.length > 0;
    let upgrade = 0;
    let connection = 0;
    let origin = 0;
    let location = 0;
    let protocol = 0;
    let emptyName = false;
    for (const [name] of fields) {
      if (name === 'upgrade') upgrade++;
      else if (name === 'connection') connection++;
      else if (name === 'sec-websocket-origin') origin++;
      else if (name === 'sec-websocket-location') location++;
      else if (name === 'sec-websocket-protocol') protocol++;
      else if (name === '') emptyName = true;
    }
    const count =
      exactlyOne(upgrade, 'upgrade', 'HANDSHAKE_MISSING_UPGRADE') ??
      exactlyOne(connection, 'connection', 'HANDSHAKE_MISSING_CONNECTION') ??
      exactlyOne(origin, 'sec-websocket-origin', 'HANDSHAKE_MISSING_ORIGIN') ??
      exactlyOne(location, 'sec-websocket-location', 'HANDSHAKE_MISSING_LOCATION') ??
      (offered
        ? exactlyOne(protocol, 'sec-websocket-protocol', 'HANDSHAKE_MISSING_PROTOCOL')
        : undefined);
    if (count !== undefined) return count;
    if (emptyName) {
      return clientError('HANDSHAKE_EMPTY_FIELD_NAME', 'a field has an empty name', 44);
    }
    // Step 43: the /list of cookies/ (applied only once established: steps 49–51).
    const cookies: HandshakeCookie[] = [];
    let selected: string | undefined;
    for (const [name, value] of fields) {
      switch (name) {
        case 'upgrade':
          if (asciiLowercase(value) !== 'websocket') {
            return clientError(
              'HANDSHAKE_BAD_UPGRADE',
              `Upgrade is ${show(value)}, not "WebSocket"`,
              44,
              name,
            );
          }
          break;
        case 'connection':
          if (asciiLowercase(value) !== 'upgrade') {
            return clientError(
              'HANDSHAKE_BAD_CONNECTION',
              `Connection is ${show(value)}, not "Upgrade"`,
              44,
              name,
            );
          }
          break;
        case 'sec-websocket-origin':
          if (value !== this.#origin) {
            return clientError(
              'HANDSHAKE_ORIGIN_MISMATCH',
              `Sec-WebSocket-Origin ${show(value)} is not ${show(this.#origin)}`,
              44,
              name,
            );
          }
          break;
        case 'sec-websocket-location':
          if (value !== this.#location) {
            return clientError(
              'HANDSHAKE_LOCATION_MISMATCH',
              `Sec-WebSocket-Location ${show(value)} is not ${show(this.#location)}`,
              44,
              name,
            );
          }
          break;
        case 'sec-websocket-protocol':
          // Ignored when no protocol was offered; otherwise one of the offered list (SPEC-NOTES).
          if (offered) {
            if (!this.#protocols.includes(value)) {
              return clientError(
                'HANDSHAKE_PROTOCOL_MISMATCH',
                `Sec-WebSocket-Protocol ${show(value)} was not offered`,
                44,
                name,
              );
            }
            selected = value;
          }
          break;
        case 'set-cookie':
        case 'set-cookie2':
          cookies.push({ name, value });
          break;
      }
    }
    this.#cookies = cookies;
    this.#selected = selected;
    return undefined;
  }

  // Steps 47–48.
  #replyData(chunk: Uint8Array): ClientHandshakeResult {
    let reply: Uint8Array;
    let rest: Uint8Array;
    if (this.#replyFilled === 0 && chunk.length >= 16) {
      reply = chunk.subarray(0, 16);
      rest = chunk.subarray(16);
    } else {
      // Deliberate copy: the 16 bytes span chunks.
      this.#reply ??= new Uint8Array(16);
      const take = Math.min(16 - this.#replyFilled, chunk.length);
      this.#reply.set(chunk.subarray(0, take), this.#replyFilled);
      this.#replyFilled += take;
      if (this.#replyFilled < 16) return NEED_MORE;
      reply = this.#reply;
      rest = chunk.subarray(take);
    }
    const expected = this.#expected;
    let same = expected.length === 16;
    for (let i = 0; i < 16 && same; i++) same = reply[i] === expected[i];
    if (!same) {
      return this.#fail(
        clientError(
          'HANDSHAKE_CHALLENGE_MISMATCH',
          'the 16-byte reply is not the expected MD5',
          48,
        ),
      );
    }
    this.#state = DONE;
    return {
      kind: 'established',
      protocol: this.#selected,
      fields: this.#fields,
      cookies: this.#cookies,
      rest,
    };
  }

  // A token continues in the next chunk: keep its bytes (a copy; bounded by maxHeadBytes).
  #keep(part: Uint8Array): void {
    const carry = this.#carry;
    if (carry === undefined) {
      this.#carry = part.slice();
      return;
    }
    const joined = new Uint8Array(carry.length + part.length);
    joined.set(carry, 0);
    joined.set(part, carry.length);
    this.#carry = joined;
  }

  // The complete token: the kept bytes plus this chunk's part (a view when nothing was kept).
  #take(part: Uint8Array): Uint8Array {
    const carry = this.#carry;
    if (carry === undefined) return part;
    this.#carry = undefined;
    if (part.length === 0) return carry;
    const joined = new Uint8Array(carry.length + part.length);
    joined.set(carry, 0);
    joined.set(part, carry.length);
    return joined;
  }

  #fail(error: HandshakeError): ClientHandshakeResult {
    this.#state = FAILED;
    this.#carry = undefined;
    this.#failure = { kind: 'failed', error };
    return this.#failure;
  }
}

function indexOf(bytes: Uint8Array, value: number, from: number, end: number): number {
  const i = bytes.subarray(from, end).indexOf(value);
  return i === -1 ? -1 : from + i;
}

function headTooLarge(limit: number): HandshakeError {
  return clientError('HANDSHAKE_HEAD_TOO_LARGE', `the response head is larger than ${limit} bytes`);
}

function exactlyOne(
  count: number,
  field: string,
  missing: HandshakeErrorCode,
): HandshakeError | undefined {
  if (count === 1) return undefined;
  if (count === 0) return clientError(missing, `no ${field} field`, 44, field);
  return clientError('HANDSHAKE_DUPLICATE_FIELD', `${count} ${field} fields`, 44, field);
}

function clientError(
  code: HandshakeErrorCode,
  message: string,
  step?: number,
  field?: string,
): HandshakeError {
  return new HandshakeError(code, '5.1', message, {
    ...(step === undefined ? {} : { step }),
    ...(field === undefined ? {} : { field }),
  });
}

function invalidState(message: string): ClientHandshakeResult {
  return {
    kind: 'failed',
    error: new HandshakeError('HANDSHAKE_INVALID_STATE', '5.1', message),
  };
}
