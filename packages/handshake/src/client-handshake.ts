import {
  constructWebSocketUrl,
  parseWebSocketUrl,
  validateWebSocketUrl,
  type WebSocketUrl,
} from '@ws02/url';
import { createChallenge } from './challenge.js';
import { type ClientKeys, generateClientKeysFrom } from './client-keys.js';
import { HandshakeError } from './handshake-error.js';
import { md5 as defaultMd5, type Md5 } from './md5.js';
import { checkOutgoingName, checkOutgoingValue } from './outgoing-fields.js';
import { type RandomSource, randomIntegersFor } from './random.js';
import { asciiLowercase, EMPTY, encodeHead } from './text.js';

/**
 * What stays the same across attempts to one URL (5.1 step 1 and the fixed fields of steps
 * 8–16 and 18): checked and prepared once by {@link prepareClientHandshake}.
 */
export interface ClientHandshakeTemplateOptions {
  /** The WebSocket URL: a string (parsed by 3.1) or its components. */
  readonly url: string | WebSocketUrl;
  /** The ASCII serialization of the origin (lowercase, 3.3), sent in Origin (step 14). */
  readonly origin: string;
  /** The subprotocols to offer, sent space-separated (SPEC-NOTES decision); may be empty. */
  readonly protocols?: readonly string[];
  /** Further fields `[name, value]` (e.g. Authorization); never a field the handshake owns. */
  readonly extraHeaders?: readonly (readonly [string, string])[];
  /** MD5 implementation (step 46). Default: the pure TypeScript `md5`. */
  readonly md5?: Md5;
}

/** What changes per attempt (steps 17–29): cookies, keys, randomness, added fields. */
export interface ClientHandshakeAttemptOptions {
  /**
   * Cookie field values (steps 17–18), each sent as its own `Cookie:` field; already
   * serialized by the caller's cookie store for this host, port, path and scheme.
   */
  readonly cookies?: string | readonly string[];
  /**
   * Fields for this attempt only, after the template's (e.g. Proxy-Authorization when step 33
   * jumps back to step 2 with credentials); checked like the template's.
   */
  readonly extraHeaders?: readonly (readonly [string, string])[];
  /**
   * Random source (steps 19–29 and the field order of step 27). Default: Web Crypto, drawn
   * through one process-wide pool (8 KiB, refilled when used up); an injected source gets a
   * fresh pool per handshake, so a seeded source reproduces the same request.
   */
  readonly random?: RandomSource;
  /** Use these keys instead of generating them (reproducing a known exchange, tests). */
  readonly keys?: ClientKeys;
}

/** Options of {@link createClientHandshake}: the inputs of 5.1's algorithm. */
export interface ClientHandshakeOptions extends ClientHandshakeTemplateOptions {
  /** See {@link ClientHandshakeAttemptOptions.cookies}. */
  readonly cookies?: string | readonly string[];
  /** See {@link ClientHandshakeAttemptOptions.random}. */
  readonly random?: RandomSource;
  /** See {@link ClientHandshakeAttemptOptions.keys}. */
  readonly keys?: ClientKeys;
}

/** The client's handshake: what to send and what to expect back. */
export interface ClientHandshake {
  /**
   * The request line, the fields in random order, the blank line and key_3 (steps 6–30), in
   * ONE array: write it in one write (some servers refuse a key_3 that arrives separately).
   */
  readonly request: Uint8Array;
  /** Step 46: the 16 bytes the server must answer with. */
  readonly expected: Uint8Array;
  /** The generated (or given) keys. */
  readonly keys: ClientKeys;
  /** The URL components the request was built from (parsed when given as a string). */
  readonly url: WebSocketUrl;
  /** The Sec-WebSocket-Location the server must send: the URL constructed by 3.2. */
  readonly location: string;
  /** The origin sent (the server must echo it in Sec-WebSocket-Origin). */
  readonly origin: string;
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
}

// Fields the handshake writes itself; extra headers must not add a second one.
const RESERVED = new Set([
  'upgrade',
  'connection',
  'host',
  'origin',
  'sec-websocket-draft',
  'sec-websocket-protocol',
  'sec-websocket-key1',
  'sec-websocket-key2',
]);

/**
 * Builds the client's opening handshake, draft-02 5.1 steps 1 and 6–30 (steps 2–5 — connection
 * serialisation, proxy, TCP, TLS — belong to the caller): validates the URL (step 1), writes
 * `GET <resource name> HTTP/1.1`, then Upgrade, Connection, Host, Origin,
 * `Sec-WebSocket-Draft: 2`, Sec-WebSocket-Protocol, cookies and extra fields, Key1 and Key2 in
 * random order (step 27), the blank line and key_3; and computes the expected answer.
 * Equivalent to `prepareClientHandshake(options).create(options)`.
 *
 * @throws HandshakeError HANDSHAKE_INVALID_URL (step 1; `cause` is the WebSocketUrlError),
 *   HANDSHAKE_INVALID_FIELD (step 18: a cookie, origin or extra field that cannot be sent)
 */
export function createClientHandshake(options: ClientHandshakeOptions): ClientHandshake {
  return new ClientHandshakeTemplate(options).create({
    ...(options.cookies === undefined ? {} : { cookies: options.cookies }),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.keys === undefined ? {} : { keys: options.keys }),
  });
}

/**
 * Checks and prepares what every attempt to one URL shares (step 1, the fields of steps 8–16 and
 * 18), so a client that connects again and again (reconnection, step 33's retry) validates once
 * and each {@link ClientHandshakeTemplate.create} only draws keys, orders and encodes.
 *
 * @throws HandshakeError HANDSHAKE_INVALID_URL (step 1; `cause` is the WebSocketUrlError or, for
 *   a port given as a component outside 1..65535, a RangeError), HANDSHAKE_INVALID_FIELD (step 18)
 */
export function prepareClientHandshake(
  options: ClientHandshakeTemplateOptions,
): ClientHandshakeTemplate {
  return new ClientHandshakeTemplate(options);
}

/** A checked, reusable client handshake for one URL: see {@link prepareClientHandshake}. */
export class ClientHandshakeTemplate {
  /** The URL components (parsed when given as a string; host lowercased). */
  readonly url: WebSocketUrl;
  /** The Sec-WebSocket-Location the server must send: the URL constructed by 3.2. */
  readonly location: string;
  /** The origin sent (the server must echo it in Sec-WebSocket-Origin). */
  readonly origin: string;
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
  // Steps 8–16 and the template's step 18 fields, in order, before step 27 shuffles them.
  readonly #fields: readonly string[];
  readonly #md5: Md5;

  constructor(options: ClientHandshakeTemplateOptions) {
    const protocols = options.protocols ?? [];
    const origin = options.origin;
    // Step 1: the URL and its components must be valid (3.3).
    let url: WebSocketUrl;
    try {
      const given = typeof options.url === 'string' ? parseWebSocketUrl(options.url) : options.url;
      // Step 11 writes the host lowercased, and a server's Location uses a lowercase host (5.2.2
      // step 2): lowercase it once so the Host field and the expected Location agree.
      const host = asciiLowercase(given.host);
      url = host === given.host ? given : { ...given, host };
      validateWebSocketUrl({
        host: url.host,
        port: url.port,
        resourceName: url.resourceName,
        secure: url.secure,
        origin,
        protocols,
      });
      // 3.1 step 7's range, for components given directly (parsing checks it already).
      if (!Number.isInteger(url.port) || url.port < 1 || url.port > 65535) {
        throw new RangeError(`port ${url.port} is not an integer in 1..65535`);
      }
    } catch (cause) {
      throw new HandshakeError(
        'HANDSHAKE_INVALID_URL',
        '5.1',
        `the WebSocket URL, origin or protocols are invalid: ${(cause as Error).message}`,
        { step: 1, cause },
      );
    }
    // Step 7: /fields/. Steps 8–9.
    const fields = ['Upgrade: WebSocket', 'Connection: Upgrade'];
    // Steps 10–13: host, lowercase, with ":port" only when not the scheme's default.
    const location = constructWebSocketUrl(url);
    const hostport = location.slice(url.secure ? 6 : 5, location.length - url.resourceName.length);
    fields.push(`Host: ${hostport}`);
    // Step 14.
    checkOutgoingValue('origin', origin, '5.1', 18);
    fields.push(`Origin: ${origin}`);
    // Step 15.
    fields.push('Sec-WebSocket-Draft: 2');
    // Step 16: the list, space-separated (SPEC-NOTES decision on -02's singular field step).
    if (protocols.length > 0) fields.push(`Sec-WebSocket-Protocol: ${protocols.join(' ')}`);
    // Step 18: the caller's further fields.
    if (options.extraHeaders !== undefined) pushExtraFields(fields, options.extraHeaders);
    this.url = url;
    this.location = location;
    this.origin = origin;
    this.protocols = protocols;
    this.#fields = fields;
    this.#md5 = options.md5 ?? defaultMd5;
  }

  /**
   * One attempt's request (steps 17–30) and expected answer (steps 45–46).
   *
   * @throws HandshakeError HANDSHAKE_INVALID_FIELD (step 18: a cookie or extra field that cannot
   *   be sent)
   */
  create(options: ClientHandshakeAttemptOptions = {}): ClientHandshake {
    const fields = this.#fields.slice();
    // Steps 17–18: cookie fields, canonical case, no continuation lines.
    const cookies = options.cookies;
    if (cookies !== undefined) {
      for (const cookie of typeof cookies === 'string' ? [cookies] : cookies) {
        checkOutgoingValue('cookie', cookie, '5.1', 18);
        fields.push(`Cookie: ${cookie}`);
      }
    }
    if (options.extraHeaders !== undefined) pushExtraFields(fields, options.extraHeaders);
    // Steps 19–26 and 29.
    const random = randomIntegersFor(options.random);
    const keys = options.keys ?? generateClientKeysFrom(random);
    fields.push(`Sec-WebSocket-Key1: ${keys.key1}`, `Sec-WebSocket-Key2: ${keys.key2}`);
    // Step 27: the fields in a random order (Fisher–Yates) so servers cannot rely on one.
    for (let i = fields.length - 1; i > 0; i--) {
      const j = random.below(i + 1);
      const t = fields[i]!;
      fields[i] = fields[j]!;
      fields[j] = t;
    }
    // Step 6 (request line), 27 (fields + CRLF each), 28 (blank line), 30 (key_3).
    const url = this.url;
    const head = `GET ${url.resourceName} HTTP/1.1\r\n${fields.join('\r\n')}\r\n\r\n`;
    const request = encodeHead(EMPTY, head, 8);
    request.set(keys.key3.subarray(0, 8), request.length - 8);
    // Steps 45–46.
    const expected = this.#md5(createChallenge(keys.number1, keys.number2, keys.key3));
    const { location, origin, protocols } = this;
    return { request, expected, keys, url, location, origin, protocols };
  }
}

// Step 18: the caller's fields, each checked (valid name, not one the handshake writes, one line).
function pushExtraFields(fields: string[], extra: readonly (readonly [string, string])[]): void {
  for (const [name, value] of extra) {
    checkOutgoingName(name, RESERVED, '5.1', 18);
    checkOutgoingValue(name.toLowerCase(), value, '5.1', 18);
    fields.push(`${name}: ${value}`);
  }
}
