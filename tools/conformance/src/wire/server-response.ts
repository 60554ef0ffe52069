/**
 * The server's handshake (5.2.2 steps 10–13) assembled by hand for client mode, so cases can
 * send every malformed variant 5.1 steps 31–48 must catch.
 */
import { encodeHead, type RequestField } from './client-request.js';

export const STATUS_LINE = 'HTTP/1.1 101 WebSocket Protocol Handshake';

/** The fields of a conforming response (step 11), in the draft's order. */
export function standardResponseFields(location: string, origin: string): [string, string][] {
  return [
    ['Upgrade', 'WebSocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Location', location],
    ['Sec-WebSocket-Origin', origin],
  ];
}

/** Status line, fields, blank line (steps 10–12), then `answer` (step 13). */
export function encodeResponse(
  statusLine: string,
  fields: readonly RequestField[],
  answer: Uint8Array,
  eol = '\r\n',
): Buffer {
  return Buffer.concat([encodeHead({ requestLine: statusLine, fields, eol }), answer]);
}
