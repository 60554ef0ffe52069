import { type AcceptOptions, isHttpFieldValue } from '@ws02/protocol';
import { createAcceptValue } from './accept-key.js';
import { checkOutgoingField, checkOutgoingFields, fieldLines } from './header-values.js';
import { Rfc6455Error, show } from './rfc6455-error.js';
import type { Sha1 } from './sha1.js';

/** Fields the 101 answer writes itself: `headers` cannot repeat them (11.3.3, 11.3.4). */
const ACCEPT_RESERVED: ReadonlySet<string> = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);
/** Fields every refusal writes itself. */
const REFUSAL_RESERVED: ReadonlySet<string> = new Set(['connection', 'content-length']);

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** Throws `INVALID_ARGUMENT` unless `options` can be written (checked before any state change). */
export function checkAcceptOptions(options: AcceptOptions): void {
  checkOutgoingFields(options.headers, ACCEPT_RESERVED, '4.2.2');
  for (const cookie of options.setCookies ?? []) {
    checkOutgoingField('Set-Cookie', cookie, ACCEPT_RESERVED, '4.2.2');
  }
}

/**
 * The server's answer that opens the connection (4.2.2 step 5): `101 Switching Protocols`,
 * Upgrade, Connection, Sec-WebSocket-Accept, the chosen subprotocol if any, no extension (none
 * is accepted), the cookies and extra fields, the empty line.
 */
export function acceptResponseHead(
  key: string,
  protocol: string,
  options: AcceptOptions,
  sha1?: Sha1,
): string {
  let head =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${createAcceptValue(key, sha1)}\r\n`;
  if (protocol !== '') head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  for (const cookie of options.setCookies ?? []) head += `Set-Cookie: ${cookie}\r\n`;
  return `${head}${fieldLines(options.headers)}\r\n`;
}

/** Throws `INVALID_ARGUMENT` unless a refusal with these parts can be written. */
export function checkRefusal(
  status: number,
  reason: string,
  headers: Readonly<Record<string, string>> | undefined,
): void {
  if (!Number.isInteger(status) || status < 300 || status > 599) {
    throw new Rfc6455Error(
      'INVALID_ARGUMENT',
      '4.2.2',
      `a refusal's status must be an integer 300–599, got ${status}`,
      { detail: { status } },
    );
  }
  if (typeof reason !== 'string' || !isHttpFieldValue(reason)) {
    throw new Rfc6455Error(
      'INVALID_ARGUMENT',
      '4.2.2',
      `the reason phrase ${show(String(reason))} has a control character or a character above U+00FF`,
    );
  }
  checkOutgoingFields(headers, REFUSAL_RESERVED, '4.2.2');
}

/**
 * An HTTP refusal (4.2.2: "If the server chooses not to accept the connection, it MUST return an
 * appropriate HTTP error code"): the status line, `Connection: close`, no body.
 */
export function refusalHead(
  status: number,
  reason: string,
  headers?: Readonly<Record<string, string>>,
): string {
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    'Connection: close\r\n' +
    'Content-Length: 0\r\n' +
    `${fieldLines(headers)}\r\n`
  );
}

/**
 * The refusal of a request that failed the checks: the error's status (400 when it has none);
 * 426 names the version served (4.4: `Sec-WebSocket-Version: 13`, with `Upgrade` as RFC 7231
 * 6.5.15 asks). The error's details are not echoed to the peer.
 */
export function failedRequestHead(httpStatus: number | undefined): string {
  const status = httpStatus !== undefined && httpStatus in REASONS ? httpStatus : 400;
  return refusalHead(
    status,
    REASONS[status]!,
    status === 426 ? { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' } : undefined,
  );
}
