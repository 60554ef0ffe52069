import { HandshakeError } from './handshake-error.js';
import type { HandshakeRequest, ServerHandshakeOptions } from './handshake-request.js';
import {
  addField,
  badFieldName,
  badFieldValue,
  DEFAULT_MAX_HEAD_BYTES,
  emptyFieldName,
  type FieldsBuilder,
  fieldRecord,
  lexField,
  NAME_HAS_UPPERCASE,
  type PendingRequest,
  RequestValidator,
  VALUE_NOT_ASCII,
} from './request-validator.js';
import { allocate, asciiLowercase, decodeUtf8, latin1, latin1ToUtf8 } from './text.js';

/** What {@link ServerHandshakeParser.receiveData} and `receiveEof` report. */
export type ServerHandshakeResult =
  /** The head or key_3 is incomplete: feed more bytes. */
  | { readonly kind: 'need-more' }
  /**
   * Every 5.2.1 check passed and key_3 arrived: answer with {@link createServerResponse}.
   * `rest` holds the bytes after key_3 (frames the client pipelined): a view into the last chunk,
   * never to be dropped.
   */
  | { readonly kind: 'request'; readonly request: HandshakeRequest; readonly rest: Uint8Array }
  /** Abort the connection (5.2.1); `error.httpStatus` suggests a refusal status. */
  | { readonly kind: 'failed'; readonly error: HandshakeError };

/** Where the parser is: reading the head, waiting for key_3, finished, or failed. */
export type ServerHandshakePhase = 'head' | 'key3' | 'done' | 'failed';

/**
 * An HTTP request already parsed by someone else, e.g. Node's `http.IncomingMessage` in the
 * server's `upgrade` event. `rawHeaders` (flat name, value, name, value… list) is used when
 * present: it is exact (every duplicate kept); `headers` (Node's joined form) otherwise.
 */
export interface ParsedHttpRequest {
  readonly method?: string | undefined;
  /** The Request-URI, e.g. `/chat?x=1`. */
  readonly url?: string | undefined;
  /** Without the `HTTP/` prefix, as Node gives it: `"1.1"`. */
  readonly httpVersion?: string | undefined;
  readonly rawHeaders?: readonly string[] | undefined;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
}

const NEED_MORE: ServerHandshakeResult = Object.freeze({ kind: 'need-more' });
const HEAD = 0;
const KEY3 = 1;
const DONE = 2;
const FAILED = 3;
const PHASES: readonly ServerHandshakePhase[] = ['head', 'key3', 'done', 'failed'];
// #scan results besides a head end.
const SCAN_MORE = -1;
const SCAN_FAILED = -2;

// Reused by every parser (parsing is synchronous, so one at a time): the fields region copied
// with names lowercased in place, and each field's offsets in it. Grown only for a maxHeadBytes
// above the default.
let scratch = new Uint8Array(DEFAULT_MAX_HEAD_BYTES);
let offsets = new Int32Array(4 * 128);

/**
 * The server side of the opening handshake as a sans-I/O parser (draft-02 5.2.1): feed it the
 * connection's bytes; it reads the request line and fields, checks all of them, then waits for
 * exactly eight bytes of key_3. Resumable at any byte boundary; bounded by `maxHeadBytes`
 * (default 16 KiB) and `maxFields` (default 100).
 *
 * For Node's `http` `upgrade` event, where the head is already parsed, use
 * {@link ServerHandshakeParser.fromParsedRequest} and feed it the `head` buffer (key_3 may be in
 * it, partly or not at all) and later socket data: the same checks, the same results.
 */
export class ServerHandshakeParser {
  readonly #validator: RequestValidator;
  readonly #maxHeadBytes: number;
  #state = HEAD;
  #failure: ServerHandshakeResult | undefined;
  // Head bytes kept across chunks (only when the head spans chunks), and scan progress in them.
  #buffer: Uint8Array | undefined;
  #filled = 0;
  #lineStart = 0;
  #requestLineEnd = 0;
  #fieldLines = 0;
  // After the head.
  #request: PendingRequest | undefined;
  #key3: Uint8Array | undefined;
  #key3Filled = 0;

  constructor(options: ServerHandshakeOptions = {}) {
    this.#validator = new RequestValidator(options);
    this.#maxHeadBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
  }

  /**
   * A parser for a request whose head someone else parsed (Node's `upgrade` event): runs the same
   * 5.2.1 checks now; the first `receiveData` (call it with Node's `head`, even when empty)
   * reports a failure at once, or waits for key_3.
   */
  static fromParsedRequest(
    request: ParsedHttpRequest,
    options: ServerHandshakeOptions = {},
  ): ServerHandshakeParser {
    const parser = new ServerHandshakeParser(options);
    parser.#fromParsed(request);
    return parser;
  }

  /** Where the parser is. */
  get phase(): ServerHandshakePhase {
    return PHASES[this.#state]!;
  }

  /** Feeds the next bytes of the connection. After `request`, bytes belong to the frame layer. */
  receiveData(chunk: Uint8Array): ServerHandshakeResult {
    switch (this.#state) {
      case HEAD:
        return this.#filled === 0 ? this.#headFromChunk(chunk) : this.#headFromBuffer(chunk);
      case KEY3:
        return this.#key3Data(chunk);
      case FAILED:
        return this.#failure!;
      default:
        return invalidState('receiveData after the request was complete');
    }
  }

  /** The client closed its side: a handshake still in progress is aborted. */
  receiveEof(): ServerHandshakeResult {
    switch (this.#state) {
      case HEAD:
        return this.#fail(
          new HandshakeError(
            'HANDSHAKE_UNEXPECTED_EOF',
            '5.2.1',
            'connection closed before the end of the fields',
            { step: this.#requestLineEnd === 0 ? 1 : 5, httpStatus: 400 },
          ),
        );
      case KEY3:
        return this.#fail(
          new HandshakeError(
            'HANDSHAKE_UNEXPECTED_EOF',
            '5.2.1',
            `connection closed after ${this.#key3Filled} of the 8 bytes of key_3`,
            { step: 6, httpStatus: 400 },
          ),
        );
      case FAILED:
        return this.#failure!;
      default:
        return invalidState('receiveEof after the request was complete');
    }
  }

  // The common case: the whole head (and usually key_3) in one chunk, parsed in place.
  #headFromChunk(chunk: Uint8Array): ServerHandshakeResult {
    const end = this.#scan(chunk);
    if (end >= 0) return this.#headComplete(chunk, end, chunk.subarray(end));
    if (end === SCAN_FAILED) return this.#failure!;
    if (chunk.length >= this.#maxHeadBytes) return this.#fail(headTooLarge(this.#maxHeadBytes));
    // Deliberate copy: the head spans chunks and the caller may reuse its chunk's memory. At most
    // maxHeadBytes − 1 bytes (checked just above).
    this.#append(chunk);
    return NEED_MORE;
  }

  // The head spans chunks: append at most what the limit still allows, scan on.
  #headFromBuffer(chunk: Uint8Array): ServerHandshakeResult {
    const before = this.#filled;
    // Deliberate copy, bounded by the limit: bytes beyond it are never buffered.
    this.#append(chunk.subarray(0, Math.min(chunk.length, this.#maxHeadBytes - before)));
    const data = this.#buffer!.subarray(0, this.#filled);
    const end = this.#scan(data);
    if (end >= 0) return this.#headComplete(data, end, chunk.subarray(end - before));
    if (end === SCAN_FAILED) return this.#failure!;
    if (this.#filled >= this.#maxHeadBytes) return this.#fail(headTooLarge(this.#maxHeadBytes));
    return NEED_MORE;
  }

  #append(bytes: Uint8Array): void {
    const needed = this.#filled + bytes.length;
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.length < needed) {
      // Grow geometrically, never past the limit; small sizes come from the shared slab.
      const grown = allocate(
        Math.min(this.#maxHeadBytes, Math.max(needed, 512, (buffer?.length ?? 0) * 2)),
      );
      if (buffer !== undefined) grown.set(buffer.subarray(0, this.#filled), 0);
      this.#buffer = buffer = grown;
    }
    buffer.set(bytes, this.#filled);
    this.#filled = needed;
  }

  /**
   * Finds complete lines from where the last scan stopped: every LF must follow a CR (5.2.1:
   * lines end in CRLF); the first line is the request line (parts 1–4, checked at once); an empty
   * line ends the head. Returns the index just past the head, SCAN_MORE, or SCAN_FAILED.
   */
  #scan(data: Uint8Array): number {
    const limit = this.#maxHeadBytes;
    const view = data.length > limit ? data.subarray(0, limit) : data;
    let lineStart = this.#lineStart;
    for (;;) {
      const lf = view.indexOf(0x0a, lineStart);
      if (lf === -1) {
        this.#lineStart = lineStart;
        return SCAN_MORE;
      }
      if (lf === 0 || view[lf - 1] !== 0x0d) {
        this.#fail(
          new HandshakeError('HANDSHAKE_BAD_LINE_ENDING', '5.2.1', 'a line ends in LF without CR', {
            step: this.#requestLineEnd === 0 ? 4 : 5,
            httpStatus: 400,
          }),
        );
        return SCAN_FAILED;
      }
      if (this.#requestLineEnd === 0) {
        const error = this.#requestLine(view, lf - 1);
        if (error !== undefined) {
          this.#fail(error);
          return SCAN_FAILED;
        }
        this.#requestLineEnd = lf + 1;
      } else if (lf === lineStart + 1) {
        return lf + 1;
      } else {
        // A field line: the count limit applies before anything else is looked at.
        const error = this.#validator.fieldCount(++this.#fieldLines);
        if (error !== undefined) {
          this.#fail(error);
          return SCAN_FAILED;
        }
      }
      lineStart = lf + 1;
    }
  }

  // 5.2.1 parts 1–4 straight from the bytes: "GET" SP resource SP version.
  #requestLine(data: Uint8Array, end: number): HandshakeError | undefined {
    const sp1 = data.indexOf(0x20);
    const sp2 = sp1 === -1 || sp1 >= end ? -1 : data.indexOf(0x20, sp1 + 1);
    if (sp2 === -1 || sp2 >= end) {
      return new HandshakeError(
        'HANDSHAKE_BAD_REQUEST_LINE',
        '5.2.1',
        end === 0
          ? 'the request line is empty'
          : 'the request line is not "GET <resource name> HTTP/1.1"',
        { step: 2, httpStatus: 400 },
      );
    }
    // Bytes as code points: every accepted character is ASCII, so this is exact where it matters.
    return this.#validator.requestLine(
      latin1(data, 0, sp1),
      latin1(data, sp1 + 1, sp2),
      latin1(data, sp2 + 1, end),
    );
  }

  /**
   * 5.2.1 part 5, on the bytes: one tight pass checks every field's syntax (name: U+0021–U+0039,
   * U+003B–U+007E; value: no control character but HTAB), lowercases names in a scratch copy and
   * records offsets; the region is then decoded once (UTF-8) and sliced. Then every check of the
   * head (RequestValidator, shared with the parsed-request path).
   */
  #headComplete(data: Uint8Array, end: number, rest: Uint8Array): ServerHandshakeResult {
    // From after the request line's CRLF up to the last field's CRLF included (the blank line's
    // CRLF left out): every line in it ends in CRLF, which bounds each loop below.
    const length = end - 2 - this.#requestLineEnd;
    if (scratch.length < length) scratch = new Uint8Array(length);
    if (offsets.length < 4 * this.#fieldLines) offsets = new Int32Array(4 * this.#fieldLines);
    const s = scratch;
    const o = offsets;
    // Deliberate copy (reused buffer, ≤ maxHeadBytes): names are lowercased in it, and the
    // caller's chunk is never written to.
    s.set(data.subarray(this.#requestLineEnd, end - 2), 0);
    let nonAscii = false;
    let n = 0;
    let pos = 0;
    while (pos < length) {
      let i = pos;
      for (;;) {
        const c = s[i]!;
        if (c === 0x3a) break;
        if (c >= 0x41 && c <= 0x5a) s[i] = c | 0x20;
        else if (c < 0x21 || c > 0x7e) {
          return this.#fail(
            c === 0x0d && s[i + 1] === 0x0a
              ? badFieldName(latin1(s, pos, i), -1)
              : badFieldName(latin1(s, pos, i + 1), i - pos),
          );
        }
        i++;
      }
      if (i === pos) return this.#fail(emptyFieldName());
      const nameEnd = i++;
      // The value: surrounding SP/HTAB trimmed (HTTP's OWS; Node's parser trims the same way).
      while (s[i] === 0x20 || s[i] === 0x09) i++;
      const valueStart = i;
      for (;;) {
        const c = s[i]!;
        if (c < 0x20 || c === 0x7f) {
          if (c === 0x0d && s[i + 1] === 0x0a) break;
          if (c !== 0x09) {
            return this.#fail(badFieldValue(latin1(s, pos, nameEnd), latin1(s, valueStart, i + 1)));
          }
        } else if (c > 0x7f) {
          nonAscii = true;
        }
        i++;
      }
      let valueEnd = i;
      while (valueEnd > valueStart && (s[valueEnd - 1] === 0x20 || s[valueEnd - 1] === 0x09)) {
        valueEnd--;
      }
      o[4 * n] = pos;
      o[4 * n + 1] = nameEnd;
      o[4 * n + 2] = valueStart;
      o[4 * n + 3] = valueEnd;
      n++;
      pos = i + 2;
    }
    const validator = this.#validator;
    // One decode of the whole region (WHATWG UTF-8 decoding keeps every ASCII byte in place, so
    // its lines, colons and spaces are intact); the fields record is re-read from it lazily.
    const text = decodeUtf8(s.subarray(0, length));
    for (let f = 0; f < n; f++) {
      const namePos = o[4 * f]!;
      const nameEnd = o[4 * f + 1]!;
      // Only a field the handshake needs is looked at now (cheap pre-filter on length and first
      // letter: host, origin, upgrade, connection, sec-websocket-*).
      if (!isKnownFieldShape(nameEnd - namePos, s[namePos]!)) continue;
      const error = validator.field(
        nonAscii ? latin1(s, namePos, nameEnd) : text.slice(namePos, nameEnd),
        nonAscii
          ? // Some value has UTF-8: string offsets no longer equal byte offsets.
            decodeUtf8(s.subarray(o[4 * f + 2]!, o[4 * f + 3]!))
          : text.slice(o[4 * f + 2]!, o[4 * f + 3]!),
      );
      if (error !== undefined) return this.#fail(error);
    }
    this.#buffer = undefined;
    return this.#finishHead(rest, () => fieldsFromText(text));
  }

  #finishHead(rest: Uint8Array, buildFields: FieldsBuilder): ServerHandshakeResult {
    const result = this.#validator.finish(buildFields);
    if (result instanceof HandshakeError) return this.#fail(result);
    this.#request = result;
    this.#state = KEY3;
    return this.#key3Data(rest);
  }

  // 5.2.1 part 6: "the client sends eight random bytes" after the fields.
  #key3Data(chunk: Uint8Array): ServerHandshakeResult {
    let key3 = this.#key3;
    if (key3 === undefined) {
      if (chunk.length >= 8) {
        // Deliberate 8-byte copy: the request must not change if the caller reuses its chunk.
        return this.#complete(chunk.slice(0, 8), chunk.subarray(8));
      }
      this.#key3 = key3 = new Uint8Array(8);
    }
    // key_3 spans chunks: collect it.
    const take = Math.min(8 - this.#key3Filled, chunk.length);
    key3.set(chunk.subarray(0, take), this.#key3Filled);
    this.#key3Filled += take;
    if (this.#key3Filled < 8) return NEED_MORE;
    return this.#complete(key3, chunk.subarray(take));
  }

  #complete(key3: Uint8Array, rest: Uint8Array): ServerHandshakeResult {
    const request = this.#request!;
    request.key3 = key3;
    this.#state = DONE;
    this.#request = undefined;
    return { kind: 'request', request, rest };
  }

  // The same order as the raw path: request line, field count, every field's syntax, then the
  // fields themselves and the checks of the whole head.
  #fromParsed(request: ParsedHttpRequest): void {
    const validator = this.#validator;
    const names: string[] = [];
    const values: string[] = [];
    const raw = request.rawHeaders;
    if (raw !== undefined) {
      for (let i = 0; i + 1 < raw.length; i += 2) {
        names.push(raw[i]!);
        values.push(raw[i + 1]!);
      }
    } else if (request.headers !== undefined) {
      const headers = request.headers;
      for (const name of Object.keys(headers)) {
        const value = headers[name];
        if (value === undefined) continue;
        for (const v of typeof value === 'string' ? [value] : value) {
          names.push(name);
          values.push(v);
        }
      }
    }
    let error =
      validator.requestLine(
        request.method ?? '',
        request.url ?? '',
        `HTTP/${request.httpVersion ?? ''}`,
      ) ?? validator.fieldCount(names.length);
    for (let i = 0; i < names.length && error === undefined; i++) {
      const lexed = lexField(names[i]!, values[i]!);
      if (typeof lexed !== 'number') {
        error = lexed;
        break;
      }
      if (lexed & NAME_HAS_UPPERCASE) names[i] = asciiLowercase(names[i]!);
      // Node decodes header bytes as latin1: re-read them as the UTF-8 the raw path decodes.
      if (lexed & VALUE_NOT_ASCII) values[i] = latin1ToUtf8(values[i]!);
      values[i] = trimOws(values[i]!);
    }
    for (let i = 0; i < names.length && error === undefined; i++) {
      error = validator.field(names[i]!, values[i]!);
    }
    if (error !== undefined) {
      this.#fail(error);
      return;
    }
    const result = validator.finish(() => {
      const fields = fieldRecord();
      for (let i = 0; i < names.length; i++) addField(fields, names[i]!, values[i]!);
      return fields;
    });
    if (result instanceof HandshakeError) {
      this.#fail(result);
      return;
    }
    this.#request = result;
    this.#state = KEY3;
  }

  #fail(error: HandshakeError): ServerHandshakeResult {
    this.#state = FAILED;
    this.#buffer = undefined;
    this.#request = undefined;
    this.#failure = { kind: 'failed', error };
    return this.#failure;
  }
}

/** Length and first byte of host, origin, upgrade, connection and the sec-websocket-* fields. */
function isKnownFieldShape(length: number, first: number): boolean {
  switch (length) {
    case 4:
      return first === 0x68; // host
    case 6:
      return first === 0x6f; // origin
    case 7:
      return first === 0x75; // upgrade
    case 10:
      return first === 0x63; // connection
    case 18: // sec-websocket-key1, -key2
    case 19: // sec-websocket-draft
    case 22: // sec-websocket-protocol
      return first === 0x73;
    default:
      return false;
  }
}

/**
 * The fields record from the decoded fields region, already checked by the lexer: lines end in
 * CRLF, each has a colon, names are lowercase; values are trimmed of SP/HTAB.
 */
function fieldsFromText(text: string): Record<string, string[]> {
  const fields = fieldRecord();
  let pos = 0;
  while (pos < text.length) {
    const eol = text.indexOf('\r\n', pos);
    const colon = text.indexOf(':', pos);
    addField(fields, text.slice(pos, colon), trimOws(text.slice(colon + 1, eol)));
    pos = eol + 2;
  }
  return fields;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function trimOws(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && isOws(v.charCodeAt(a))) a++;
  while (b > a && isOws(v.charCodeAt(b - 1))) b--;
  return a === 0 && b === v.length ? v : v.slice(a, b);
}

function headTooLarge(limit: number): HandshakeError {
  return new HandshakeError(
    'HANDSHAKE_HEAD_TOO_LARGE',
    '5.2.1',
    `the request head is larger than ${limit} bytes`,
    { httpStatus: 431 },
  );
}

function invalidState(message: string): ServerHandshakeResult {
  return {
    kind: 'failed',
    error: new HandshakeError('HANDSHAKE_INVALID_STATE', '5.2.1', message),
  };
}
