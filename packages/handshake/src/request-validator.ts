import { checkKeys } from './challenge.js';
import { HandshakeError, show } from './handshake-error.js';
import type {
  HandshakeRequest,
  HandshakeRequestHead,
  ProtocolSelector,
  ServerHandshakeOptions,
} from './handshake-request.js';
import { asciiLowercase, EMPTY, equalsAsciiCaseInsensitive, isFieldNameCode } from './text.js';

/** Builds the `fields` record of a request, the first time someone reads it. */
export type FieldsBuilder = () => Record<string, string[]>;

/**
 * The request as the parsers build it. `fields` is built lazily: most servers read a few known
 * fields (already properties) and never the record, so the per-field work is skipped until
 * asked for. `key3` is filled in when its bytes arrive.
 */
export class PendingRequest implements HandshakeRequest {
  protocol: string | undefined = undefined;
  key3: Uint8Array = EMPTY;
  #fields: Record<string, string[]> | undefined;
  #build: FieldsBuilder | undefined;
  // 5.2.2 step 7, computed while validating: createServerResponse need not read the keys again.
  readonly #parts: readonly [number, number];

  constructor(
    readonly method: string,
    readonly resourceName: string,
    readonly httpVersion: string,
    readonly host: string,
    readonly hostname: string,
    readonly port: number | undefined,
    readonly origin: string,
    readonly draft: string,
    readonly protocols: readonly string[],
    readonly key1: string,
    readonly key2: string,
    readonly secure: boolean,
    build: FieldsBuilder,
    parts: readonly [number, number],
  ) {
    this.#build = build;
    this.#parts = parts;
  }

  /** part_1 and part_2 (5.2.2 step 7) of a request the parser built, else `undefined`. */
  static partsOf(request: HandshakeRequest): readonly [number, number] | undefined {
    return #parts in request ? (request as PendingRequest).#parts : undefined;
  }

  get fields(): Readonly<Record<string, readonly string[]>> {
    if (this.#fields === undefined) {
      this.#fields = this.#build!();
      this.#build = undefined;
    }
    return this.#fields;
  }
}

/** A null-prototype record (field names are peer input and must not reach Object.prototype). */
export function fieldRecord(): Record<string, string[]> {
  return Object.create(null) as Record<string, string[]>;
}

/** Appends a value to a field record. */
export function addField(fields: Record<string, string[]>, name: string, value: string): void {
  const list = fields[name];
  if (list === undefined) fields[name] = [value];
  else list.push(value);
}

export const DEFAULT_MAX_HEAD_BYTES = 16_384;
export const DEFAULT_MAX_FIELDS = 100;

/** The one Sec-WebSocket-Draft value this implementation speaks. */
const DRAFT = '2';

function abort(
  code: ConstructorParameters<typeof HandshakeError>[0],
  message: string,
  step: number | undefined,
  httpStatus = 400,
  field?: string,
  section = '5.2.1',
): HandshakeError {
  return new HandshakeError(code, section, message, {
    ...(step === undefined ? {} : { step }),
    httpStatus,
    ...(field === undefined ? {} : { field }),
  });
}

/**
 * The checks of 5.2.1 (and the key checks of 5.2.2 steps 4–6, done early so that a `request`
 * outcome can always be answered), shared by the raw-bytes path and the parsed-request (Node
 * `upgrade`) path of {@link ServerHandshakeParser}: both feed the request line and then each
 * field here, so their verdicts cannot drift apart.
 *
 * 5.2.1 lists the handshake as parts 1–6; errors use the part number as `step`.
 */
export class RequestValidator {
  readonly maxFields: number;
  readonly #secure: boolean;
  readonly #protocols: readonly string[] | ProtocolSelector | undefined;
  readonly #acceptHost: ServerHandshakeOptions['acceptHost'];
  readonly #acceptOrigin: ServerHandshakeOptions['acceptOrigin'];

  #method = '';
  #resourceName = '';
  #httpVersion = '';
  #upgrade: string | undefined;
  #connection: string | undefined;
  #host: string | undefined;
  #origin: string | undefined;
  #draft: string | undefined;
  #key1: string | undefined;
  #key2: string | undefined;
  #protocol: string | undefined;

  constructor(options: ServerHandshakeOptions) {
    this.maxFields = options.maxFields ?? DEFAULT_MAX_FIELDS;
    this.#secure = options.secure ?? false;
    this.#protocols = options.protocols;
    this.#acceptHost = options.acceptHost;
    this.#acceptOrigin = options.acceptOrigin;
  }

  /** 5.2.1 parts 1–4: `GET`, the resource name, the HTTP version. */
  requestLine(
    method: string,
    resourceName: string,
    httpVersion: string,
  ): HandshakeError | undefined {
    // Part 1: the three characters "GET".
    if (method !== 'GET') {
      return abort('HANDSHAKE_BAD_METHOD', `method must be GET, not ${show(method)}`, 1, 405);
    }
    // Part 3: "will begin with U+002F SOLIDUS (/) and will only include characters in the range
    // U+0021 to U+007E" (the same rule as 3.3 for the client's URL).
    if (!isResourceName(resourceName)) {
      return abort(
        'HANDSHAKE_BAD_RESOURCE_NAME',
        `resource name must start with "/" and use only U+0021–U+007E: ${show(resourceName)}`,
        3,
      );
    }
    // Part 4: the draft lets a server ignore the version ("probably HTTP/1.1"); the Upgrade
    // mechanism the handshake rides on exists from HTTP/1.1, so HTTP/1.x with x ≥ 1 is required.
    if (!isHttp11OrLater(httpVersion)) {
      return abort(
        'HANDSHAKE_BAD_HTTP_VERSION',
        `HTTP version must be HTTP/1.1 (or a later HTTP/1.x), not ${show(httpVersion)}`,
        4,
        505,
      );
    }
    this.#method = method;
    this.#resourceName = resourceName;
    this.#httpVersion = httpVersion;
    return undefined;
  }

  /** `maxFields`: checked first, from the count alone (both paths know it before lexing). */
  fieldCount(count: number): HandshakeError | undefined {
    if (count <= this.maxFields) return undefined;
    return abort('HANDSHAKE_TOO_MANY_FIELDS', `more than ${this.maxFields} fields`, undefined, 431);
  }

  /**
   * 5.2.1 part 5: takes one field whose syntax the caller already checked (bytes: the raw
   * path's lexer; strings: {@link lexField}). `lower` is the ASCII-lowercased name; `value` is
   * trimmed of surrounding SP/HTAB. Only the fields the handshake depends on matter here (the
   * caller may skip any other); fails on a second copy of one of them.
   */
  field(lower: string, value: string): HandshakeError | undefined {
    // The fields the handshake depends on must not be ambiguous: one each.
    switch (lower) {
      case 'upgrade':
        if (this.#upgrade !== undefined) return duplicate(lower);
        this.#upgrade = value;
        break;
      case 'connection':
        if (this.#connection !== undefined) return duplicate(lower);
        this.#connection = value;
        break;
      case 'host':
        if (this.#host !== undefined) return duplicate(lower);
        this.#host = value;
        break;
      case 'origin':
        if (this.#origin !== undefined) return duplicate(lower);
        this.#origin = value;
        break;
      case 'sec-websocket-draft':
        if (this.#draft !== undefined) return duplicate(lower);
        this.#draft = value;
        break;
      case 'sec-websocket-key1':
        if (this.#key1 !== undefined) return duplicate(lower);
        this.#key1 = value;
        break;
      case 'sec-websocket-key2':
        if (this.#key2 !== undefined) return duplicate(lower);
        this.#key2 = value;
        break;
      case 'sec-websocket-protocol':
        if (this.#protocol !== undefined) return duplicate(lower);
        this.#protocol = value;
        break;
    }
    return undefined;
  }

  /**
   * The end of the fields: every field-level abort of 5.2.1, the key checks of 5.2.2 steps 4–6,
   * then the server's policies (host, origin, subprotocol). Returns the request (key_3 still
   * empty; `fields` from `buildFields` on first use) or the abort.
   */
  finish(buildFields: FieldsBuilder): HandshakeError | PendingRequest {
    // |Upgrade|: present, an ASCII case-insensitive match for "WebSocket".
    const upgrade = this.#upgrade;
    if (upgrade === undefined) {
      // 426 Upgrade Required: a plain HTTP request reached a WebSocket endpoint (the shell also
      // names the protocol in its refusal: Upgrade: WebSocket, Sec-WebSocket-Draft: 2).
      return abort('HANDSHAKE_MISSING_UPGRADE', 'no Upgrade field', 5, 426, 'upgrade');
    }
    if (!equalsAsciiCaseInsensitive(upgrade, 'websocket')) {
      return abort(
        'HANDSHAKE_BAD_UPGRADE',
        `Upgrade must be "WebSocket", not ${show(upgrade)}`,
        5,
        400,
        'upgrade',
      );
    }
    // |Connection|: present, an ASCII case-insensitive match for "Upgrade".
    const connection = this.#connection;
    if (connection === undefined) {
      return abort('HANDSHAKE_MISSING_CONNECTION', 'no Connection field', 5, 400, 'connection');
    }
    if (!equalsAsciiCaseInsensitive(connection, 'upgrade')) {
      return abort(
        'HANDSHAKE_BAD_CONNECTION',
        `Connection must be "Upgrade", not ${show(connection)}`,
        5,
        400,
        'connection',
      );
    }
    // |Host|: present and a host[:port] (5.2.2 step 2 derives /host/ from it).
    const host = this.#host;
    if (host === undefined) {
      return abort('HANDSHAKE_MISSING_HOST', 'no Host field', 5, 400, 'host');
    }
    const hostPort = parseHost(host);
    if (hostPort === undefined) {
      return abort('HANDSHAKE_BAD_HOST', `Host is not host[:port]: ${show(host)}`, 5, 400, 'host');
    }
    // |Sec-WebSocket-Draft|: "If this value is not equal to a version of the draft protocol
    // that the server understands, the server MUST abort". Missing = not a draft-02 client
    // (hixie-76/hybi-00 clients omit it and frame differently): refused (SPEC-NOTES decision).
    const draft = this.#draft;
    if (draft === undefined) {
      return abort(
        'HANDSHAKE_MISSING_DRAFT',
        'no Sec-WebSocket-Draft field: not a draft-02 client',
        5,
        400,
        'sec-websocket-draft',
      );
    }
    if (draft !== DRAFT) {
      return abort(
        'HANDSHAKE_UNSUPPORTED_DRAFT',
        `Sec-WebSocket-Draft ${show(draft)} is not supported (only "2")`,
        5,
        400,
        'sec-websocket-draft',
      );
    }
    // |Origin|: a draft-02 client always sends it (5.1 step 14) and the reply must echo it
    // (5.2.2 step 11), so its absence is refused.
    const origin = this.#origin;
    if (origin === undefined) {
      return abort('HANDSHAKE_MISSING_ORIGIN', 'no Origin field', 5, 400, 'origin');
    }
    // |Sec-WebSocket-Key1|, |Sec-WebSocket-Key2|: needed for the server's handshake.
    const key1 = this.#key1;
    const key2 = this.#key2;
    if (key1 === undefined || key2 === undefined) {
      const missing = key1 === undefined ? 'sec-websocket-key1' : 'sec-websocket-key2';
      return abort('HANDSHAKE_MISSING_KEY', `no ${missing} field`, 5, 400, missing);
    }
    // 5.2.2 steps 4–6 now rather than later: a `request` outcome must always be answerable.
    const parts = checkKeys(key1, key2);
    if (parts instanceof HandshakeError) return parts;
    // |Sec-WebSocket-Protocol|: a space-separated list (SPEC-NOTES decision); each entry must
    // be valid as 3.3 requires of a client's protocols.
    const offered = this.#protocol === undefined ? [] : parseProtocolList(this.#protocol);
    if (offered === undefined) {
      return abort(
        'HANDSHAKE_BAD_PROTOCOL_LIST',
        `Sec-WebSocket-Protocol is not a list of unique U+0021–U+007E names separated by single spaces: ${show(this.#protocol!)}`,
        5,
        400,
        'sec-websocket-protocol',
      );
    }
    if (this.#acceptHost !== undefined && !this.#acceptHost(host, hostPort[0], hostPort[1])) {
      return abort(
        'HANDSHAKE_HOST_REJECTED',
        `Host ${show(host)} is not served here`,
        5,
        400,
        'host',
      );
    }
    if (this.#acceptOrigin !== undefined && !this.#acceptOrigin(origin)) {
      return abort(
        'HANDSHAKE_ORIGIN_REJECTED',
        `Origin ${show(origin)} is not allowed`,
        undefined,
        403,
        'origin',
        '8',
      );
    }
    const request = new PendingRequest(
      this.#method,
      this.#resourceName,
      this.#httpVersion,
      host,
      hostPort[0],
      hostPort[1],
      origin,
      draft,
      offered,
      key1,
      key2,
      this.#secure,
      buildFields,
      parts,
    );
    if (offered.length > 0) {
      const selected = selectProtocol(this.#protocols, offered, request);
      if (selected === undefined) {
        return abort(
          'HANDSHAKE_UNSUPPORTED_PROTOCOL',
          `none of the offered subprotocols is supported: ${show(offered.join(' '))}`,
          5,
          400,
          'sec-websocket-protocol',
        );
      }
      request.protocol = selected;
    }
    return request;
  }
}

/** {@link lexField}: the name has A–Z (lowercase it before use). */
export const NAME_HAS_UPPERCASE = 1;
/** {@link lexField}: the value has code units above U+007F (latin1 from Node: re-read as UTF-8). */
export const VALUE_NOT_ASCII = 2;

/**
 * 5.2.1 part 5 on one name/value pair given as strings (the parsed-request path): the same rules
 * the raw path's lexer applies to bytes. Control characters are ASCII, so checking them before
 * or after re-reading latin1 as UTF-8 gives the same answer. One pass over each string; returns
 * the error, or flags ({@link NAME_HAS_UPPERCASE}, {@link VALUE_NOT_ASCII}).
 */
export function lexField(name: string, value: string): HandshakeError | number {
  if (name.length === 0) return emptyFieldName();
  let flags = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isFieldNameCode(c)) return badFieldName(name, i);
    if (c >= 0x41 && c <= 0x5a) flags = NAME_HAS_UPPERCASE;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (c !== 0x09) return badFieldValue(asciiLowercase(name), value);
    } else if (c > 0x7f) {
      flags |= VALUE_NOT_ASCII;
    }
  }
  return flags;
}

export function emptyFieldName(): HandshakeError {
  return abort('HANDSHAKE_EMPTY_FIELD_NAME', 'a field has an empty name', 5);
}

/** `at`: index of the offending character; -1 when the line has no colon at all. */
export function badFieldName(name: string, at: number): HandshakeError {
  const c = at < 0 ? -1 : name.charCodeAt(at);
  return abort(
    'HANDSHAKE_BAD_FIELD_NAME',
    at < 0
      ? `a field line has no colon: ${show(name)}`
      : at === 0 && (c === 0x20 || c === 0x09)
        ? 'continuation lines (a field starting with a space) are not allowed'
        : `field name has a character outside U+0021–U+0039, U+003B–U+007E: ${show(name)}`,
    5,
  );
}

export function badFieldValue(lower: string, value: string): HandshakeError {
  return abort(
    'HANDSHAKE_BAD_FIELD_VALUE',
    `value of ${lower} has a control character: ${show(value)}`,
    5,
    400,
    lower,
  );
}

function duplicate(field: string): HandshakeError {
  return abort('HANDSHAKE_DUPLICATE_FIELD', `more than one ${field} field`, 5, 400, field);
}

function selectProtocol(
  supported: readonly string[] | ProtocolSelector | undefined,
  offered: readonly string[],
  head: HandshakeRequestHead,
): string | undefined {
  if (supported === undefined) return undefined;
  if (typeof supported === 'function') {
    const selected = supported(offered, head);
    if (selected !== undefined && !offered.includes(selected)) {
      // A selector bug, not peer input: the client would fail the connection (5.1 step 44).
      throw new TypeError(
        `protocols selector returned ${JSON.stringify(selected)}, which the client did not offer`,
      );
    }
    return selected;
  }
  for (const protocol of offered) if (supported.includes(protocol)) return protocol;
  return undefined;
}

function isResourceName(s: string): boolean {
  if (s.charCodeAt(0) !== 0x2f) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** `HTTP/1.x` with x a decimal number ≥ 1. */
function isHttp11OrLater(v: string): boolean {
  if (v.length < 8 || !v.startsWith('HTTP/1.')) return false;
  let nonZero = false;
  for (let i = 7; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    if (c !== 0x30) nonZero = true;
  }
  return nonZero;
}

/** Space-separated, each non-empty, U+0021–U+007E, unique; `undefined` when malformed. */
function parseProtocolList(value: string): string[] | undefined {
  if (value.length === 0) return undefined;
  const list = value.split(' ');
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (p.length === 0) return undefined;
    for (let j = 0; j < p.length; j++) {
      const c = p.charCodeAt(j);
      if (c < 0x21 || c > 0x7e) return undefined;
    }
    for (let j = 0; j < i; j++) if (list[j] === p) return undefined;
  }
  return list;
}

/** Characters a host may not contain outside an IPv6 literal's brackets (beyond CTLs/space). */
function isHostCode(c: number): boolean {
  return (
    c >= 0x21 &&
    c <= 0x7e &&
    c !== 0x2f && // /
    c !== 0x3f && // ?
    c !== 0x23 && // #
    c !== 0x40 && // @
    c !== 0x5c && // \
    c !== 0x5b && // [
    c !== 0x5d && // ]
    c !== 0x3a // :
  );
}

/**
 * Host = host [":" port]: [lower-case host, port or undefined], or `undefined` when malformed.
 * IPv6 literals keep their brackets, as in @ws02/url's WebSocketUrl.host.
 */
export function parseHost(value: string): readonly [string, number | undefined] | undefined {
  let hostEnd: number;
  if (value.charCodeAt(0) === 0x5b) {
    // [IPv6]: hex digits, ":" and "." inside the brackets.
    hostEnd = value.indexOf(']');
    if (hostEnd < 2) return undefined;
    for (let i = 1; i < hostEnd; i++) {
      const c = value.charCodeAt(i);
      const ok =
        (c >= 0x30 && c <= 0x3a) ||
        (c >= 0x41 && c <= 0x46) ||
        (c >= 0x61 && c <= 0x66) ||
        c === 0x2e;
      if (!ok) return undefined;
    }
    hostEnd++;
  } else {
    hostEnd = 0;
    while (hostEnd < value.length && isHostCode(value.charCodeAt(hostEnd))) hostEnd++;
    if (hostEnd === 0) return undefined;
  }
  const hostname = asciiLowercase(value.slice(0, hostEnd));
  if (hostEnd === value.length) return [hostname, undefined];
  if (value.charCodeAt(hostEnd) !== 0x3a) return undefined;
  // Port: 1–5 digits, 1..65535.
  const digits = value.length - hostEnd - 1;
  if (digits < 1 || digits > 5) return undefined;
  let port = 0;
  for (let i = hostEnd + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    port = port * 10 + (c - 0x30);
  }
  if (port < 1 || port > 65535) return undefined;
  return [hostname, port];
}
