import type { HttpResponseHead, OpeningResponse } from '@ws02/protocol';
import { listElements, listHasToken } from './header-values.js';
import { Rfc6455Error, type Rfc6455ErrorCode, show } from './rfc6455-error.js';

function failure(
  code: Rfc6455ErrorCode,
  step: number,
  message: string,
  detail: Record<string, string | number> = {},
): Rfc6455Error {
  return new Rfc6455Error(code, '4.1', message, { step, detail });
}

/**
 * The client's checks of the server's answer (4.1, the numbered list after "the client MUST
 * validate the server's response"), in order. Returns the response the connection exposes;
 * throws an `Rfc6455Error` (no `httpStatus`: a client answers nothing; the driver closes).
 */
export function checkOpeningResponse(
  head: HttpResponseHead,
  expectedAccept: string,
  offered: readonly string[],
): OpeningResponse {
  const fields = head.fields;
  // 1. Anything but 101 is handled as HTTP: reported with the status (the project's decision;
  //    following a redirect is the caller's choice, so its Location is in the detail).
  if (head.status !== 101) {
    const location = fields.location?.[0];
    throw failure(
      'HANDSHAKE_UNEXPECTED_STATUS',
      1,
      `the server answered ${head.status} ${show(head.statusText)}, not 101`,
      {
        status: head.status,
        statusText: head.statusText,
        ...(location === undefined ? {} : { location }),
      },
    );
  }
  // 2. Upgrade: exactly "websocket" (ASCII case-insensitive).
  const upgrade = fields.upgrade;
  if (upgrade === undefined || upgrade.length !== 1 || upgrade[0]!.toLowerCase() !== 'websocket') {
    throw failure('HANDSHAKE_BAD_UPGRADE', 2, 'the answer\'s Upgrade is not "websocket"');
  }
  // 3. Connection: the token "Upgrade" (a token list, ASCII case-insensitive).
  if (!listHasToken(fields.connection, 'upgrade')) {
    throw failure('HANDSHAKE_BAD_CONNECTION', 3, 'the answer\'s Connection lacks "Upgrade"');
  }
  // 4. Sec-WebSocket-Accept: once (11.3.3), equal to base64(SHA-1(key + GUID)).
  const accept = fields['sec-websocket-accept'];
  if (accept === undefined || accept.length !== 1 || accept[0] !== expectedAccept) {
    throw failure(
      'HANDSHAKE_BAD_ACCEPT',
      4,
      accept === undefined
        ? 'the answer has no Sec-WebSocket-Accept'
        : accept.length !== 1
          ? 'the answer has more than one Sec-WebSocket-Accept'
          : `Sec-WebSocket-Accept ${show(accept[0]!)} does not match the key`,
    );
  }
  // 5. Extensions: none was offered, so any named one fails.
  const extensions = listElements(fields['sec-websocket-extensions']);
  if (extensions.length > 0) {
    const name = extensions[0]!.split(';')[0]!.trim();
    throw failure(
      'HANDSHAKE_UNEXPECTED_EXTENSION',
      5,
      `the answer names the extension ${show(name)}, which was not offered`,
      { extension: name },
    );
  }
  // 6. Subprotocol: at most one, and one that was offered (11.3.4: the field appears once).
  const protocols = listElements(fields['sec-websocket-protocol']);
  let protocol = '';
  if (protocols.length > 0) {
    if (protocols.length > 1 || fields['sec-websocket-protocol']!.length > 1) {
      throw failure(
        'HANDSHAKE_UNEXPECTED_PROTOCOL',
        6,
        `the answer names several subprotocols: ${show(protocols.join(', '))}`,
      );
    }
    protocol = protocols[0]!;
    if (!offered.includes(protocol)) {
      throw failure(
        'HANDSHAKE_UNEXPECTED_PROTOCOL',
        6,
        `the answer names the subprotocol ${show(protocol)}, which was not offered`,
        { protocol },
      );
    }
  }
  const cookies = [...(fields['set-cookie'] ?? []), ...(fields['set-cookie2'] ?? [])];
  return { wireProtocol: 'rfc6455', protocol, fields, cookies };
}
