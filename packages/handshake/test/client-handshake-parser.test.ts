import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClientHandshakeParser,
  type ClientHandshakeResult,
  createClientHandshake,
  type HandshakeErrorCode,
} from '../src/index.js';
import { bytes, concat, feed, hex, split, text } from './helpers.js';

// The client example of 5.1 (SPEC-NOTES): its expected answer is 0st3Rl&q-2ZU^weu.
const HANDSHAKE = createClientHandshake({
  url: 'ws://example.com/demo',
  origin: 'http://example.com',
  keys: {
    key1: 'P388 O503D& ul7 {K%gX( %7 15',
    key2: '1 N ?|k UT0or 3o  4 I97N 5-S3O 31',
    number1: 777_007_543,
    number2: 114_997_259,
    spaces1: 5,
    spaces2: 9,
    key3: hex('47 30 22 2D 5A 3F 47 58'),
  },
});
const REPLY = '0st3Rl&q-2ZU^weu';
const STATUS = 'HTTP/1.1 101 WebSocket Protocol Handshake';
const FIELDS = [
  'Upgrade: WebSocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Location: ws://example.com/demo',
  'Sec-WebSocket-Origin: http://example.com',
];
const FRAME = hex('04 05 48 65 6C 6C 6F'); // text "Hello" (4.6)

function response(fields = FIELDS, status = STATUS, reply = REPLY): Uint8Array {
  return bytes(`${status}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${reply}`);
}

function parse(
  data: Uint8Array | string,
  options: Partial<ConstructorParameters<typeof ClientHandshakeParser>[0]> = {},
  eof = false,
): ClientHandshakeResult {
  const parser = new ClientHandshakeParser({ ...HANDSHAKE, ...options });
  const result = parser.receiveData(typeof data === 'string' ? bytes(data) : data);
  return eof && result.kind === 'need-more' ? parser.receiveEof() : result;
}

function failure(result: ClientHandshakeResult): { code: HandshakeErrorCode; step?: number } {
  if (result.kind !== 'failed') throw new Error(`expected failed, got ${result.kind}`);
  const { code, step, section } = result.error;
  expect(section).toBe('5.1');
  return step === undefined ? { code } : { code, step };
}

describe('ClientHandshakeParser: success (5.1 steps 31–50)', () => {
  it('accepts the example response and hands over the frames behind it', () => {
    const result = parse(concat(response(), FRAME));
    expect(result).toEqual({
      kind: 'established',
      protocol: undefined,
      fields: [
        ['upgrade', 'WebSocket'],
        ['connection', 'Upgrade'],
        ['sec-websocket-location', 'ws://example.com/demo'],
        ['sec-websocket-origin', 'http://example.com'],
      ],
      cookies: [],
      rest: FRAME,
    });
  });

  it('step 36: names are lowercased (A–Z only); step 38: one space after the colon skipped', () => {
    const r = parse(
      response(['UPGRADE:WebSocket', 'CoNNection: Upgrade', ...FIELDS.slice(2), 'X-É: a  b ']),
    );
    expect(r.kind).toBe('established');
    if (r.kind === 'established') {
      expect(r.fields[0]).toEqual(['upgrade', 'WebSocket']);
      expect(r.fields[1]).toEqual(['connection', 'Upgrade']);
      // Step 40: name and value decoded as UTF-8 (invalid bytes → U+FFFD); É is not A–Z.
      expect(r.fields[4]).toEqual(['x-\ufffd', 'a  b ']);
    }
  });

  it('step 44: Upgrade and Connection compare ASCII case-insensitively', () => {
    const r = parse(response(['Upgrade: websocket', 'Connection: UPGRADE', ...FIELDS.slice(2)]));
    expect(r.kind).toBe('established');
  });

  it('steps 43–44, 49–51: Set-Cookie and Set-Cookie2 are collected in order, for the caller', () => {
    const r = parse(
      response([...FIELDS, 'Set-Cookie: a=1', 'Set-Cookie2: b=2', 'Set-Cookie: c=3']),
    );
    expect(r.kind === 'established' && r.cookies).toEqual([
      { name: 'set-cookie', value: 'a=1' },
      { name: 'set-cookie2', value: 'b=2' },
      { name: 'set-cookie', value: 'c=3' },
    ]);
  });

  it('step 44: with protocols offered, the one Sec-WebSocket-Protocol must be one of them', () => {
    const r = parse(response([...FIELDS, 'Sec-WebSocket-Protocol: b']), { protocols: ['a', 'b'] });
    expect(r.kind === 'established' && r.protocol).toBe('b');
  });

  it('step 44: with no protocol offered, Sec-WebSocket-Protocol fields are ignored', () => {
    const r = parse(
      response([...FIELDS, 'Sec-WebSocket-Protocol: x', 'Sec-WebSocket-Protocol: y']),
    );
    expect(r.kind === 'established' && r.protocol).toBe(undefined);
  });

  it('takes a url instead of a location', () => {
    const r = parse(response(), {
      location: undefined,
      url: { host: 'example.com', port: 80, resourceName: '/demo', secure: false },
    });
    expect(r.kind).toBe('established');
  });

  it('step 33: 407 → proxy-auth-required with the fields (e.g. Proxy-Authenticate)', () => {
    const r = parse(
      concat(
        bytes(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 2\r\n\r\n',
        ),
        bytes('ok'),
      ),
    );
    expect(r).toEqual({
      kind: 'proxy-auth-required',
      fields: [
        ['proxy-authenticate', 'Basic realm="x"'],
        ['content-length', '2'],
      ],
      rest: bytes('ok'),
    });
  });
});

describe('ClientHandshakeParser: every failure, with its step', () => {
  it.each([
    ['shorter than seven bytes', 'H 1 \r\n'],
    ['not ending in CRLF (LF only)', 'HTTP/1.1 101 Switching\n'],
    ['a CR other than the penultimate byte', 'HTTP/1.1 101\r Web\r\n'],
    ['fewer than two spaces', 'HTTP/1.1 101\r\n'],
  ])('step 31: a status line %s → HANDSHAKE_BAD_STATUS_LINE', (_, line) => {
    expect(failure(parse(`${line}Upgrade: WebSocket\r\n`))).toEqual({
      code: 'HANDSHAKE_BAD_STATUS_LINE',
      step: 31,
    });
  });

  it('step 33: a code other than 101 or 407 → HANDSHAKE_UNEXPECTED_STATUS', () => {
    expect(failure(parse(response(FIELDS, 'HTTP/1.1 200 OK')))).toEqual({
      code: 'HANDSHAKE_UNEXPECTED_STATUS',
      step: 33,
    });
    // Step 32: the code is what lies between the first two spaces, exactly.
    expect(failure(parse(response(FIELDS, 'HTTP/1.1  101 x'))).code).toBe(
      'HANDSHAKE_UNEXPECTED_STATUS',
    );
  });

  it('step 36: a CR inside a field name → HANDSHAKE_BAD_FIELD_NAME', () => {
    expect(failure(parse(`${STATUS}\r\nUpgr\rade: WebSocket\r\n`))).toEqual({
      code: 'HANDSHAKE_BAD_FIELD_NAME',
      step: 36,
    });
  });

  it('step 36: an LF inside a field name → HANDSHAKE_BAD_FIELD_NAME', () => {
    expect(failure(parse(`${STATUS}\r\nUpgrade\n`))).toEqual({
      code: 'HANDSHAKE_BAD_FIELD_NAME',
      step: 36,
    });
  });

  it('step 38: an LF inside a value → HANDSHAKE_BAD_FIELD_VALUE', () => {
    expect(failure(parse(`${STATUS}\r\nUpgrade: Web\nSocket\r\n`))).toEqual({
      code: 'HANDSHAKE_BAD_FIELD_VALUE',
      step: 38,
    });
  });

  it('step 39: a CR after a value not followed by LF → HANDSHAKE_BAD_LINE_ENDING', () => {
    expect(failure(parse(`${STATUS}\r\nUpgrade: WebSocket\rX`))).toEqual({
      code: 'HANDSHAKE_BAD_LINE_ENDING',
      step: 39,
    });
  });

  it('step 42: the blank line CR not followed by LF → HANDSHAKE_BAD_LINE_ENDING', () => {
    expect(failure(parse(`${STATUS}\r\nUpgrade: WebSocket\r\n\rX`))).toEqual({
      code: 'HANDSHAKE_BAD_LINE_ENDING',
      step: 42,
    });
  });

  const without = (name: string) => FIELDS.filter((f) => !f.startsWith(name));
  it.each([
    ['Upgrade', 'HANDSHAKE_MISSING_UPGRADE'],
    ['Connection', 'HANDSHAKE_MISSING_CONNECTION'],
    ['Sec-WebSocket-Origin', 'HANDSHAKE_MISSING_ORIGIN'],
    ['Sec-WebSocket-Location', 'HANDSHAKE_MISSING_LOCATION'],
  ])('step 44: no %s field → %s', (name, code) => {
    expect(failure(parse(response(without(name))))).toEqual({ code, step: 44 });
  });

  it.each(FIELDS)('step 44: %s twice → HANDSHAKE_DUPLICATE_FIELD', (field) => {
    const r = parse(response([...FIELDS, field]));
    expect(failure(r)).toEqual({ code: 'HANDSHAKE_DUPLICATE_FIELD', step: 44 });
    expect(r.kind === 'failed' && r.error.field).toBe(
      field.slice(0, field.indexOf(':')).toLowerCase(),
    );
  });

  it('step 44: protocols offered and no Sec-WebSocket-Protocol → HANDSHAKE_MISSING_PROTOCOL', () => {
    expect(failure(parse(response(), { protocols: ['chat'] }))).toEqual({
      code: 'HANDSHAKE_MISSING_PROTOCOL',
      step: 44,
    });
  });

  it('step 44: protocols offered and two Sec-WebSocket-Protocol → HANDSHAKE_DUPLICATE_FIELD', () => {
    const fields = [...FIELDS, 'Sec-WebSocket-Protocol: chat', 'Sec-WebSocket-Protocol: chat'];
    expect(failure(parse(response(fields), { protocols: ['chat'] }))).toEqual({
      code: 'HANDSHAKE_DUPLICATE_FIELD',
      step: 44,
    });
  });

  it('step 44: a field with an empty name → HANDSHAKE_EMPTY_FIELD_NAME', () => {
    expect(failure(parse(response([...FIELDS, ': x'])))).toEqual({
      code: 'HANDSHAKE_EMPTY_FIELD_NAME',
      step: 44,
    });
  });

  it('step 44: Upgrade other than "websocket" → HANDSHAKE_BAD_UPGRADE', () => {
    // Step 38 skips only one space, so the value here is " WebSocket".
    expect(failure(parse(response(['Upgrade:  WebSocket', ...FIELDS.slice(1)])))).toEqual({
      code: 'HANDSHAKE_BAD_UPGRADE',
      step: 44,
    });
  });

  it('step 44: Connection other than "upgrade" → HANDSHAKE_BAD_CONNECTION', () => {
    const fields = [FIELDS[0]!, 'Connection: Upgrade, keep-alive', ...FIELDS.slice(2)];
    expect(failure(parse(response(fields)))).toEqual({
      code: 'HANDSHAKE_BAD_CONNECTION',
      step: 44,
    });
  });

  it('step 44: Sec-WebSocket-Origin not exactly the origin → HANDSHAKE_ORIGIN_MISMATCH', () => {
    const fields = [...FIELDS.slice(0, 3), 'Sec-WebSocket-Origin: http://EXAMPLE.com'];
    expect(failure(parse(response(fields)))).toEqual({
      code: 'HANDSHAKE_ORIGIN_MISMATCH',
      step: 44,
    });
  });

  it('step 44: Sec-WebSocket-Location not the constructed URL → HANDSHAKE_LOCATION_MISMATCH', () => {
    const fields = [
      ...FIELDS.slice(0, 2),
      'Sec-WebSocket-Location: ws://example.com:80/demo',
      FIELDS[3]!,
    ];
    expect(failure(parse(response(fields)))).toEqual({
      code: 'HANDSHAKE_LOCATION_MISMATCH',
      step: 44,
    });
  });

  it('step 44: a Sec-WebSocket-Protocol not offered → HANDSHAKE_PROTOCOL_MISMATCH', () => {
    const r = parse(response([...FIELDS, 'Sec-WebSocket-Protocol: a b']), {
      protocols: ['a', 'b'],
    });
    expect(failure(r)).toEqual({ code: 'HANDSHAKE_PROTOCOL_MISMATCH', step: 44 });
  });

  it('step 48: a reply other than the expected 16 bytes → HANDSHAKE_CHALLENGE_MISMATCH', () => {
    expect(failure(parse(response(FIELDS, STATUS, '0st3Rl&q-2ZU^weU')))).toEqual({
      code: 'HANDSHAKE_CHALLENGE_MISMATCH',
      step: 48,
    });
  });

  it.each([
    [31, ''],
    [31, 'HTTP/1.1 101 Web'],
    [36, `${STATUS}\r\nUpgr`],
    [38, `${STATUS}\r\nUpgrade: Web`],
    [39, `${STATUS}\r\nUpgrade: WebSocket\r`],
    [42, `${text(response()).slice(0, -17)}`],
    [47, `${text(response()).slice(0, -1)}`],
  ])('the connection closes in step %i → HANDSHAKE_UNEXPECTED_EOF', (step, data) => {
    expect(failure(parse(data, {}, true))).toEqual({ code: 'HANDSHAKE_UNEXPECTED_EOF', step });
  });

  it('a head over maxHeadBytes → HANDSHAKE_HEAD_TOO_LARGE (and nothing beyond is buffered)', () => {
    const big = response([...FIELDS, `X: ${'a'.repeat(300)}`]);
    expect(failure(parse(big, { maxHeadBytes: 256 })).code).toBe('HANDSHAKE_HEAD_TOO_LARGE');
    // Exactly at the limit is fine.
    const head = text(response()).length - 16;
    expect(parse(response(), { maxHeadBytes: head }).kind).toBe('established');
    expect(failure(parse(response(), { maxHeadBytes: head - 1 })).code).toBe(
      'HANDSHAKE_HEAD_TOO_LARGE',
    );
    // A status line that never ends fails as soon as the limit is reached, even byte by byte.
    const parser = new ClientHandshakeParser({ ...HANDSHAKE, maxHeadBytes: 64 });
    let last: ClientHandshakeResult = { kind: 'need-more' };
    for (let i = 0; i < 64 && last.kind === 'need-more'; i++) last = parser.receiveData(bytes('x'));
    expect(failure(last).code).toBe('HANDSHAKE_HEAD_TOO_LARGE');
  });

  it('more than maxFields fields → HANDSHAKE_TOO_MANY_FIELDS', () => {
    const many = [...FIELDS, ...Array.from({ length: 10 }, (_, i) => `X-${i}: ${i}`)];
    expect(failure(parse(response(many), { maxFields: 10 })).code).toBe(
      'HANDSHAKE_TOO_MANY_FIELDS',
    );
    expect(parse(response(many), { maxFields: 14 }).kind).toBe('established');
  });

  it('after the outcome: a failure is sticky; more data after success → HANDSHAKE_INVALID_STATE', () => {
    const failed = new ClientHandshakeParser(HANDSHAKE);
    const first = failed.receiveData(bytes('HTTP/1.1 200 OK\r\n'));
    expect(failed.receiveData(bytes('more'))).toBe(first);
    expect(failed.receiveEof()).toBe(first);
    const done = new ClientHandshakeParser(HANDSHAKE);
    expect(done.receiveData(response()).kind).toBe('established');
    expect(failure(done.receiveData(FRAME)).code).toBe('HANDSHAKE_INVALID_STATE');
    expect(failure(done.receiveEof()).code).toBe('HANDSHAKE_INVALID_STATE');
  });

  it('needs location or url', () => {
    expect(() => new ClientHandshakeParser({ expected: new Uint8Array(16), origin: 'x' })).toThrow(
      TypeError,
    );
  });
});

describe('ClientHandshakeParser: any split gives the same outcome', () => {
  const valid = concat(
    response([...FIELDS, 'Set-Cookie: a=1', 'Sec-WebSocket-Protocol: chat']),
    FRAME,
  );

  it('a valid response split anywhere (rest + later chunks = the frames)', () => {
    const whole = feed(new ClientHandshakeParser({ ...HANDSHAKE, protocols: ['chat'] }), [valid]);
    expect(whole.result.kind).toBe('established');
    fc.assert(
      fc.property(fc.array(fc.nat(valid.length), { maxLength: 12 }), (cuts) => {
        const parser = new ClientHandshakeParser({ ...HANDSHAKE, protocols: ['chat'] });
        const { result, after } = feed(parser, split(valid, cuts));
        expect({ ...result, rest: undefined }).toEqual({ ...whole.result, rest: undefined });
        expect(after).toEqual(FRAME);
      }),
      { numRuns: 300 },
    );
  });

  it('byte by byte', () => {
    const parser = new ClientHandshakeParser({ ...HANDSHAKE, protocols: ['chat'] });
    const { result, after } = feed(parser, split(valid, Array.from(valid.keys())));
    expect(result.kind).toBe('established');
    expect(after).toEqual(FRAME);
  });

  it('damaged responses: the same verdict however they are split, and never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.nat(valid.length), { maxLength: 8 }),
        (edits, cuts) => {
          const damaged = valid.slice();
          for (const [at, b] of edits) damaged[at] = b;
          const verdict = (chunks: Uint8Array[]) => {
            const { result } = feed(
              new ClientHandshakeParser({ ...HANDSHAKE, protocols: ['chat'], maxHeadBytes: 200 }),
              chunks,
              true,
            );
            return result.kind === 'failed'
              ? `${result.error.code}/${result.error.step}`
              : result.kind;
          };
          expect(verdict(split(damaged, cuts))).toBe(verdict([damaged]));
        },
      ),
      { numRuns: 500 },
    );
  });
});
