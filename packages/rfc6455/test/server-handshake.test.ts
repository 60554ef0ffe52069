import {
  type AcceptOptions,
  CLOSED,
  CONNECTING,
  EventCollector,
  OPEN,
  type OpeningRequest,
  requestHeadReader,
} from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
import {
  type Rfc6455ErrorCode,
  Rfc6455ServerConnection,
  type Rfc6455ServerOptions,
} from '../src/index.js';
import {
  AcceptingCollector,
  bytes,
  concat,
  hex,
  latin1,
  outgoing,
  SAMPLE_ACCEPT,
  SAMPLE_REQUEST,
  summary,
} from './helpers.js';

/** The sample request with fields replaced (value null removes the line) or added. */
function request(
  changes: Record<string, string | null> = {},
  requestLine = 'GET /chat HTTP/1.1',
): string {
  const lines = SAMPLE_REQUEST.split('\r\n').slice(1, -2);
  const out: string[] = [requestLine];
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

function serve(text: string | Uint8Array, options: Rfc6455ServerOptions = {}) {
  const events = new AcceptingCollector();
  const server = new Rfc6455ServerConnection(events, options);
  events.connection = server;
  server.receiveData(typeof text === 'string' ? bytes(text) : text);
  return { server, events, wire: latin1(outgoing(server)) };
}

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

describe('server: the checks of RFC 6455 4.2.1 (a bad request gets an HTTP error and closes)', () => {
  it.each<[string, string, Rfc6455ErrorCode, number]>([
    ['step 1: POST', request({}, 'POST /chat HTTP/1.1'), 'HANDSHAKE_BAD_METHOD', 1],
    ['step 1: HTTP/1.0', request({}, 'GET /chat HTTP/1.0'), 'HANDSHAKE_BAD_HTTP_VERSION', 1],
    [
      'step 1: a fragment in the target',
      request({}, 'GET /chat#x HTTP/1.1'),
      'HANDSHAKE_BAD_RESOURCE_NAME',
      1,
    ],
    ['step 1: an asterisk target', request({}, 'GET * HTTP/1.1'), 'HANDSHAKE_BAD_RESOURCE_NAME', 1],
    ['step 2: no Host', request({ Host: null }), 'HANDSHAKE_BAD_HOST', 2],
    [
      'step 2: two Host fields',
      request({ 'X-A': 'a' }).replace('X-A: a', 'Host: other'),
      'HANDSHAKE_BAD_HOST',
      2,
    ],
    ['step 3: no Upgrade', request({ Upgrade: null }), 'HANDSHAKE_BAD_UPGRADE', 3],
    ['step 3: Upgrade: h2c', request({ Upgrade: 'h2c' }), 'HANDSHAKE_BAD_UPGRADE', 3],
    ['step 4: no Connection', request({ Connection: null }), 'HANDSHAKE_BAD_CONNECTION', 4],
    [
      'step 4: Connection: keep-alive',
      request({ Connection: 'keep-alive' }),
      'HANDSHAKE_BAD_CONNECTION',
      4,
    ],
    [
      'step 4: Connection: upgraded (not the token)',
      request({ Connection: 'upgraded' }),
      'HANDSHAKE_BAD_CONNECTION',
      4,
    ],
    ['step 5: no key', request({ 'Sec-WebSocket-Key': null }), 'HANDSHAKE_BAD_KEY', 5],
    [
      'step 5: a 15-byte key',
      request({ 'Sec-WebSocket-Key': 'AAAAAAAAAAAAAAAAAAAA' }),
      'HANDSHAKE_BAD_KEY',
      5,
    ],
    [
      'step 5: a key that is not base64',
      request({ 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25j!Q==' }),
      'HANDSHAKE_BAD_KEY',
      5,
    ],
    [
      'step 5: two keys',
      request({ 'X-A': 'a' }).replace('X-A: a', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='),
      'HANDSHAKE_BAD_KEY',
      5,
    ],
    [
      'step 6: no version',
      request({ 'Sec-WebSocket-Version': null }),
      'HANDSHAKE_MISSING_VERSION',
      6,
    ],
    [
      'step 8: a protocol that is not a token',
      request({ 'Sec-WebSocket-Protocol': 'chat, su per' }),
      'HANDSHAKE_BAD_PROTOCOL_LIST',
      8,
    ],
  ])('%s → %s, 400', (_, text, code, step) => {
    const { server, events, wire } = serve(text);
    expect(summary(events.takeEvents())).toEqual([['error', code]]);
    expect(server.failure).toMatchObject({
      code,
      section: '4.2.1',
      step,
      httpStatus: 400,
      spec: 'RFC 6455',
    });
    expect(server.failure?.closeCode).toBe(undefined);
    expect(server.state).toBe(CLOSED);
    expect(wire).toBe(BAD_REQUEST);
  });

  it('control: the unchanged sample request passes every check', () => {
    const { server, events } = serve(request());
    expect(server.state).toBe(OPEN);
    expect(summary(events.takeEvents())).toEqual([['request', '/chat'], ['open']]);
  });

  it('4.4: another version gets 426 naming version 13 (Sec-WebSocket-Version: 13, Upgrade)', () => {
    for (const version of ['8', '13, 8', '14']) {
      const { server, wire } = serve(request({ 'Sec-WebSocket-Version': version }));
      expect(server.failure).toMatchObject({
        code: 'HANDSHAKE_UNSUPPORTED_VERSION',
        httpStatus: 426,
      });
      expect(wire).toBe(
        'HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n' +
          'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    }
  });

  it('token lists are case-insensitive and may hold other tokens (Connection: keep-alive, Upgrade)', () => {
    const { server } = serve(request({ Connection: 'keep-alive, UPGRADE', Upgrade: 'WebSocket' }));
    expect(server.state).toBe(OPEN);
  });

  it('an absolute request-target gives its path and query as the resource name', () => {
    const { server } = serve(request({}, 'GET ws://server.example.com/chat?room=1 HTTP/1.1'));
    expect(server.request?.resourceName).toBe('/chat?room=1');
  });

  it('HTTP syntax errors are HANDSHAKE_MALFORMED_HEAD (400) with the reader code in detail', () => {
    const { server, wire } = serve('GET /chat HTTP/1.1\r\nHost : x\r\n\r\n');
    expect(server.failure).toMatchObject({
      code: 'HANDSHAKE_MALFORMED_HEAD',
      httpStatus: 400,
      detail: { headError: 'HTTP_BAD_FIELD_NAME' },
    });
    expect(wire).toBe(BAD_REQUEST);
  });

  it('head limits: HANDSHAKE_HEAD_TOO_LARGE and HANDSHAKE_TOO_MANY_FIELDS get 431', () => {
    const big = serve(request({ 'X-Big': 'x'.repeat(200) }), { maxHeadBytes: 256 });
    expect(big.server.failure?.code).toBe('HANDSHAKE_HEAD_TOO_LARGE');
    expect(big.wire).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const many = serve(request(), { maxFields: 5 });
    expect(many.server.failure).toMatchObject({
      code: 'HANDSHAKE_TOO_MANY_FIELDS',
      httpStatus: 431,
    });
  });

  it('the end of input inside the head: HANDSHAKE_UNEXPECTED_EOF, nothing queued', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events);
    server.receiveData(bytes('GET /chat HTTP/1.1\r\nHost: x\r\n'));
    server.receiveEof();
    expect(summary(events.takeEvents())).toEqual([['error', 'HANDSHAKE_UNEXPECTED_EOF']]);
    expect(server.state).toBe(CLOSED);
    expect(server.takeOutgoing()).toEqual([]);
  });
});

describe('server: the request, the decision, the answer (4.2.2)', () => {
  it('reports the request: resource name, host, origin, protocols, fields; waits in CONNECTING', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events, { protocols: ['superchat'], secure: true });
    server.receiveData(bytes(SAMPLE_REQUEST));
    const [event] = events.takeEvents();
    const req = (event as { request: OpeningRequest }).request;
    expect(req).toMatchObject({
      wireProtocol: 'rfc6455',
      method: 'GET',
      resourceName: '/chat',
      host: 'server.example.com',
      origin: 'http://example.com',
      protocols: ['chat', 'superchat'],
      protocol: 'superchat',
      secure: true,
    });
    expect(req.fields['sec-websocket-key']).toEqual(['dGhlIHNhbXBsZSBub25jZQ==']);
    expect(server.request).toBe(req);
    expect(server.state).toBe(CONNECTING);
    expect(server.takeOutgoing()).toEqual([]);
  });

  it('holds pipelined frames until accept(), then delivers them after onOpen, in order', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events);
    const hello = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    server.receiveData(concat([bytes(SAMPLE_REQUEST), hello.subarray(0, 4)]));
    server.receiveData(hello.slice(4));
    server.receiveData(hex('89 80 01 02 03 04')); // a masked, empty Ping
    expect(summary(events.takeEvents())).toEqual([['request', '/chat']]);
    server.accept();
    expect(summary(events.takeEvents())).toEqual([
      ['open'],
      ['message', 'Hello', false],
      ['ping', ''],
    ]);
    expect(latin1(outgoing(server))).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}\r\n\r\n\x8a\x00`,
    );
  });

  it('an end of input while the application decides is read after the held bytes', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events);
    server.receiveData(concat([bytes(SAMPLE_REQUEST), hex('81 85 37 fa')]));
    server.receiveEof();
    expect(server.state).toBe(CONNECTING);
    server.accept();
    expect(summary(events.takeEvents())).toEqual([
      ['request', '/chat'],
      ['open'],
      ['error', 'STREAM_TRUNCATED'],
    ]);
  });

  it('without an onRequest handler the request is accepted at once', () => {
    const messages: string[] = [];
    const server = new Rfc6455ServerConnection({ onMessage: (d) => messages.push(d as string) });
    server.receiveData(concat([bytes(SAMPLE_REQUEST), hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')]));
    expect(server.state).toBe(OPEN);
    expect(messages).toEqual(['Hello']);
  });

  it('accept(options): Set-Cookie lines and extra headers; no protocol when none is chosen', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events);
    server.receiveData(bytes(SAMPLE_REQUEST));
    server.accept({ setCookies: ['a=1', 'b=2; HttpOnly'], headers: { 'X-Server': 'ws02' } });
    expect(latin1(outgoing(server))).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}\r\n` +
        'Set-Cookie: a=1\r\nSet-Cookie: b=2; HttpOnly\r\nX-Server: ws02\r\n\r\n',
    );
    expect(server.protocol).toBe('');
  });

  it('an offered extension is never accepted (no Sec-WebSocket-Extensions in the answer)', () => {
    const { wire } = serve(
      request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }),
    );
    expect(wire).not.toMatch(/extensions/i);
    expect(wire).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('accept() refuses fields it cannot write, before any change (INVALID_ARGUMENT)', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events);
    server.receiveData(bytes(SAMPLE_REQUEST));
    for (const options of [
      { headers: { 'X-A': 'a\r\nSet-Cookie: evil' } },
      { headers: { 'Bad Name': 'x' } },
      { headers: { 'Sec-WebSocket-Accept': 'x' } },
      { headers: { 'sec-websocket-extensions': 'x' } },
      { setCookies: ['a=1\nb'] },
      { headers: { X: '\u0100' } },
    ] as AcceptOptions[]) {
      expect(() => server.accept(options)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
      expect(server.state).toBe(CONNECTING);
    }
    expect(server.takeOutgoing()).toEqual([]);
    server.accept();
    expect(server.state).toBe(OPEN);
  });

  it('reject(status, reason, headers): an HTTP refusal, then CLOSED; held bytes dropped', () => {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events);
    server.receiveData(concat([bytes(SAMPLE_REQUEST), hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')]));
    server.reject(403, 'Forbidden', { 'X-Why': 'origin' });
    expect(latin1(outgoing(server))).toBe(
      'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\nX-Why: origin\r\n\r\n',
    );
    expect(server.state).toBe(CLOSED);
    expect(server.failure).toBe(undefined);
    server.receiveData(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(summary(events.takeEvents())).toEqual([['request', '/chat']]);
  });

  it('accept/reject: INVALID_STATE before a request, twice, or after the other; bad refusals', () => {
    const server = new Rfc6455ServerConnection(new EventCollector());
    expect(() => server.accept()).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    server.receiveData(bytes(SAMPLE_REQUEST));
    expect(() => server.reject(200, 'OK')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => server.reject(403, 'No\r\nX: y')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => server.reject(403, 'No', { 'Content-Length': '5' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    server.accept();
    expect(() => server.accept()).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => server.reject(403, 'No')).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('protocol selection: the list picks in the client order; a selector sees the request', () => {
    expect(serve(SAMPLE_REQUEST, { protocols: ['superchat', 'chat'] }).server.protocol).toBe(
      'chat',
    );
    expect(serve(SAMPLE_REQUEST, { protocols: ['other'] }).server.protocol).toBe('');
    const seen: unknown[] = [];
    const picked = serve(SAMPLE_REQUEST, {
      protocols: (offered, req) => {
        seen.push(offered, req.origin);
        return 'superchat';
      },
    });
    expect(seen).toEqual([['chat', 'superchat'], 'http://example.com']);
    expect(picked.server.protocol).toBe('superchat');
    expect(picked.wire).toMatch(/\r\nSec-WebSocket-Protocol: superchat\r\n/);
  });

  it('a selector choosing a protocol not offered: HANDSHAKE_BAD_SELECTION, 500', () => {
    const { server, wire } = serve(SAMPLE_REQUEST, { protocols: () => 'evil' });
    expect(server.failure).toMatchObject({ code: 'HANDSHAKE_BAD_SELECTION', httpStatus: 500 });
    expect(wire).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
  });

  it('the head may arrive one byte at a time', () => {
    const events = new AcceptingCollector();
    const server = new Rfc6455ServerConnection(events);
    events.connection = server;
    for (const b of bytes(SAMPLE_REQUEST)) server.receiveData(Uint8Array.of(b));
    expect(server.state).toBe(OPEN);
  });
});

describe('server: a head read by someone else (choosing the wire protocol per request, Node upgrade)', () => {
  it('fromRequestHead: the checks run at the first receiveData, with the bytes after the head', () => {
    const reader = requestHeadReader();
    const result = reader.read(
      concat([bytes(SAMPLE_REQUEST), hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')]),
    )!;
    const events = new AcceptingCollector();
    const server = Rfc6455ServerConnection.fromRequestHead(result.head, events);
    events.connection = server;
    expect(events.takeEvents()).toEqual([]);
    server.receiveData(result.rest);
    expect(summary(events.takeEvents())).toEqual([
      ['request', '/chat'],
      ['open'],
      ['message', 'Hello', false],
    ]);
  });

  it('fromParsedRequest: Node-style rawHeaders, the same checks and answer', () => {
    const parsed = {
      method: 'GET',
      url: '/chat',
      httpVersion: '1.1',
      rawHeaders: [
        'Host',
        'server.example.com',
        'Upgrade',
        'websocket',
        'Connection',
        'Upgrade',
        'Sec-WebSocket-Key',
        'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version',
        '13',
      ],
    };
    const events = new AcceptingCollector();
    const server = Rfc6455ServerConnection.fromParsedRequest(parsed, events);
    events.connection = server;
    server.receiveData(new Uint8Array(0));
    expect(server.state).toBe(OPEN);
    expect(latin1(outgoing(server))).toContain(`Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}\r\n`);
    const bad = Rfc6455ServerConnection.fromParsedRequest(
      { ...parsed, rawHeaders: ['Host', 'a\rb'] },
      new EventCollector(),
    );
    bad.receiveData(new Uint8Array(0));
    expect(bad.failure?.code).toBe('HANDSHAKE_MALFORMED_HEAD');
    expect(latin1(outgoing(bad))).toBe(BAD_REQUEST);
    const wrong = Rfc6455ServerConnection.fromParsedRequest(
      { ...parsed, rawHeaders: parsed.rawHeaders.slice(0, 8) },
      new EventCollector(),
    );
    wrong.receiveEof();
    expect(wrong.failure?.code).toBe('HANDSHAKE_MISSING_VERSION');
  });
});
