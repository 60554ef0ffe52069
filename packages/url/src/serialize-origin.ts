import { WebSocketUrlError } from './websocket-url-error.js';

/**
 * The lowercase ASCII serialization of an origin (scheme://host[:port]), as a client sends it
 * in the Origin field (5.1 step 14) and as 3.3 requires it (no A–Z). Internationalised hosts are
 * punycoded by the platform's WHATWG URL. Accepts a full URL (`https://Example.com/path`) or a
 * bare origin; opaque origins serialize as `null`.
 *
 * @throws WebSocketUrlError when the input is not an absolute URL.
 */
export function serializeOrigin(input: string): string {
  if (input === 'null') return 'null';
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new WebSocketUrlError(
      'URL_BAD_ORIGIN',
      '3.3',
      `origin is not an absolute URL: ${JSON.stringify(input)}`,
      { cause },
    );
  }
  return url.origin.toLowerCase();
}
