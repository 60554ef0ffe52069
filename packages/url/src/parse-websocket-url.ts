import type { WebSocketUrl } from './websocket-url.js';
import { defaultPort } from './websocket-url.js';
import { WebSocketUrlError } from './websocket-url-error.js';

// scheme ":" "//" — the authority form. WHATWG URL would also accept `ws:host` and `ws:///host`
// for special schemes; those are not absolute WebSocket URLs in the sense of 3.1 step 1.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Parses a WebSocket URL (draft-02 section 3.1, steps 1–12).
 *
 * Resolution (step 2) and IDNA (internationalised host → punycode) are done by the platform's
 * WHATWG URL parser, never by hand. User information in the URL is ignored, as in the draft
 * (it has no place in the returned components).
 *
 * @throws WebSocketUrlError
 */
export function parseWebSocketUrl(input: string): WebSocketUrl {
  const text = trimC0AndSpace(String(input));
  // Step 1: the URL must be absolute.
  const scheme = SCHEME.exec(text);
  if (scheme === null) {
    throw new WebSocketUrlError('URL_NOT_ABSOLUTE', '3.1', `not an absolute URL: ${show(text)}`, {
      step: 1,
    });
  }
  // Step 3: scheme, ASCII case-insensitively, is ws or wss.
  const schemeName = scheme[1]!.toLowerCase();
  if (schemeName !== 'ws' && schemeName !== 'wss') {
    throw new WebSocketUrlError(
      'URL_BAD_SCHEME',
      '3.1',
      `scheme must be ws or wss, not ${show(scheme[1]!)}`,
      { step: 3 },
    );
  }
  const rest = text.slice(scheme[0].length);
  if (!rest.startsWith('//')) {
    throw new WebSocketUrlError(
      'URL_NOT_ABSOLUTE',
      '3.1',
      `expected ${schemeName}:// followed by a host: ${show(text)}`,
      { step: 1 },
    );
  }
  const afterSlashes = rest.charAt(2);
  if (afterSlashes === '' || '/\\?#'.includes(afterSlashes)) {
    throw new WebSocketUrlError('URL_MISSING_HOST', '3.1', `no host in ${show(text)}`, {
      step: 6,
    });
  }
  // Step 2: resolve with the platform's URL parser (UTF-8, IDNA, IPv4/IPv6 canonical forms).
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new WebSocketUrlError('URL_NOT_ABSOLUTE', '3.1', `unparseable URL: ${show(text)}`, {
      step: 1,
      cause,
    });
  }
  // Step 4: any fragment fails, even an empty one (`ws://h/#`): the serialization keeps the `#`.
  if (url.href.includes('#')) {
    throw new WebSocketUrlError('URL_HAS_FRAGMENT', '3.1', `URL has a fragment: ${show(text)}`, {
      step: 4,
    });
  }
  // Step 5.
  const secure = schemeName === 'wss';
  // Step 6: host, ASCII lowercase (WHATWG URL lowercases and punycodes; IPv6 stays bracketed).
  const host = url.hostname.toLowerCase();
  if (host === '') {
    throw new WebSocketUrlError('URL_MISSING_HOST', '3.1', `no host in ${show(text)}`, {
      step: 6,
    });
  }
  // Steps 7–8: explicit port or the default. WHATWG URL already refuses non-digits and values
  // over 65535 and empties `port` when it equals the default; port 0 can never be connected to.
  const port = url.port === '' ? defaultPort(secure) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new WebSocketUrlError('URL_BAD_PORT', '3.1', `bad port ${show(url.port)}`, { step: 7 });
  }
  // Steps 9–10: path, `/` when empty (WHATWG gives `/` for special schemes already).
  let resourceName = url.pathname === '' ? '/' : url.pathname;
  // Step 11: `?` plus the query whenever there is a query component, even an empty one
  // (`ws://h/?` has an empty query; `url.search` would hide it, the serialization does not).
  const q = url.href.indexOf('?');
  if (q !== -1) resourceName += url.href.slice(q);
  // Step 12.
  return { host, port, resourceName, secure };
}

/**
 * Strips leading and trailing C0 controls and spaces (U+0000..U+0020), as the WHATWG URL parser
 * (and so every browser's WebSocket constructor) does before parsing.
 */
function trimC0AndSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/** Quotes user input for an error message without letting it run on. */
function show(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
