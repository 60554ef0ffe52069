import { type HttpRequestHead, isHttpToken, type OpeningRequest } from '@ws02/protocol';
import { isValidKey } from './accept-key.js';
import { listElements, listHasToken, singleValue } from './header-values.js';
import type { ProtocolSelector } from './options.js';
import { Rfc6455Error, type Rfc6455ErrorCode, show } from './rfc6455-error.js';

/** The one `Sec-WebSocket-Version` this implementation speaks (4.1 step 9). */
export const VERSION = '13';

/** A checked request and what the answer needs. */
export interface CheckedRequest {
  readonly request: OpeningRequest;
  /** The Sec-WebSocket-Key, for Sec-WebSocket-Accept (4.2.2 step 5.4). */
  readonly key: string;
}

export interface RequestCheckOptions {
  readonly secure?: boolean;
  readonly protocols?: readonly string[] | ProtocolSelector;
}

function refuse(
  code: Rfc6455ErrorCode,
  step: number,
  message: string,
  detail: Record<string, string | number> = {},
  httpStatus = 400,
): Rfc6455Error {
  return new Rfc6455Error(code, '4.2.1', message, { step, detail, httpStatus });
}

/**
 * The server's checks of the client's opening handshake (4.2.1 steps 1–6, and 4.4 for the
 * version), in that order, then the subprotocol choice (4.2.2 step 5.5). Throws an
 * `Rfc6455Error` whose `httpStatus` is the refusal to send: 400, or 426 for an unsupported
 * version (4.4), or 500 for a selector that chose a subprotocol the client did not offer.
 */
export function checkOpeningRequest(
  head: HttpRequestHead,
  options: RequestCheckOptions = {},
): CheckedRequest {
  const fields = head.fields;
  // Step 1: an HTTP/1.1 or higher GET request, with a Request-URI.
  if (head.method !== 'GET') {
    throw refuse('HANDSHAKE_BAD_METHOD', 1, `the method is ${show(head.method)}, not GET`, {
      method: head.method,
    });
  }
  const [major, minor] = head.httpVersion.split('.').map(Number) as [number, number];
  if (major < 1 || (major === 1 && minor < 1)) {
    throw refuse('HANDSHAKE_BAD_HTTP_VERSION', 1, `HTTP/${head.httpVersion} is below HTTP/1.1`, {
      httpVersion: head.httpVersion,
    });
  }
  const resourceName = resourceNameOf(head.target);
  if (resourceName === undefined) {
    throw refuse(
      'HANDSHAKE_BAD_RESOURCE_NAME',
      1,
      `the request-target ${show(head.target)} is not a resource name (/path?query)`,
    );
  }
  // Step 2: a Host field (RFC 7230 5.4: exactly one).
  const host = singleValue(fields, 'host');
  if (host === undefined || host.length === 0) {
    throw refuse('HANDSHAKE_BAD_HOST', 2, 'Host is missing, empty or repeated', {
      count: fields.host?.length ?? 0,
    });
  }
  // Step 3: Upgrade including "websocket"; step 4: Connection including "Upgrade" (token lists,
  // ASCII case-insensitive).
  if (!listHasToken(fields.upgrade, 'websocket')) {
    throw refuse('HANDSHAKE_BAD_UPGRADE', 3, 'Upgrade does not include "websocket"');
  }
  if (!listHasToken(fields.connection, 'upgrade')) {
    throw refuse('HANDSHAKE_BAD_CONNECTION', 4, 'Connection does not include "Upgrade"');
  }
  // Step 6 and 4.4, before the key: a client of another version gets the 426 that names ours.
  const versions = fields['sec-websocket-version'];
  if (versions === undefined) {
    throw refuse('HANDSHAKE_MISSING_VERSION', 6, 'Sec-WebSocket-Version is missing');
  }
  if (versions.length !== 1 || versions[0] !== VERSION) {
    throw refuse(
      'HANDSHAKE_UNSUPPORTED_VERSION',
      6,
      `Sec-WebSocket-Version ${show(versions.join(', '))} is not 13`,
      { version: versions.join(', ') },
      426,
    );
  }
  // Step 5: a key that is base64 of 16 bytes (and one only: 11.3.1).
  const key = singleValue(fields, 'sec-websocket-key');
  if (key === undefined || !isValidKey(key)) {
    throw refuse(
      'HANDSHAKE_BAD_KEY',
      5,
      key === undefined
        ? 'Sec-WebSocket-Key is missing or repeated'
        : `Sec-WebSocket-Key ${show(key)} is not the base64 of 16 bytes`,
    );
  }
  // Step 8: the subprotocols offered, a list of tokens (11.3.4).
  const protocols = listElements(fields['sec-websocket-protocol']);
  for (const p of protocols) {
    if (!isHttpToken(p)) {
      throw refuse(
        'HANDSHAKE_BAD_PROTOCOL_LIST',
        8,
        `Sec-WebSocket-Protocol has ${show(p)}, which is not a token`,
      );
    }
  }
  const origins = fields.origin;
  const base: OpeningRequest = {
    wireProtocol: 'rfc6455',
    method: head.method,
    resourceName,
    host,
    origin: origins === undefined ? undefined : origins[0],
    protocols,
    protocol: undefined,
    secure: options.secure === true,
    fields,
  };
  const protocol = selectProtocol(options.protocols, protocols, base);
  return { request: protocol === undefined ? base : { ...base, protocol }, key };
}

/**
 * The resource name of a request-target (4.2.1 step 1, 3.x): origin-form `/path?query` as is,
 * or the path and query of an absolute ws/wss/http/https URI; undefined for anything else or a
 * fragment (section 3: fragments are not allowed).
 */
function resourceNameOf(target: string): string | undefined {
  if (target.includes('#')) return undefined;
  if (target.startsWith('/')) return target;
  const m = /^(?:wss?|https?):\/\/[^/?]+(.*)$/i.exec(target);
  if (m === null) return undefined;
  const rest = m[1]!;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function selectProtocol(
  supported: RequestCheckOptions['protocols'],
  offered: readonly string[],
  request: OpeningRequest,
): string | undefined {
  if (supported === undefined || offered.length === 0) return undefined;
  if (typeof supported !== 'function') {
    for (const p of offered) if (supported.includes(p)) return p;
    return undefined;
  }
  const selected = supported(offered, request);
  if (selected === undefined || selected === '') return undefined;
  if (!offered.includes(selected)) {
    throw new Rfc6455Error(
      'HANDSHAKE_BAD_SELECTION',
      '4.2.2',
      `the protocols selector chose ${show(String(selected))}, which the client did not offer`,
      { step: 5, httpStatus: 500 },
    );
  }
  return selected;
}
