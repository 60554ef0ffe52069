import type { WebSocketUrl } from './websocket-url.js';
import { WebSocketUrlError } from './websocket-url-error.js';

/** What section 3.3 judges: the URL components plus the origin and protocols of a connection. */
export interface WebSocketUrlValidationInput extends WebSocketUrl {
  /** The origin the client will send (5.1); must be in its lowercase ASCII serialization. */
  readonly origin?: string | undefined;
  /** The subprotocols the client will offer. */
  readonly protocols?: readonly string[] | undefined;
}

/** True when every code unit of `s` is in U+0021..U+007E (printable ASCII, no space). */
function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Checks every rule of draft-02 section 3.3. A client MUST NOT connect to a URL that fails it.
 * Throws the first rule broken, each with its own code; returns nothing when valid.
 *
 * @throws WebSocketUrlError
 */
export function validateWebSocketUrl(input: WebSocketUrlValidationInput): void {
  // 3.3: host ASCII-only (punycoded already) and nothing above U+007E.
  for (let i = 0; i < input.host.length; i++) {
    if (input.host.charCodeAt(i) > 0x7e) {
      throw new WebSocketUrlError(
        'URL_HOST_NOT_ASCII',
        '3.3',
        `host must be ASCII (punycode-encoded): ${JSON.stringify(input.host)}`,
      );
    }
  }
  // 3.3: origin without U+0041..U+005A (it must be the lowercase serialization).
  if (input.origin !== undefined && /[A-Z]/.test(input.origin)) {
    throw new WebSocketUrlError(
      'URL_ORIGIN_UPPERCASE',
      '3.3',
      `origin must not contain A-Z: ${JSON.stringify(input.origin)}`,
    );
  }
  // 3.3: resource name non-empty, U+0021..U+007E only, starting with U+002F.
  const resource = input.resourceName;
  if (resource.length === 0) {
    throw new WebSocketUrlError('URL_RESOURCE_EMPTY', '3.3', 'resource name is empty');
  }
  if (resource.charCodeAt(0) !== 0x2f) {
    throw new WebSocketUrlError(
      'URL_RESOURCE_NOT_ABSOLUTE',
      '3.3',
      `resource name must start with "/": ${JSON.stringify(resource)}`,
    );
  }
  if (!isPrintableAscii(resource)) {
    throw new WebSocketUrlError(
      'URL_RESOURCE_BAD_CHAR',
      '3.3',
      `resource name has a character outside U+0021..U+007E: ${JSON.stringify(resource)}`,
    );
  }
  // 3.3: every protocol non-empty, U+0021..U+007E only, and all unique.
  const protocols = input.protocols ?? [];
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (protocol.length === 0) {
      throw new WebSocketUrlError('URL_PROTOCOL_EMPTY', '3.3', 'a protocol is the empty string');
    }
    if (!isPrintableAscii(protocol)) {
      throw new WebSocketUrlError(
        'URL_PROTOCOL_BAD_CHAR',
        '3.3',
        `protocol has a character outside U+0021..U+007E: ${JSON.stringify(protocol)}`,
      );
    }
    if (seen.has(protocol)) {
      throw new WebSocketUrlError(
        'URL_PROTOCOL_DUPLICATE',
        '3.3',
        `protocol listed twice: ${JSON.stringify(protocol)}`,
      );
    }
    seen.add(protocol);
  }
}
