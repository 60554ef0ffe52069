// The draft's classic request (section 1), as draft-02 sends it (with Sec-WebSocket-Draft: 2),
// and the server's answer. Key strings exact per SPEC-NOTES.
import { bytes, concat, hex } from './helpers.js';

export const CLASSIC_FIELDS: readonly (readonly [string, string])[] = [
  ['Host', 'example.com'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key2', '12998 5 Y3 1  .P00'],
  ['Sec-WebSocket-Protocol', 'sample'],
  ['Upgrade', 'WebSocket'],
  ['Sec-WebSocket-Draft', '2'],
  ['Sec-WebSocket-Key1', '4 @1  46546xW%0l 1 5'],
  ['Origin', 'http://example.com'],
];

/** key_3 of the classic request: "^n:ds[4U". */
export const CLASSIC_KEY3 = hex('5E 6E 3A 64 73 5B 34 55');

export function requestBytes(
  fields: readonly (readonly [string, string])[] = CLASSIC_FIELDS,
  requestLine = 'GET /demo HTTP/1.1',
  key3: Uint8Array = CLASSIC_KEY3,
): Uint8Array {
  const head = `${requestLine}\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return concat(bytes(head), key3);
}

export const CLASSIC_REQUEST = requestBytes();

export const CLASSIC_RESPONSE = bytes(
  'HTTP/1.1 101 WebSocket Protocol Handshake\r\n' +
    'Upgrade: WebSocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Location: ws://example.com/demo\r\n' +
    'Sec-WebSocket-Origin: http://example.com\r\n' +
    'Sec-WebSocket-Protocol: sample\r\n' +
    '\r\n' +
    "8jKS'y:G*Co,Wxa-",
);

/** A text frame "Hello" (4.6), pipelined behind key_3 by an eager client. */
export const FRAME = hex('04 05 48 65 6C 6C 6F');
