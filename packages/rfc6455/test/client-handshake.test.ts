import { CLOSED, CONNECTING, EventCollector, OPEN } from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
import {
  Rfc6455ClientConnection,
  type Rfc6455ClientOptions,
  type Rfc6455ErrorCode,
} from '../src/index.js';
import {
  bytes,
  concat,
  fixedRandom,
  hex,
  latin1,
  outgoing,
  SAMPLE_NONCE,
  SAMPLE_RESPONSE,
  summary,
} from './helpers.js';

function client(options: Partial<Rfc6455ClientOptions> = {}) {
  const events = new EventCollector();
  const connection = new Rfc6455ClientConnection(events, {
    url: 'ws://server.example.com/chat',
    protocols: ['chat', 'superchat'],
    random: fixedRandom(SAMPLE_NONCE),
    ...options,
  });
  const request = latin1(outgoing(connection));
  return { connection, events, request };
}

/** The sample response with fields replaced (null removes the line) or added. */
function response(
  changes: Record<string, string | null> = {},
  statusLine = 'HTTP/1.1 101 Switching Protocols',
): string {
  const lines = SAMPLE_RESPONSE.split('\r\n').slice(1, -2);
  const out = [statusLine];
  const seen = new Set<string>();
  for (const line of lines) {
    const name = line.slice(0, line.indexOf(':'));
    if (name in changes) {
      seen.add(name);
      if (changes[name] !== null) out.push(`${name}: ${changes[name]}`);
    } else {
      out.push(line);
    }
  }
  for (const [name, value] of Object.entries(changes)) {
    if (!seen.has(name) && value !== null) out.push(`${name}: ${value}`);
  }
  return `${out.join('\r\n')}\r\n\r\n`;
}

describe('client: the request (RFC 6455 4.1)', () => {
  it('Host carries a port only when it is not the default; wss; extra fields; no Origin unless given', () => {
    const { request } = client({
      url: 'wss://Example.COM:8443/a/b?c=d',
      protocols: [],
      headers: { Cookie: 'x=1' },
    });
    expect(request).toBe(
      'GET /a/b?c=d HTTP/1.1\r\nHost: example.com:8443\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: x=1\r\n\r\n',
    );
    expect(client({ url: 'wss://h:443/' }).request).toMatch(/\r\nHost: h\r\n/);
    expect(client({ url: 'ws://[::1]:9000/' }).request).toMatch(/\r\nHost: \[::1\]:9000\r\n/);
    expect(
      client({ url: { host: 'h', port: 80, resourceName: '/x', secure: false } }).request,
    ).toMatch(/^GET \/x HTTP\/1\.1\r\nHost: h\r\n/);
  });

  it('a fresh key per connection from the default random source (Web Crypto)', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20; i++) {
      keys.add(new Rfc6455ClientConnection(new EventCollector(), { url: 'ws://h/' }).key);
    }
    expect(keys.size).toBe(20);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it.each<[string, Partial<Rfc6455ClientOptions>]>([
    ['a URL with a fragment', { url: 'ws://h/#x' }],
    ['an http URL', { url: 'http://h/' }],
    [
      'URL components with a space',
      { url: { host: 'h', port: 80, resourceName: '/a b', secure: false } },
    ],
    [
      'URL components with non-ASCII',
      { url: { host: 'h', port: 80, resourceName: '/é', secure: false } },
    ],
    [
      'URL components with port 0',
      { url: { host: 'h', port: 0, resourceName: '/', secure: false } },
    ],
    [
      'URL components with no host',
      { url: { host: '', port: 80, resourceName: '/', secure: false } },
    ],
    ['a repeated subprotocol', { protocols: ['chat', 'chat'] }],
    ['a subprotocol that is not a token', { protocols: ['a b'] }],
    ['an empty subprotocol', { protocols: [''] }],
    ['an origin with CRLF', { origin: 'http://a\r\nX: y' }],
    ['a header the handshake writes', { headers: { 'Sec-WebSocket-Key': 'x' } }],
    ['a header with a bad name', { headers: { 'a:b': 'x' } }],
    ['a limit below zero', { maxFrameSize: -1 }],
  ])('refuses %s: INVALID_ARGUMENT, thrown by the constructor', (_, options) => {
    expect(() => client(options)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', spec: 'RFC 6455' }),
    );
  });

  it('the URL error is the cause', () => {
    try {
      client({ url: 'ws://h/#x' });
    } catch (error) {
      expect(error).toMatchObject({ detail: { urlError: 'URL_HAS_FRAGMENT' } });
      expect((error as Error).cause).toMatchObject({ code: 'URL_HAS_FRAGMENT' });
    }
  });

  it('nothing can be sent before the answer: INVALID_STATE', () => {
    const { connection } = client();
    expect(connection.state).toBe(CONNECTING);
    expect(() => connection.sendText('x')).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    expect(() => connection.sendPing()).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => connection.sendClose()).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });
});

describe('client: the answer (RFC 6455 4.1, "the client MUST validate the server\'s response")', () => {
  it('a valid 101: response (protocol, fields, cookies), OPEN, onOpen, then frames of the same chunk', () => {
    const { connection, events } = client();
    connection.receiveData(
      concat([
        bytes(response({ 'Set-Cookie': 'a=1' }).replace('\r\n\r\n', '\r\nSet-Cookie: b=2\r\n\r\n')),
        hex('81 05 48 65 6c 6c 6f'),
      ]),
    );
    expect(connection.state).toBe(OPEN);
    expect(connection.protocol).toBe('chat');
    expect(connection.response).toMatchObject({
      wireProtocol: 'rfc6455',
      protocol: 'chat',
      cookies: ['a=1', 'b=2'],
    });
    expect(connection.response?.fields.upgrade).toEqual(['websocket']);
    expect(summary(events.takeEvents())).toEqual([['open'], ['message', 'Hello', false]]);
  });

  it('the answer may arrive one byte at a time', () => {
    const { connection, events } = client();
    for (const b of bytes(SAMPLE_RESPONSE)) connection.receiveData(Uint8Array.of(b));
    expect(summary(events.takeEvents())).toEqual([['open']]);
  });

  it('no subprotocol in the answer is fine: protocol ""', () => {
    const { connection } = client();
    connection.receiveData(bytes(response({ 'Sec-WebSocket-Protocol': null })));
    expect(connection.state).toBe(OPEN);
    expect(connection.protocol).toBe('');
  });

  it.each<[string, string, Rfc6455ErrorCode, number]>([
    ['1: 200 OK', response({}, 'HTTP/1.1 200 OK'), 'HANDSHAKE_UNEXPECTED_STATUS', 1],
    ['2: no Upgrade', response({ Upgrade: null }), 'HANDSHAKE_BAD_UPGRADE', 2],
    ['2: Upgrade: websocket2', response({ Upgrade: 'websocket2' }), 'HANDSHAKE_BAD_UPGRADE', 2],
    ['3: no Connection', response({ Connection: null }), 'HANDSHAKE_BAD_CONNECTION', 3],
    ['3: Connection: close', response({ Connection: 'close' }), 'HANDSHAKE_BAD_CONNECTION', 3],
    ['4: no Accept', response({ 'Sec-WebSocket-Accept': null }), 'HANDSHAKE_BAD_ACCEPT', 4],
    [
      '4: a wrong Accept',
      response({ 'Sec-WebSocket-Accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOp=' }),
      'HANDSHAKE_BAD_ACCEPT',
      4,
    ],
    [
      '4: two Accepts',
      response({ 'X-A': 'a' }).replace(
        'X-A: a',
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      ),
      'HANDSHAKE_BAD_ACCEPT',
      4,
    ],
    [
      '5: an extension not offered',
      response({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }),
      'HANDSHAKE_UNEXPECTED_EXTENSION',
      5,
    ],
    [
      '6: a subprotocol not offered',
      response({ 'Sec-WebSocket-Protocol': 'mqtt' }),
      'HANDSHAKE_UNEXPECTED_PROTOCOL',
      6,
    ],
    [
      '6: two subprotocols',
      response({ 'Sec-WebSocket-Protocol': 'chat, superchat' }),
      'HANDSHAKE_UNEXPECTED_PROTOCOL',
      6,
    ],
  ])('item %s → %s; nothing queued, CLOSED', (_, text, code, step) => {
    const { connection, events } = client();
    connection.receiveData(concat([bytes(text), hex('81 05 48 65 6c 6c 6f')]));
    expect(summary(events.takeEvents())).toEqual([['error', code]]);
    expect(connection.failure).toMatchObject({ code, section: '4.1', step, httpStatus: undefined });
    expect(connection.state).toBe(CLOSED);
    expect(connection.takeOutgoing()).toEqual([]);
  });

  it('a subprotocol when none was offered fails', () => {
    const { connection } = client({ protocols: [] });
    connection.receiveData(bytes(SAMPLE_RESPONSE));
    expect(connection.failure?.code).toBe('HANDSHAKE_UNEXPECTED_PROTOCOL');
  });

  it('non-101 statuses are reported with the status, reason and Location in detail', () => {
    const { connection } = client();
    connection.receiveData(bytes('HTTP/1.1 302 Found\r\nLocation: ws://elsewhere/\r\n\r\n'));
    expect(connection.failure).toMatchObject({
      code: 'HANDSHAKE_UNEXPECTED_STATUS',
      detail: { status: 302, statusText: 'Found', location: 'ws://elsewhere/' },
    });
    const denied = client().connection;
    denied.receiveData(bytes('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    expect(denied.failure?.detail).toEqual({ status: 403, statusText: 'Forbidden' });
  });

  it('a malformed, oversized or cut-off answer', () => {
    const bad = client().connection;
    bad.receiveData(bytes('HTTP/1.1 101\nUpgrade: websocket\n\n'));
    expect(bad.failure).toMatchObject({
      code: 'HANDSHAKE_MALFORMED_HEAD',
      detail: { headError: 'HTTP_BAD_LINE_ENDING' },
      httpStatus: undefined,
    });
    const big = client({ maxHeadBytes: 64 }).connection;
    big.receiveData(bytes(SAMPLE_RESPONSE));
    expect(big.failure?.code).toBe('HANDSHAKE_HEAD_TOO_LARGE');
    const cut = client().connection;
    cut.receiveData(bytes(SAMPLE_RESPONSE.slice(0, 40)));
    cut.receiveEof();
    expect(cut.failure?.code).toBe('HANDSHAKE_UNEXPECTED_EOF');
    expect(cut.state).toBe(CLOSED);
  });
});
