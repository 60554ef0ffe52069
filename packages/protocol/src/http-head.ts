/**
 * A bounded, resumable reader of one HTTP/1.1 message head — a request line or a status line,
 * then header fields, then the empty line — as the opening handshake of RFC 6455 (sections 4.1
 * and 4.2.1: "a valid HTTP request/response as specified by RFC 2616") and a server choosing the
 * wire protocol per request need it. Generic: it checks HTTP syntax only, nothing WebSocket.
 *
 * - Bounded: at most `maxHeadBytes` bytes (default 16 KiB) are ever buffered, and a head with
 *   more than `maxFields` field lines (default 100) is refused.
 * - Resumable at any byte: feed chunks as they come; most heads arrive in one chunk and are
 *   parsed in place, without a copy.
 * - Strict where leniency is a known risk (request smuggling, header injection): lines end in
 *   CRLF (a bare LF fails at once), no whitespace between a field name and its colon, no
 *   obsolete line folding, no control characters in values (RFC 7230 3.2.4, 3.5).
 * - Field names are lower-cased; values are trimmed of surrounding SP/HTAB; every value is kept,
 *   in arrival order. Bytes above 0x7F (obs-text) become one code unit each (ISO-8859-1, RFC 2616
 *   2.2 TEXT) — exactly what Node's HTTP parser gives in `rawHeaders`, so a head read here and
 *   one Node parsed ({@link requestHeadFromParsed}) give the same strings.
 */
import { Ws02Error } from '@ws02/errors';
import type { HeaderFields } from './connection.js';

/**
 * Every way reading a head fails. Requests carry the `httpStatus` a server answers with (400,
 * or 431 for the limits); responses none.
 * - `HTTP_HEAD_TOO_LARGE`: no end of head within `maxHeadBytes`.
 * - `HTTP_TOO_MANY_FIELDS`: more than `maxFields` field lines.
 * - `HTTP_BAD_LINE_ENDING`: an LF not preceded by CR.
 * - `HTTP_BAD_REQUEST_LINE`: not `method SP request-target SP HTTP/d.d`.
 * - `HTTP_BAD_STATUS_LINE`: not `HTTP/d.d SP 3DIGIT [SP reason]`.
 * - `HTTP_BAD_FIELD_NAME`: empty, not a token, or whitespace before the colon; no colon.
 * - `HTTP_BAD_FIELD_VALUE`: a control character (other than HTAB) or DEL in a value.
 * - `HTTP_OBSOLETE_LINE_FOLDING`: a field line starting with SP or HTAB.
 * - `HTTP_UNEXPECTED_EOF`: the input ended before the end of the head.
 * - `HTTP_INVALID_ARGUMENT`: a limit option out of range, or an argument of the wrong kind.
 * - `HTTP_INVALID_STATE`: `read` after the head was complete.
 */
export type HttpHeadErrorCode =
  | 'HTTP_HEAD_TOO_LARGE'
  | 'HTTP_TOO_MANY_FIELDS'
  | 'HTTP_BAD_LINE_ENDING'
  | 'HTTP_BAD_REQUEST_LINE'
  | 'HTTP_BAD_STATUS_LINE'
  | 'HTTP_BAD_FIELD_NAME'
  | 'HTTP_BAD_FIELD_VALUE'
  | 'HTTP_OBSOLETE_LINE_FOLDING'
  | 'HTTP_UNEXPECTED_EOF'
  | 'HTTP_INVALID_ARGUMENT'
  | 'HTTP_INVALID_STATE';

/** The typed error of {@link HttpHeadReader}; `section` is RFC 6455 4.2.1 (requests) or 4.1. */
export class HttpHeadError extends Ws02Error<HttpHeadErrorCode> {
  static override readonly kind = 'HttpHeadError';
}

export interface HttpHeadLimits {
  /** Largest head, start line to the empty line included, in bytes. Default 16384. */
  readonly maxHeadBytes?: number;
  /** Most field lines. Default 100. */
  readonly maxFields?: number;
}

export const DEFAULT_MAX_HEAD_BYTES = 16_384;
export const DEFAULT_MAX_FIELDS = 100;

export interface HttpRequestHead {
  readonly kind: 'request';
  /** As sent (case-sensitive, RFC 7230 3.1.1), e.g. `GET`. */
  readonly method: string;
  /** The request-target as sent, e.g. `/chat?room=1`. */
  readonly target: string;
  /** Major.minor, e.g. `1.1`. */
  readonly httpVersion: string;
  readonly fields: HeaderFields;
}

export interface HttpResponseHead {
  readonly kind: 'response';
  /** Major.minor, e.g. `1.1`. */
  readonly httpVersion: string;
  readonly status: number;
  /** The reason phrase, possibly empty. */
  readonly statusText: string;
  readonly fields: HeaderFields;
}

export type HttpHead = HttpRequestHead | HttpResponseHead;

/** A complete head and the bytes after it in the last chunk (a view: the body or frames). */
export interface HttpHeadResult<H extends HttpHead> {
  readonly head: H;
  readonly rest: Uint8Array;
}

/**
 * An HTTP request someone else parsed, e.g. Node's `http.IncomingMessage` in a server's
 * `upgrade` event. `rawHeaders` (name, value, name, value…) is used when present: it keeps every
 * field; `headers` (Node's joined form) otherwise.
 */
export interface ParsedHttpRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** Without the `HTTP/` prefix, as Node gives it: `"1.1"`. */
  readonly httpVersion?: string | undefined;
  readonly rawHeaders?: readonly string[] | undefined;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
}

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);

/** RFC 7230 3.2.6 tchar: `!#$%&'*+-.^_\`|~`, digits, letters. */
const TCHAR = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~") table[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1;
  return table;
})();

/** True when `s` is a non-empty RFC 7230 token (field names, methods, subprotocol names). */
export function isHttpToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * True when `s` may be sent as a field value (or a reason phrase): SP, HTAB, visible ASCII and
 * code units 0x80–0xFF (written as one byte each); no CR, LF or other control character.
 */
export function isHttpFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

function limitOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new HttpHeadError(
      'HTTP_INVALID_ARGUMENT',
      '4.2.1',
      `${name} must be a positive integer, got ${value}`,
      { spec: 'RFC 6455', detail: { option: name } },
    );
  }
  return value;
}

/**
 * Reads one head from a stream of chunks. Create one with {@link requestHeadReader} (a server
 * reading the client's request) or {@link responseHeadReader} (a client reading the answer).
 */
export class HttpHeadReader<H extends HttpHead> {
  readonly maxHeadBytes: number;
  readonly maxFields: number;
  readonly #kind: H['kind'];
  /** Head bytes kept across chunks (only when the head spans chunks). */
  #buffer: Uint8Array = EMPTY;
  #filled = 0;
  /** Where the search for the end of the head resumes in the buffer. */
  #scanFrom = 0;
  #done = false;
  #failure: HttpHeadError | undefined;

  constructor(kind: H['kind'], limits: HttpHeadLimits = {}) {
    this.#kind = kind;
    this.maxHeadBytes = limitOption('maxHeadBytes', limits.maxHeadBytes, DEFAULT_MAX_HEAD_BYTES);
    this.maxFields = limitOption('maxFields', limits.maxFields, DEFAULT_MAX_FIELDS);
  }

  /** Head bytes buffered so far (while the head spans chunks). */
  get bufferedBytes(): number {
    return this.#filled;
  }

  /**
   * Feeds the next chunk. Returns the head and the bytes after it once the empty line has
   * arrived, `undefined` while more is needed. Throws {@link HttpHeadError} on the first
   * violation (and again on every later call). The chunk is never modified; when the head spans
   * chunks at most `maxHeadBytes` bytes are copied.
   */
  read(chunk: Uint8Array): HttpHeadResult<H> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#done) {
      throw new HttpHeadError('HTTP_INVALID_STATE', this.#section(), 'the head is complete', {
        spec: 'RFC 6455',
      });
    }
    try {
      return this.#read(chunk);
    } catch (error) {
      if (error instanceof HttpHeadError) {
        this.#failure = error;
        this.#buffer = EMPTY;
      }
      throw error;
    }
  }

  /** The input ended: throws `HTTP_UNEXPECTED_EOF` unless the head was complete. */
  end(): void {
    if (this.#done) return;
    this.#failure ??= this.#error(
      'HTTP_UNEXPECTED_EOF',
      `the input ended after ${this.#filled} bytes, before the end of the head`,
      400,
      { bytes: this.#filled },
    );
    this.#buffer = EMPTY;
    throw this.#failure;
  }

  #read(chunk: Uint8Array): HttpHeadResult<H> | undefined {
    const max = this.maxHeadBytes;
    if (this.#filled === 0) {
      // The common case: the whole head in this chunk, parsed in place.
      const end = this.#findEnd(chunk.length > max ? chunk.subarray(0, max) : chunk, 0);
      if (end >= 0) return this.#complete(chunk, end, chunk.subarray(end));
      if (chunk.length >= max) throw this.#tooLarge();
      if (chunk.length > 0) this.#append(chunk);
      return undefined;
    }
    const before = this.#filled;
    // Deliberate copy, bounded by the limit: bytes beyond it are never buffered.
    this.#append(chunk.subarray(0, Math.min(chunk.length, max - before)));
    const buffer = this.#buffer;
    const end = this.#findEnd(buffer.subarray(0, this.#filled), this.#scanFrom);
    if (end >= 0) return this.#complete(buffer, end, chunk.subarray(end - before));
    if (this.#filled >= max) throw this.#tooLarge();
    return undefined;
  }

  #append(bytes: Uint8Array): void {
    const needed = this.#filled + bytes.length;
    if (this.#buffer.length < needed) {
      const grown = new Uint8Array(
        Math.min(this.maxHeadBytes, Math.max(needed, 512, this.#buffer.length * 2)),
      );
      grown.set(this.#buffer.subarray(0, this.#filled), 0);
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#filled);
    this.#scanFrom = Math.max(0, this.#filled - 3);
    this.#filled = needed;
  }

  /**
   * The index just past the empty line ending the head in `data`, searching from `from`, or -1.
   * Every LF must follow a CR: a bare LF fails here, at once (RFC 7230 3.5 lets a recipient
   * refuse it).
   */
  #findEnd(data: Uint8Array, from: number): number {
    let lf = data.indexOf(LF, from);
    while (lf !== -1) {
      if (lf === 0 || data[lf - 1] !== CR) {
        throw this.#error('HTTP_BAD_LINE_ENDING', 'a line ends in LF without CR', 400, {
          offset: lf,
        });
      }
      if (lf >= 3 && data[lf - 2] === LF) return lf + 1;
      lf = data.indexOf(LF, lf + 1);
    }
    return -1;
  }

  #complete(data: Uint8Array, end: number, rest: Uint8Array): HttpHeadResult<H> {
    // The head without its final CRLF CRLF, as one string of code units 0–255.
    const text = latin1(data, 0, end - 4);
    const firstEnd = text.indexOf('\r\n');
    const startLine = firstEnd === -1 ? text : text.slice(0, firstEnd);
    const fields = this.#fields(text, firstEnd === -1 ? text.length : firstEnd + 2);
    const head =
      this.#kind === 'request' ? requestLine(startLine, fields) : statusLine(startLine, fields);
    this.#done = true;
    this.#buffer = EMPTY;
    return { head: head as H, rest };
  }

  #fields(text: string, from: number): Record<string, string[]> {
    const fields = Object.create(null) as Record<string, string[]>;
    let count = 0;
    let pos = from;
    while (pos < text.length) {
      let eol = text.indexOf('\r\n', pos);
      if (eol === -1) eol = text.length;
      if (++count > this.maxFields) {
        throw this.#error(
          'HTTP_TOO_MANY_FIELDS',
          `more than ${this.maxFields} header fields`,
          431,
          { maxFields: this.maxFields },
        );
      }
      const error = addFieldLine(fields, text, pos, eol);
      if (error !== undefined) throw this.#error(error[0], error[1], 400, { field: count });
      pos = eol + 2;
    }
    return fields;
  }

  #tooLarge(): HttpHeadError {
    return this.#error(
      'HTTP_HEAD_TOO_LARGE',
      `the head is larger than ${this.maxHeadBytes} bytes`,
      431,
      { maxHeadBytes: this.maxHeadBytes },
    );
  }

  #section(): string {
    return this.#kind === 'request' ? '4.2.1' : '4.1';
  }

  #error(
    code: HttpHeadErrorCode,
    message: string,
    status: number,
    detail: Record<string, string | number>,
  ): HttpHeadError {
    return headError(this.#kind, code, message, status, detail);
  }
}

/** An error of a request head (with the `httpStatus` to answer) or of a response head. */
function headError(
  kind: HttpHead['kind'],
  code: HttpHeadErrorCode,
  message: string,
  status: number,
  detail: Record<string, string | number>,
): HttpHeadError {
  return new HttpHeadError(code, kind === 'request' ? '4.2.1' : '4.1', message, {
    spec: 'RFC 6455',
    detail,
    ...(kind === 'request' ? { httpStatus: status } : {}),
  });
}

/** A reader of a request head (a server reading a client's opening handshake, RFC 6455 4.2.1). */
export function requestHeadReader(limits?: HttpHeadLimits): HttpHeadReader<HttpRequestHead> {
  return new HttpHeadReader<HttpRequestHead>('request', limits);
}

/** A reader of a response head (a client reading the server's answer, RFC 6455 4.1). */
export function responseHeadReader(limits?: HttpHeadLimits): HttpHeadReader<HttpResponseHead> {
  return new HttpHeadReader<HttpResponseHead>('response', limits);
}

/**
 * The same head from a request Node (or any other HTTP parser) already parsed: the same checks
 * on the request line, field names and values, and `maxFields`, the same lower-cased names and
 * trimmed values. Throws {@link HttpHeadError}.
 */
export function requestHeadFromParsed(
  parsed: ParsedHttpRequest,
  limits: HttpHeadLimits = {},
): HttpRequestHead {
  const reader = requestHeadReader(limits);
  const names: string[] = [];
  const values: string[] = [];
  if (parsed.rawHeaders !== undefined) {
    const raw = parsed.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      names.push(raw[i]!);
      values.push(raw[i + 1]!);
    }
  } else if (parsed.headers !== undefined) {
    for (const name of Object.keys(parsed.headers)) {
      const value = parsed.headers[name];
      if (value === undefined) continue;
      for (const v of typeof value === 'string' ? [value] : value) {
        names.push(name);
        values.push(v);
      }
    }
  }
  if (names.length > reader.maxFields) {
    throw headError(
      'request',
      'HTTP_TOO_MANY_FIELDS',
      `more than ${reader.maxFields} header fields`,
      431,
      {
        maxFields: reader.maxFields,
      },
    );
  }
  const fields = Object.create(null) as Record<string, string[]>;
  for (let i = 0; i < names.length; i++) {
    const line = `${names[i]}:${values[i]}`;
    const error = addFieldLine(fields, line, 0, line.length);
    if (error !== undefined) {
      throw headError('request', error[0], error[1], 400, { field: i + 1 });
    }
  }
  const start = `${parsed.method ?? ''} ${parsed.url ?? ''} HTTP/${parsed.httpVersion ?? ''}`;
  return requestLine(start, fields);
}

type LineError = readonly [HttpHeadErrorCode, string];

/** Parses `text[pos…eol)` as `name ":" OWS value OWS` into `fields`; returns an error or nothing. */
function addFieldLine(
  fields: Record<string, string[]>,
  text: string,
  pos: number,
  eol: number,
): LineError | undefined {
  const first = text.charCodeAt(pos);
  if (first === 0x20 || first === 0x09) {
    return ['HTTP_OBSOLETE_LINE_FOLDING', 'a field line starts with whitespace (obs-fold)'];
  }
  let i = pos;
  let lower = true;
  while (i < eol) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) break;
    if (c > 0x7f || TCHAR[c] === 0) {
      return ['HTTP_BAD_FIELD_NAME', `a field name has the character ${show(text[i]!)}`];
    }
    if (c >= 0x41 && c <= 0x5a) lower = false;
    i++;
  }
  if (i === eol) return ['HTTP_BAD_FIELD_NAME', 'a field line has no colon'];
  if (i === pos) return ['HTTP_BAD_FIELD_NAME', 'a field name is empty'];
  const raw = text.slice(pos, i);
  const name = lower ? raw : raw.toLowerCase(); // A token is ASCII: toLowerCase is A–Z → a–z.
  let a = i + 1;
  let b = eol;
  while (a < b && isOws(text.charCodeAt(a))) a++;
  while (b > a && isOws(text.charCodeAt(b - 1))) b--;
  for (let j = a; j < b; j++) {
    const c = text.charCodeAt(j);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) {
      return ['HTTP_BAD_FIELD_VALUE', `the value of ${name} has a control character`];
    }
  }
  const value = text.slice(a, b);
  const list = fields[name];
  if (list === undefined) fields[name] = [value];
  else list.push(value);
  return undefined;
}

const VERSION = /^HTTP\/(\d\.\d)$/;

/** `method SP request-target SP HTTP-version` (RFC 7230 3.1.1). */
function requestLine(line: string, fields: HeaderFields): HttpRequestHead {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : line.indexOf(' ', sp1 + 1);
  const method = sp1 === -1 ? '' : line.slice(0, sp1);
  const target = sp2 === -1 ? '' : line.slice(sp1 + 1, sp2);
  const version = sp2 === -1 ? null : VERSION.exec(line.slice(sp2 + 1));
  if (!isHttpToken(method) || !isVisible(target) || version === null) {
    throw headError(
      'request',
      'HTTP_BAD_REQUEST_LINE',
      `the request line is not "method target HTTP/d.d": ${show(line)}`,
      400,
      {},
    );
  }
  return { kind: 'request', method, target, httpVersion: version[1]!, fields };
}

const STATUS = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/s;

/** `HTTP-version SP status-code SP reason-phrase` (RFC 7230 3.1.2; a missing SP is tolerated). */
function statusLine(line: string, fields: HeaderFields): HttpResponseHead {
  const m = STATUS.exec(line);
  const statusText = m?.[3] ?? '';
  if (m === null || !isHttpFieldValue(statusText)) {
    throw headError(
      'response',
      'HTTP_BAD_STATUS_LINE',
      `the status line is not "HTTP/d.d code reason": ${show(line)}`,
      400,
      {},
    );
  }
  return {
    kind: 'response',
    httpVersion: m[1]!,
    status: Number(m[2]),
    statusText,
    fields,
  };
}

/** Non-empty, visible ASCII only (a request-target: RFC 3986 characters, no SP). */
function isVisible(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Bytes as code units 0–255 (ISO-8859-1), in slices small enough for `fromCharCode`. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[],
    );
  }
  return s;
}

/** Quotes peer input for an error message without letting it run on. */
function show(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
