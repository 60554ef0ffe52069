import type { HandshakeError } from './handshake-error.js';
import { asciiBytes } from './text.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};

/**
 * An optional courtesy before aborting (5.2.1 says only "abort the WebSocket connection", i.e.
 * close it): a minimal HTTP response with the error's suggested status (400 when it has none),
 * `Connection: close`, no body; `Allow: GET` with 405. Write it, then close the connection.
 * The error's details are deliberately not echoed to the peer.
 */
export function createRefusalResponse(error: HandshakeError): Uint8Array {
  const status =
    error.httpStatus !== undefined && error.httpStatus in REASONS ? error.httpStatus : 400;
  return asciiBytes(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\n` +
      (status === 405 ? 'Allow: GET\r\n' : '') +
      'Connection: close\r\nContent-Length: 0\r\n\r\n',
  );
}
