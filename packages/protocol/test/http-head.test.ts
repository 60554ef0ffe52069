import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HttpHeadError,
  type HttpHeadErrorCode,
  isHttpFieldValue,
  isHttpToken,
  requestHeadFromParsed,
  requestHeadReader,
  responseHeadReader,
} from '../src/index.js';

function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0)); // Code units 0–255 as bytes.
}

/** RFC 6455 1.3 / 4.1: the sample client handshake. */
const REQUEST =
  'GET /chat HTTP/1.1\r\n' +
  'Host: server.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Origin: http://example.com\r\n' +
  'Sec-WebSocket-Protocol: chat, superchat\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

/** RFC 6455 1.3 / 4.2.2: the sample server handshake. */
const RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
  'Sec-WebSocket-Protocol: chat\r\n' +
  '\r\n';

function readRequest(text: string, limits = {}) {
  return requestHeadReader(limits).read(bytes(text));
}

function requestError(text: string, limits = {}): HttpHeadError {
  try {
    readRequest(text, limits);
  } catch (error) {
    if (error instanceof HttpHeadError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('HttpHeadReader — requests (RFC 6455 4.2.1: a valid HTTP/1.1 request)', () => {
  it('reads the RFC 6455 sample request: request line, lower-case names, trimmed values', () => {
    const result = readRequest(`${REQUEST}\x81\x85`)!;
    expect(result.head).toEqual({
      kind: 'request',
      method: 'GET',
      target: '/chat',
      httpVersion: '1.1',
      fields: {
        host: ['server.example.com'],
        upgrade: ['websocket'],
        connection: ['Upgrade'],
        'sec-websocket-key': ['dGhlIHNhbXBsZSBub25jZQ=='],
        origin: ['http://example.com'],
        'sec-websocket-protocol': ['chat, superchat'],
        'sec-websocket-version': ['13'],
      },
    });
    expect([...result.rest]).toEqual([0x81, 0x85]);
  });

  it('keeps every value of a repeated field, in order; trims SP and HTAB only', () => {
    const { head } = readRequest(
      'GET / HTTP/1.1\r\nX-A: 1\r\nx-a:\t 2 \t\r\nX-Empty:\r\nX-Inner: a  b\r\n\r\n',
    )!;
    expect(head.fields['x-a']).toEqual(['1', '2']);
    expect(head.fields['x-empty']).toEqual(['']);
    expect(head.fields['x-inner']).toEqual(['a  b']);
  });

  it('fields are a null-prototype record: any token is a safe name', () => {
    const { head } = readRequest('GET / HTTP/1.1\r\n__proto__: x\r\nconstructor: y\r\n\r\n')!;
    expect(Object.getPrototypeOf(head.fields)).toBe(null);
    expect(head.fields.__proto__).toEqual(['x']);
    expect(head.fields.constructor).toEqual(['y']);
  });

  it('bytes above 0x7F are ISO-8859-1 code units (RFC 2616 2.2 TEXT), as Node gives them', () => {
    const { head } = requestHeadReader().read(
      Uint8Array.of(...bytes('GET / HTTP/1.1\r\nX: caf'), 0xc3, 0xa9, ...bytes('\r\n\r\n')),
    )!;
    expect(head.fields.x).toEqual(['caf\u00c3\u00a9']);
    expect(
      requestHeadFromParsed({
        method: 'GET',
        url: '/',
        httpVersion: '1.1',
        rawHeaders: ['X', 'caf\u00c3\u00a9'],
      }).fields.x,
    ).toEqual(head.fields.x);
  });

  it('is resumable at any byte: the same head and rest whatever the split', () => {
    const wire = bytes(`${REQUEST}\x81\x85\x37\xfa`);
    const whole = requestHeadReader().read(wire)!;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 6 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const reader = requestHeadReader();
          let start = 0;
          let result: ReturnType<typeof reader.read>;
          const restParts: number[] = [];
          for (const p of [...points, wire.length]) {
            const chunk = wire.slice(start, p);
            start = p;
            if (result !== undefined) restParts.push(...chunk);
            else result = reader.read(chunk);
          }
          expect(result!.head).toEqual(whole.head);
          expect([...result!.rest, ...restParts]).toEqual([...whole.rest]);
        },
      ),
    );
  });

  it('one byte at a time, the head ends exactly at the empty line', () => {
    const reader = requestHeadReader();
    const wire = bytes(REQUEST);
    for (let i = 0; i < wire.length - 1; i++)
      expect(reader.read(wire.subarray(i, i + 1))).toBe(undefined);
    const result = reader.read(wire.subarray(wire.length - 1))!;
    expect(result.head.target).toBe('/chat');
    expect(result.rest.length).toBe(0);
  });

  it('never modifies the chunk', () => {
    const wire = bytes(REQUEST);
    const copy = wire.slice();
    readRequest(REQUEST);
    requestHeadReader().read(wire);
    expect(wire).toEqual(copy);
  });

  it.each([
    ['GET / HTTP/1.1\r\n\r\n', 'GET', '/', '1.1'],
    ['OPTIONS * HTTP/1.0\r\n\r\n', 'OPTIONS', '*', '1.0'],
    ['GET ws://h/x?y HTTP/1.1\r\n\r\n', 'GET', 'ws://h/x?y', '1.1'],
  ])('request line %j', (text, method, target, version) => {
    const { head } = readRequest(text)!;
    expect([head.method, head.target, head.httpVersion]).toEqual([method, target, version]);
  });
});

describe('HttpHeadReader — responses (RFC 6455 4.1: the server answer)', () => {
  it('reads the RFC 6455 sample response and the frames after it', () => {
    const result = responseHeadReader().read(bytes(`${RESPONSE}\x81\x05Hello`))!;
    expect(result.head).toEqual({
      kind: 'response',
      httpVersion: '1.1',
      status: 101,
      statusText: 'Switching Protocols',
      fields: {
        upgrade: ['websocket'],
        connection: ['Upgrade'],
        'sec-websocket-accept': ['s3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
        'sec-websocket-protocol': ['chat'],
      },
    });
    expect(result.rest.length).toBe(7);
  });

  it.each([
    ['HTTP/1.1 404 Not Found', 404, 'Not Found'],
    ['HTTP/1.1 200 ', 200, ''],
    ['HTTP/1.0 302', 302, ''],
  ])('status line %j', (line, status, text) => {
    const { head } = responseHeadReader().read(bytes(`${line}\r\n\r\n`))!;
    expect([head.status, head.statusText]).toEqual([status, text]);
  });

  it('response errors carry no httpStatus (a client has no one to answer)', () => {
    expect(() => responseHeadReader().read(bytes('HTTP/1.1 1010 x\r\n\r\n'))).toThrow(
      expect.objectContaining({
        code: 'HTTP_BAD_STATUS_LINE',
        httpStatus: undefined,
        section: '4.1',
      }),
    );
  });
});

describe('HttpHeadReader — failures', () => {
  it.each<[string, string, HttpHeadErrorCode]>([
    ['empty request line', '\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    ['no version', 'GET /\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    ['two spaces', 'GET  / HTTP/1.1\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    ['lower-case http', 'GET / http/1.1\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    ['a method that is not a token', 'G(T / HTTP/1.1\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    ['a control character in the target', 'GET /\x01 HTTP/1.1\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    ['a bare CR in the request line', 'GET /\r HTTP/1.1\r\n\r\n', 'HTTP_BAD_REQUEST_LINE'],
    [
      'whitespace before the colon (RFC 7230 3.2.4)',
      'GET / HTTP/1.1\r\nHost : x\r\n\r\n',
      'HTTP_BAD_FIELD_NAME',
    ],
    ['no colon', 'GET / HTTP/1.1\r\nHost\r\n\r\n', 'HTTP_BAD_FIELD_NAME'],
    ['an empty name', 'GET / HTTP/1.1\r\n: x\r\n\r\n', 'HTTP_BAD_FIELD_NAME'],
    ['a non-token name', 'GET / HTTP/1.1\r\nX[1]: x\r\n\r\n', 'HTTP_BAD_FIELD_NAME'],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', 'HTTP_BAD_FIELD_VALUE'],
    ['a bare CR in a value', 'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n', 'HTTP_BAD_FIELD_VALUE'],
    ['DEL in a value', 'GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n', 'HTTP_BAD_FIELD_VALUE'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', 'HTTP_OBSOLETE_LINE_FOLDING'],
    ['a bare LF', 'GET / HTTP/1.1\nHost: x\n\n', 'HTTP_BAD_LINE_ENDING'],
    ['a bare LF ending the head', 'GET / HTTP/1.1\r\nHost: x\r\n\n', 'HTTP_BAD_LINE_ENDING'],
  ])('%s (%j) → %s', (_, text, code) => {
    const error = requestError(text);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(400);
    expect(error.spec).toBe('RFC 6455');
    expect(error.section).toBe('4.2.1');
  });

  it('a bare LF fails at once, before the head is complete', () => {
    expect(() => requestHeadReader().read(bytes('GET / HTTP/1.1\n'))).toThrow(
      expect.objectContaining({ code: 'HTTP_BAD_LINE_ENDING' }),
    );
  });

  it('maxHeadBytes: a head of exactly the limit is read, one byte more is refused (431)', () => {
    const head = 'GET / HTTP/1.1\r\nX: \r\n\r\n';
    const exact = head.replace('X: ', `X: ${'a'.repeat(100 - head.length)}`);
    expect(exact.length).toBe(100);
    expect(readRequest(exact, { maxHeadBytes: 100 })?.head.fields.x?.[0]?.length).toBe(77);
    const over = exact.replace('X: ', 'X: a');
    expect(requestError(over, { maxHeadBytes: 100 })).toMatchObject({
      code: 'HTTP_HEAD_TOO_LARGE',
      httpStatus: 431,
      detail: { maxHeadBytes: 100 },
    });
    // The same, one byte at a time: the limit is reached as soon as the 100th byte arrives.
    const reader = requestHeadReader({ maxHeadBytes: 100 });
    const wire = bytes(over);
    let thrown: unknown;
    let fed = 0;
    try {
      for (; fed < wire.length; fed++) reader.read(wire.subarray(fed, fed + 1));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'HTTP_HEAD_TOO_LARGE' });
    expect(fed).toBe(99);
    expect(reader.bufferedBytes).toBeLessThanOrEqual(100);
  });

  it('never buffers more than maxHeadBytes, even from one huge chunk', () => {
    const reader = requestHeadReader({ maxHeadBytes: 64 });
    reader.read(bytes('GET / HTTP/1.1\r\n'));
    expect(() => reader.read(new Uint8Array(1 << 20).fill(0x41))).toThrow(
      expect.objectContaining({ code: 'HTTP_HEAD_TOO_LARGE' }),
    );
    expect(reader.bufferedBytes).toBe(64);
  });

  it('maxFields: exactly the limit is read, one more is refused (431)', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `F${i}: v\r\n`).join('');
    expect(
      Object.keys(readRequest(`GET / HTTP/1.1\r\n${fields(3)}\r\n`, { maxFields: 3 })!.head.fields),
    ).toHaveLength(3);
    expect(requestError(`GET / HTTP/1.1\r\n${fields(4)}\r\n`, { maxFields: 3 })).toMatchObject({
      code: 'HTTP_TOO_MANY_FIELDS',
      httpStatus: 431,
    });
  });

  it('end(): the input ended inside the head', () => {
    const reader = requestHeadReader();
    reader.read(bytes('GET / HTTP/1.1\r\nHo'));
    expect(() => reader.end()).toThrow(
      expect.objectContaining({ code: 'HTTP_UNEXPECTED_EOF', detail: { bytes: 18 } }),
    );
    const done = requestHeadReader();
    done.read(bytes(REQUEST));
    expect(() => done.end()).not.toThrow();
  });

  it('a failed reader throws the same error again; a finished one refuses more input', () => {
    const reader = requestHeadReader();
    let first: unknown;
    try {
      reader.read(bytes('GET / HTTP/1.1\r\nX : y\r\n\r\n'));
    } catch (error) {
      first = error;
    }
    expect(() => reader.read(bytes('x'))).toThrow(first as Error);
    const done = requestHeadReader();
    done.read(bytes(REQUEST));
    expect(() => done.read(bytes('x'))).toThrow(
      expect.objectContaining({ code: 'HTTP_INVALID_STATE' }),
    );
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => requestHeadReader({ maxHeadBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'HTTP_INVALID_ARGUMENT' }),
    );
    expect(() => responseHeadReader({ maxFields: 1.5 })).toThrow(
      expect.objectContaining({ code: 'HTTP_INVALID_ARGUMENT' }),
    );
  });
});

describe('requestHeadFromParsed — a head Node parsed (the `upgrade` event)', () => {
  it('gives the same head as reading the bytes (rawHeaders)', () => {
    const fromBytes = readRequest(REQUEST)!.head;
    const rawHeaders = [
      'Host',
      'server.example.com',
      'Upgrade',
      'websocket',
      'Connection',
      'Upgrade',
      'Sec-WebSocket-Key',
      'dGhlIHNhbXBsZSBub25jZQ==',
      'Origin',
      'http://example.com',
      'Sec-WebSocket-Protocol',
      'chat, superchat',
      'Sec-WebSocket-Version',
      '13',
    ];
    expect(
      requestHeadFromParsed({ method: 'GET', url: '/chat', httpVersion: '1.1', rawHeaders }),
    ).toEqual(fromBytes);
  });

  it('falls back to the joined headers record', () => {
    const head = requestHeadFromParsed({
      method: 'GET',
      url: '/',
      httpVersion: '1.1',
      headers: { host: 'h', 'x-list': ['a', 'b'], absent: undefined },
    });
    expect(head.fields).toEqual({ host: ['h'], 'x-list': ['a', 'b'] });
  });

  it('runs the same checks', () => {
    expect(() =>
      requestHeadFromParsed({
        method: 'GET',
        url: '/',
        httpVersion: '1.1',
        rawHeaders: ['X', 'a\nb'],
      }),
    ).toThrow(expect.objectContaining({ code: 'HTTP_BAD_FIELD_VALUE', httpStatus: 400 }));
    expect(() =>
      requestHeadFromParsed({ method: 'GET', url: '/', httpVersion: '2', rawHeaders: [] }),
    ).toThrow(expect.objectContaining({ code: 'HTTP_BAD_REQUEST_LINE' }));
    expect(() =>
      requestHeadFromParsed(
        { method: 'GET', url: '/', httpVersion: '1.1', rawHeaders: ['A', '1', 'B', '2'] },
        { maxFields: 1 },
      ),
    ).toThrow(expect.objectContaining({ code: 'HTTP_TOO_MANY_FIELDS', httpStatus: 431 }));
  });
});

describe('isHttpToken, isHttpFieldValue', () => {
  it('tokens (RFC 7230 3.2.6)', () => {
    expect(isHttpToken('chat.v2+json')).toBe(true);
    expect(isHttpToken('')).toBe(false);
    expect(isHttpToken('a b')).toBe(false);
    expect(isHttpToken('a,b')).toBe(false);
    expect(isHttpToken('é')).toBe(false);
  });
  it('field values', () => {
    expect(isHttpFieldValue('a\tb c\u00ff')).toBe(true);
    expect(isHttpFieldValue('a\r\nSet-Cookie: x')).toBe(false);
    expect(isHttpFieldValue('\u0100')).toBe(false);
  });
});
