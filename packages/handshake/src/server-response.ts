import { constructWebSocketUrl, defaultPort } from '@ws02/url';
import { computeHandshakeResponse, createChallenge } from './challenge.js';
import type { HandshakeRequest } from './handshake-request.js';
import { type Md5, md5 } from './md5.js';
import { checkOutgoingName, checkOutgoingValue } from './outgoing-fields.js';
import { PendingRequest } from './request-validator.js';
import { asciiBytes, encodeHead } from './text.js';

/** Options of {@link createServerResponse}. */
export interface ServerResponseOptions {
  /** The request a {@link ServerHandshakeParser} returned. */
  readonly request: HandshakeRequest;
  /** `wss` in Sec-WebSocket-Location. Default: `request.secure`. */
  readonly secure?: boolean;
  /**
   * The subprotocol to confirm (5.2.2 step 11). Default: `request.protocol` (the parser's
   * selection). Sec-WebSocket-Protocol is sent only when this is a string.
   */
  readonly protocol?: string | undefined;
  /** Set-Cookie field values, one field each (5.2.2 step 11, optional). */
  readonly setCookies?: readonly string[];
  /** Further fields to send, `[name, value]`, e.g. Set-Cookie2 (written as given). */
  readonly headers?: readonly (readonly [string, string])[];
  /** /host/ of 5.2.2 step 2 (lowercased here). Default: `request.hostname`, from Host. */
  readonly host?: string;
  /** /port/ of 5.2.2 step 2. Default: the port in Host, else the scheme's default. */
  readonly port?: number;
  /** MD5 implementation. Default: the pure TypeScript `md5`. */
  readonly md5?: Md5;
}

// Steps 10–11: the status line and the invariant fields, encoded once.
const PREFIX = asciiBytes(
  'HTTP/1.1 101 WebSocket Protocol Handshake\r\n' +
    'Upgrade: WebSocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Location: ',
);

// The response fields a caller's extra headers must not repeat (5.1 step 44: exactly one each).
const RESERVED = new Set([
  'upgrade',
  'connection',
  'sec-websocket-location',
  'sec-websocket-origin',
  'sec-websocket-protocol',
]);

/**
 * The server's handshake, 5.2.2 steps 3–13: the status line, Upgrade, Connection,
 * Sec-WebSocket-Location, Sec-WebSocket-Origin, Sec-WebSocket-Protocol (only when a subprotocol
 * was selected), optional cookie fields, the blank line and the 16-byte MD5 response, as one
 * array to write in one go.
 *
 * @throws HandshakeError HANDSHAKE_INVALID_FIELD for a header, cookie or origin that cannot be
 *   written (control characters, bad name, a reserved field); the key codes of
 *   {@link computeHandshakeResponse} for a request not produced by the parser.
 */
export function createServerResponse(options: ServerResponseOptions): Uint8Array {
  const request = options.request;
  const secure = options.secure ?? request.secure;
  // Steps 4–9. The parser checked the keys and kept the parts (step 7); a request built by hand
  // has them read and checked here (and may throw).
  const parts = PendingRequest.partsOf(request);
  const response =
    parts === undefined || request.key3.length !== 8
      ? computeHandshakeResponse(request.key1, request.key2, request.key3, options.md5)
      : (options.md5 ?? md5)(createChallenge(parts[0], parts[1], request.key3));
  // Step 3: /location/ from /host/ (lowercase, 5.2.2 step 2), /port/, /resource name/, /secure/.
  // The parser's hostname is lowercase and checked already; a host given here is not.
  const host = options.host === undefined ? request.hostname : options.host.toLowerCase();
  const port = options.port ?? request.port ?? defaultPort(secure);
  const location = constructWebSocketUrl({
    host,
    port,
    resourceName: request.resourceName,
    secure,
  });
  if (parts === undefined || options.host !== undefined) {
    checkOutgoingValue('sec-websocket-location', location, '5.2.2', 11);
  }
  checkOutgoingValue('sec-websocket-origin', request.origin, '5.2.2', 11);
  // Step 10: the status line; step 11: the fields (the constant ones are in PREFIX).
  let head = `${location}\r\nSec-WebSocket-Origin: ${request.origin}\r\n`;
  const protocol = 'protocol' in options ? options.protocol : request.protocol;
  if (protocol !== undefined) {
    checkOutgoingValue('sec-websocket-protocol', protocol, '5.2.2', 11);
    head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  }
  if (options.setCookies !== undefined) {
    for (const cookie of options.setCookies) {
      checkOutgoingValue('set-cookie', cookie, '5.2.2', 11);
      head += `Set-Cookie: ${cookie}\r\n`;
    }
  }
  if (options.headers !== undefined) {
    for (const [name, value] of options.headers) {
      checkOutgoingName(name, RESERVED, '5.2.2', 11);
      checkOutgoingValue(name.toLowerCase(), value, '5.2.2', 11);
      head += `${name}: ${value}\r\n`;
    }
  }
  // Step 12: the blank line; step 13: the response.
  head += '\r\n';
  const bytes = encodeHead(PREFIX, head, 16);
  bytes.set(response, bytes.length - 16);
  return bytes;
}
