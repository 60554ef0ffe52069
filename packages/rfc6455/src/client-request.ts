import { isHttpFieldValue, isHttpToken } from '@ws02/protocol';
import { defaultPort, parseWebSocketUrl, type WebSocketUrl, WebSocketUrlError } from '@ws02/url';
import { checkOutgoingFields, fieldLines } from './header-values.js';
import { VERSION } from './opening-request.js';
import type { Rfc6455ClientOptions } from './options.js';
import { Rfc6455Error, show } from './rfc6455-error.js';

/** Fields the request writes itself: `headers` cannot set them (4.1 steps 4–11). */
const REQUEST_RESERVED: ReadonlySet<string> = new Set([
  'host',
  'upgrade',
  'connection',
  'origin',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

/** A host as the request line and Host carry it: visible ASCII (IPv6 literals in brackets). */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
/** A resource name (section 3): `/`, then visible ASCII without a fragment. */
const RESOURCE_NAME = /^\/[\x21-\x22\x24-\x7e]*$/;

/** The client's checked options, ready for a request per attempt. */
export interface ClientRequestParts {
  readonly url: WebSocketUrl;
  readonly origin: string | undefined;
  readonly protocols: readonly string[];
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/**
 * Checks the client's options (4.1 "Requirements"): the URL (section 3: parsed, `ws`/`wss`, no
 * fragment), distinct token subprotocols (step 10: "MUST all be unique strings"), an Origin and
 * extra fields that can be written. Throws `INVALID_ARGUMENT` (the URL error as `cause`).
 */
export function checkClientOptions(options: Rfc6455ClientOptions): ClientRequestParts {
  let url: WebSocketUrl;
  try {
    url = typeof options.url === 'string' ? parseWebSocketUrl(options.url) : options.url;
  } catch (error) {
    if (!(error instanceof WebSocketUrlError)) throw error;
    throw new Rfc6455Error('INVALID_ARGUMENT', '3', `invalid WebSocket URL: ${error.reason}`, {
      cause: error,
      detail: { option: 'url', urlError: error.code },
    });
  }
  if (
    url === null ||
    typeof url !== 'object' ||
    typeof url.host !== 'string' ||
    !VISIBLE_ASCII.test(url.host) ||
    typeof url.resourceName !== 'string' ||
    !RESOURCE_NAME.test(url.resourceName) ||
    !Number.isInteger(url.port) ||
    url.port < 1 ||
    url.port > 65535
  ) {
    throw new Rfc6455Error('INVALID_ARGUMENT', '3', 'invalid WebSocket URL components', {
      detail: { option: 'url' },
    });
  }
  const protocols = options.protocols ?? [];
  const seen = new Set<string>();
  for (const p of protocols) {
    if (typeof p !== 'string' || !isHttpToken(p) || seen.has(p)) {
      throw new Rfc6455Error(
        'INVALID_ARGUMENT',
        '4.1',
        `subprotocols must be distinct tokens: ${show(String(p))}`,
        { step: 10, detail: { option: 'protocols' } },
      );
    }
    seen.add(p);
  }
  const origin = options.origin;
  if (origin !== undefined && (typeof origin !== 'string' || !isHttpFieldValue(origin))) {
    throw new Rfc6455Error('INVALID_ARGUMENT', '4.1', 'the origin cannot be sent as a field', {
      step: 8,
      detail: { option: 'origin' },
    });
  }
  checkOutgoingFields(options.headers, REQUEST_RESERVED, '4.1');
  return { url, origin, protocols, headers: options.headers };
}

/**
 * The client's opening handshake (4.1 steps 1–12): `GET <resource name> HTTP/1.1`, Host (with
 * the port when it is not the scheme's default), Upgrade, Connection, Sec-WebSocket-Key, Origin
 * when given, Sec-WebSocket-Protocol when subprotocols are offered, Sec-WebSocket-Version: 13
 * (the order of RFC 6455 1.2's example), the extra fields, the empty line. No
 * Sec-WebSocket-Extensions: none is offered.
 */
export function clientRequestHead(parts: ClientRequestParts, key: string): string {
  const { url } = parts;
  const host = url.port === defaultPort(url.secure) ? url.host : `${url.host}:${url.port}`;
  let head =
    `GET ${url.resourceName} HTTP/1.1\r\n` +
    `Host: ${host}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${key}\r\n`;
  if (parts.origin !== undefined) head += `Origin: ${parts.origin}\r\n`;
  if (parts.protocols.length > 0) {
    head += `Sec-WebSocket-Protocol: ${parts.protocols.join(', ')}\r\n`;
  }
  head += `Sec-WebSocket-Version: ${VERSION}\r\n`;
  return `${head}${fieldLines(parts.headers)}\r\n`;
}
