import { Ws02Error } from './ws02-error.js';

/**
 * Every reason a WebSocket URL is refused, one stable code each (documented in the README).
 * 3.1 = parsing, 3.3 = validity.
 */
export type WebSocketUrlErrorCode =
  // 3.1 step 1: not an absolute URL (unparseable, relative, or no //authority)
  | 'URL_NOT_ABSOLUTE'
  // 3.1 step 3: scheme other than ws/wss
  | 'URL_BAD_SCHEME'
  // 3.1 step 4: any fragment, even an empty one
  | 'URL_HAS_FRAGMENT'
  // 3.1 step 6: no host after //
  | 'URL_MISSING_HOST'
  // 3.1 step 7: port not a decimal integer in 1..65535
  | 'URL_BAD_PORT'
  // 3.3: host not ASCII-only / characters above U+007E
  | 'URL_HOST_NOT_ASCII'
  // 3.3: origin contains U+0041..U+005A
  | 'URL_ORIGIN_UPPERCASE'
  // 3.3: resource name empty
  | 'URL_RESOURCE_EMPTY'
  // 3.3: resource name does not start with U+002F
  | 'URL_RESOURCE_NOT_ABSOLUTE'
  // 3.3: resource name has a character outside U+0021..U+007E
  | 'URL_RESOURCE_BAD_CHAR'
  // 3.3: a protocol is the empty string
  | 'URL_PROTOCOL_EMPTY'
  // 3.3: a protocol has a character outside U+0021..U+007E
  | 'URL_PROTOCOL_BAD_CHAR'
  // 3.3: the same protocol listed twice
  | 'URL_PROTOCOL_DUPLICATE'
  // an origin string that is not an absolute URL (origin serialization helper)
  | 'URL_BAD_ORIGIN';

/** A WebSocket URL failed parsing (section 3.1) or validation (section 3.3). */
export class WebSocketUrlError extends Ws02Error<WebSocketUrlErrorCode> {
  static override readonly kind = 'WebSocketUrlError';
}
