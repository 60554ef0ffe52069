import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HandshakeErrorCode,
  type ServerHandshakeOptions,
  ServerHandshakeParser,
  type ServerHandshakeResult,
} from '../src/index.js';
import { CLASSIC_FIELDS, CLASSIC_KEY3, CLASSIC_REQUEST, FRAME, requestBytes } from './fixtures.js';
import { bytes, concat, feed, split } from './helpers.js';

const SAMPLE: ServerHandshakeOptions = { protocols: ['sample'] };

function parse(
  data: Uint8Array,
  options: ServerHandshakeOptions = SAMPLE,
  eof = false,
): ServerHandshakeResult {
  const parser = new ServerHandshakeParser(options);
  const result = parser.receiveData(data);
  return eof && result.kind === 'need-more' ? parser.receiveEof() : result;
}

function failure(result: ServerHandshakeResult): {
  code: HandshakeErrorCode;
  status: number | undefined;
} {
  if (result.kind !== 'failed') throw new Error(`expected failed, got ${result.kind}`);
  return { code: result.error.code, status: result.error.httpStatus };
}

/** The classic fields with `name` replaced by `value` (or removed when `value` is undefined). */
function withField(name: string, value: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [n, v] of CLASSIC_FIELDS) {
    if (n.toLowerCase() !== name.toLowerCase()) out.push([n, v]);
    else if (value !== undefined) out.push([n, value]);
  }
  if (value !== undefined && !out.some(([n]) => n.toLowerCase() === name.toLowerCase())) {
    out.push([name, value]);
  }
  return out;
}

const abortWith = (fields: readonly (readonly [string, string])[], options = SAMPLE) =>
  failure(parse(requestBytes(fields), options));

describe('ServerHandshakeParser: a valid request (5.2.1)', () => {
  it('the classic request: every part, key_3, nothing left over', () => {
    const result = parse(CLASSIC_REQUEST);
    expect(result.kind).toBe('request');
    if (result.kind !== 'request') return;
    const { fields, ...request } = result.request;
    expect(request).toEqual({
      method: 'GET',
      resourceName: '/demo',
      httpVersion: 'HTTP/1.1',
      host: 'example.com',
      hostname: 'example.com',
      port: undefined,
      origin: 'http://example.com',
      draft: '2',
      protocols: ['sample'],
      protocol: 'sample',
      key1: '4 @1  46546xW%0l 1 5',
      key2: '12998 5 Y3 1  .P00',
      key3: CLASSIC_KEY3,
      secure: false,
    });
    expect({ ...fields }).toEqual({
      host: ['example.com'],
      connection: ['Upgrade'],
      'sec-websocket-key2': ['12998 5 Y3 1  .P00'],
      'sec-websocket-protocol': ['sample'],
      upgrade: ['WebSocket'],
      'sec-websocket-draft': ['2'],
      'sec-websocket-key1': ['4 @1  46546xW%0l 1 5'],
      origin: ['http://example.com'],
    });
    expect(result.rest.length).toBe(0);
  });

  it('part 6: bytes after key_3 (pipelined frames) come back as rest', () => {
    const result = parse(concat(CLASSIC_REQUEST, FRAME));
    expect(result.kind === 'request' && result.rest).toEqual(FRAME);
  });

  it('part 6: waits for all 8 bytes of key_3, however they arrive', () => {
    const parser = new ServerHandshakeParser(SAMPLE);
    const head = CLASSIC_REQUEST.subarray(0, CLASSIC_REQUEST.length - 8);
    expect(parser.receiveData(head).kind).toBe('need-more');
    expect(parser.phase).toBe('key3');
    expect(parser.receiveData(CLASSIC_KEY3.subarray(0, 3)).kind).toBe('need-more');
    const result = parser.receiveData(concat(CLASSIC_KEY3.subarray(3), FRAME));
    expect(result.kind === 'request' && result.request.key3).toEqual(CLASSIC_KEY3);
    expect(result.kind === 'request' && result.rest).toEqual(FRAME);
    expect(parser.phase).toBe('done');
  });

  it('key_3 is a copy: reusing the chunk afterwards does not change the request', () => {
    const chunk = CLASSIC_REQUEST.slice();
    const result = parse(chunk);
    chunk.fill(0);
    expect(result.kind === 'request' && result.request.key3).toEqual(CLASSIC_KEY3);
  });

  it('field names are case-insensitive; values trimmed of SP/HTAB; unknown fields kept', () => {
    const fields: [string, string][] = [
      ...withField('Upgrade', undefined),
      ['uPgRaDe', ' \twebsocket\t '],
      ['X-Custom', 'one'],
      ['x-custom', 'two'],
      ['__proto__', 'safe'],
    ];
    const result = parse(requestBytes(fields));
    expect(result.kind).toBe('request');
    if (result.kind !== 'request') return;
    expect(result.request.fields.upgrade).toEqual(['websocket']);
    expect(result.request.fields['x-custom']).toEqual(['one', 'two']);
    expect(result.request.fields.__proto__).toEqual(['safe']);
    expect(Object.getPrototypeOf(result.request.fields)).toBe(null);
  });

  it('Host: host lowercased, port parsed, IPv6 brackets kept', () => {
    const host = (value: string) => {
      const r = parse(requestBytes(withField('Host', value)));
      return r.kind === 'request' ? [r.request.host, r.request.hostname, r.request.port] : r;
    };
    expect(host('Example.COM:8080')).toEqual(['Example.COM:8080', 'example.com', 8080]);
    expect(host('[::1]:9000')).toEqual(['[::1]:9000', '[::1]', 9000]);
    expect(host('[2001:DB8::1]')).toEqual(['[2001:DB8::1]', '[2001:db8::1]', undefined]);
    expect(host('10.0.0.1')).toEqual(['10.0.0.1', '10.0.0.1', undefined]);
  });

  it('values are decoded as UTF-8 (invalid bytes → U+FFFD)', () => {
    const head = bytes('X-A: caf\xc3\xa9 \xff\r\n');
    const data = concat(
      bytes('GET /demo HTTP/1.1\r\n'),
      head,
      requestBytes(CLASSIC_FIELDS, 'X').subarray(3),
    );
    const result = parse(data);
    expect(result.kind === 'request' && result.request.fields['x-a']).toEqual(['café \ufffd']);
  });

  it('the secure option is reported in the request', () => {
    const result = parse(CLASSIC_REQUEST, { ...SAMPLE, secure: true });
    expect(result.kind === 'request' && result.request.secure).toBe(true);
  });

  it('accepts HTTP/1.1 and later HTTP/1.x', () => {
    expect(parse(requestBytes(CLASSIC_FIELDS, 'GET /demo HTTP/1.2')).kind).toBe('request');
  });
});

describe('ServerHandshakeParser: subprotocols (5.2.1 |Sec-WebSocket-Protocol|)', () => {
  const offer = (value: string | undefined, options: ServerHandshakeOptions) =>
    parse(requestBytes(withField('Sec-WebSocket-Protocol', value)), options);

  it('a list: the first protocol the client offered that the server supports', () => {
    const r = offer('a b c', { protocols: ['c', 'b'] });
    expect(r.kind === 'request' && [r.request.protocols, r.request.protocol]).toEqual([
      ['a', 'b', 'c'],
      'b',
    ]);
  });

  it('a selector gets the offer and the head', () => {
    const seen: unknown[] = [];
    const r = offer('a b', {
      protocols: (offered, head) => {
        seen.push([...offered], head.resourceName);
        return 'b';
      },
    });
    expect(r.kind === 'request' && r.request.protocol).toBe('b');
    expect(seen).toEqual([['a', 'b'], '/demo']);
  });

  it('no field: no protocol, and the selector is not asked', () => {
    const r = offer(undefined, {
      protocols: () => {
        throw new Error('not called');
      },
    });
    expect(r.kind === 'request' && [r.request.protocols, r.request.protocol]).toEqual([
      [],
      undefined,
    ]);
  });

  it('a selector returning a protocol the client did not offer is a bug: TypeError', () => {
    expect(() => offer('a', { protocols: () => 'z' })).toThrow(TypeError);
  });
});

describe('ServerHandshakeParser: every abort, one test each', () => {
  it('a line ending in LF without CR → HANDSHAKE_BAD_LINE_ENDING (400)', () => {
    expect(failure(parse(bytes('GET /demo HTTP/1.1\nHost: x\r\n\r\n')))).toEqual({
      code: 'HANDSHAKE_BAD_LINE_ENDING',
      status: 400,
    });
    expect(failure(parse(bytes('GET /demo HTTP/1.1\r\nHost: x\n\r\n'))).code).toBe(
      'HANDSHAKE_BAD_LINE_ENDING',
    );
  });

  it('parts 1–4: a request line without two spaces, or empty → HANDSHAKE_BAD_REQUEST_LINE', () => {
    expect(failure(parse(requestBytes(CLASSIC_FIELDS, 'GET /demo')))).toEqual({
      code: 'HANDSHAKE_BAD_REQUEST_LINE',
      status: 400,
    });
    expect(failure(parse(bytes('\r\nGET / HTTP/1.1\r\n'))).code).toBe('HANDSHAKE_BAD_REQUEST_LINE');
  });

  it('part 1: a method other than GET → HANDSHAKE_BAD_METHOD (405)', () => {
    expect(failure(parse(requestBytes(CLASSIC_FIELDS, 'POST /demo HTTP/1.1')))).toEqual({
      code: 'HANDSHAKE_BAD_METHOD',
      status: 405,
    });
    expect(failure(parse(requestBytes(CLASSIC_FIELDS, 'get /demo HTTP/1.1'))).code).toBe(
      'HANDSHAKE_BAD_METHOD',
    );
  });

  it('part 3: a resource name not "/" + U+0021–U+007E → HANDSHAKE_BAD_RESOURCE_NAME', () => {
    for (const line of ['GET demo HTTP/1.1', 'GET /d\xe9mo HTTP/1.1', 'GET http://h/ HTTP/1.1']) {
      expect(failure(parse(requestBytes(CLASSIC_FIELDS, line)))).toEqual({
        code: 'HANDSHAKE_BAD_RESOURCE_NAME',
        status: 400,
      });
    }
  });

  it('part 4: a version other than HTTP/1.1+ → HANDSHAKE_BAD_HTTP_VERSION (505)', () => {
    for (const v of ['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', 'http/1.1', 'HTTP/1.', 'HTTP/1.x']) {
      expect(failure(parse(requestBytes(CLASSIC_FIELDS, `GET /demo ${v}`)))).toEqual({
        code: 'HANDSHAKE_BAD_HTTP_VERSION',
        status: 505,
      });
    }
  });

  it('part 5: a field line without a colon, a folded line or a bad name → HANDSHAKE_BAD_FIELD_NAME', () => {
    const head = (extra: string) =>
      parse(concat(bytes(`GET /demo HTTP/1.1\r\n${extra}\r\n`), requestBytes().subarray(20)));
    expect(failure(head('NoColonHere'))).toEqual({ code: 'HANDSHAKE_BAD_FIELD_NAME', status: 400 });
    expect(failure(head(' folded: continuation')).code).toBe('HANDSHAKE_BAD_FIELD_NAME');
    expect(failure(head('Bad Name: x')).code).toBe('HANDSHAKE_BAD_FIELD_NAME');
    expect(failure(head('N\xe4me: x')).code).toBe('HANDSHAKE_BAD_FIELD_NAME');
  });

  it('part 5: an empty field name → HANDSHAKE_EMPTY_FIELD_NAME', () => {
    expect(abortWith([...CLASSIC_FIELDS, ['', 'x']])).toEqual({
      code: 'HANDSHAKE_EMPTY_FIELD_NAME',
      status: 400,
    });
  });

  it('part 5: a control character in a value → HANDSHAKE_BAD_FIELD_VALUE', () => {
    expect(abortWith([...CLASSIC_FIELDS, ['X-A', 'a\x00b']])).toEqual({
      code: 'HANDSHAKE_BAD_FIELD_VALUE',
      status: 400,
    });
    expect(abortWith([...CLASSIC_FIELDS, ['X-A', 'a\rb']]).code).toBe('HANDSHAKE_BAD_FIELD_VALUE');
  });

  it.each(
    CLASSIC_FIELDS.map(([n, v]) => [n, v] as const),
  )('a second %s field → HANDSHAKE_DUPLICATE_FIELD', (name, value) => {
    const result = parse(requestBytes([...CLASSIC_FIELDS, [name, value]]));
    expect(failure(result)).toEqual({ code: 'HANDSHAKE_DUPLICATE_FIELD', status: 400 });
    expect(result.kind === 'failed' && result.error.field).toBe(name.toLowerCase());
  });

  it('no Upgrade field (a plain HTTP request) → HANDSHAKE_MISSING_UPGRADE (426)', () => {
    expect(abortWith(withField('Upgrade', undefined))).toEqual({
      code: 'HANDSHAKE_MISSING_UPGRADE',
      status: 426,
    });
  });

  it.each([
    ['Connection', 'HANDSHAKE_MISSING_CONNECTION'],
    ['Host', 'HANDSHAKE_MISSING_HOST'],
    ['Origin', 'HANDSHAKE_MISSING_ORIGIN'],
    ['Sec-WebSocket-Draft', 'HANDSHAKE_MISSING_DRAFT'],
    ['Sec-WebSocket-Key1', 'HANDSHAKE_MISSING_KEY'],
    ['Sec-WebSocket-Key2', 'HANDSHAKE_MISSING_KEY'],
  ])('no %s field → %s (400)', (name, code) => {
    expect(abortWith(withField(name, undefined))).toEqual({ code, status: 400 });
  });

  it('Upgrade other than "WebSocket" (any case) → HANDSHAKE_BAD_UPGRADE', () => {
    expect(abortWith(withField('Upgrade', 'websocketx'))).toEqual({
      code: 'HANDSHAKE_BAD_UPGRADE',
      status: 400,
    });
  });

  it('Connection other than "Upgrade" (any case) → HANDSHAKE_BAD_CONNECTION', () => {
    expect(abortWith(withField('Connection', 'keep-alive, Upgrade'))).toEqual({
      code: 'HANDSHAKE_BAD_CONNECTION',
      status: 400,
    });
  });

  it('Host not host[:port] → HANDSHAKE_BAD_HOST', () => {
    for (const v of [
      '',
      'a b',
      'h:',
      'h:0',
      'h:65536',
      'h:123456',
      'h:8x',
      '[zz]',
      '[::1',
      'u@h',
      'h/x',
    ]) {
      expect(abortWith(withField('Host', v)), v).toEqual({
        code: 'HANDSHAKE_BAD_HOST',
        status: 400,
      });
    }
  });

  it('acceptHost refusing the Host → HANDSHAKE_HOST_REJECTED', () => {
    const calls: unknown[] = [];
    const options: ServerHandshakeOptions = {
      ...SAMPLE,
      acceptHost: (...args) => {
        calls.push(args);
        return false;
      },
    };
    expect(failure(parse(requestBytes(withField('Host', 'Example.com:81')), options))).toEqual({
      code: 'HANDSHAKE_HOST_REJECTED',
      status: 400,
    });
    expect(calls).toEqual([['Example.com:81', 'example.com', 81]]);
  });

  it('acceptOrigin refusing the Origin → HANDSHAKE_ORIGIN_REJECTED (403)', () => {
    const options = { ...SAMPLE, acceptOrigin: (o: string) => o === 'https://good.example' };
    expect(failure(parse(CLASSIC_REQUEST, options))).toEqual({
      code: 'HANDSHAKE_ORIGIN_REJECTED',
      status: 403,
    });
    expect(parse(requestBytes(withField('Origin', 'https://good.example')), options).kind).toBe(
      'request',
    );
  });

  it('Sec-WebSocket-Draft other than "2" → HANDSHAKE_UNSUPPORTED_DRAFT', () => {
    for (const v of ['3', '02', '2, 3', '']) {
      expect(abortWith(withField('Sec-WebSocket-Draft', v))).toEqual({
        code: 'HANDSHAKE_UNSUPPORTED_DRAFT',
        status: 400,
      });
    }
  });

  it('a hixie-76 / hybi-00 request (no Sec-WebSocket-Draft) → HANDSHAKE_MISSING_DRAFT', () => {
    const r = parse(requestBytes(withField('Sec-WebSocket-Draft', undefined)));
    expect(r.kind === 'failed' && [r.error.code, r.error.field]).toEqual([
      'HANDSHAKE_MISSING_DRAFT',
      'sec-websocket-draft',
    ]);
  });

  it.each([
    ['Sec-WebSocket-Key1', 'no digits here', 'HANDSHAKE_BAD_KEY', 4],
    ['Sec-WebSocket-Key2', '4294967 296', 'HANDSHAKE_KEY_TOO_LARGE', 4],
    ['Sec-WebSocket-Key1', '123456789012345678901234567890 1', 'HANDSHAKE_KEY_TOO_LARGE', 4],
    ['Sec-WebSocket-Key1', '4@146546xW%0l15', 'HANDSHAKE_KEY_NO_SPACES', 5],
    ['Sec-WebSocket-Key2', '12998 5 Y31 .P00', 'HANDSHAKE_KEY_NOT_MULTIPLE', 6],
  ])('5.2.2: %s %j → %s (step %i), before key_3 is awaited', (name, value, code, step) => {
    const data = requestBytes(withField(name, value));
    // Without key_3: the abort does not wait for it.
    const r = parse(data.subarray(0, data.length - 8));
    expect(r.kind === 'failed' && [r.error.code, r.error.section, r.error.step]).toEqual([
      code,
      '5.2.2',
      step,
    ]);
  });

  it('a malformed Sec-WebSocket-Protocol list → HANDSHAKE_BAD_PROTOCOL_LIST', () => {
    for (const v of ['', 'a  b', 'a a', 'a\tb', 'b \xe9']) {
      expect(abortWith(withField('Sec-WebSocket-Protocol', v)), v).toEqual({
        code: 'HANDSHAKE_BAD_PROTOCOL_LIST',
        status: 400,
      });
    }
  });

  it('offered subprotocols none of which is supported → HANDSHAKE_UNSUPPORTED_PROTOCOL', () => {
    // Default: the server speaks no subprotocol.
    expect(failure(parse(CLASSIC_REQUEST, {}))).toEqual({
      code: 'HANDSHAKE_UNSUPPORTED_PROTOCOL',
      status: 400,
    });
    expect(failure(parse(CLASSIC_REQUEST, { protocols: ['other'] })).code).toBe(
      'HANDSHAKE_UNSUPPORTED_PROTOCOL',
    );
    expect(failure(parse(CLASSIC_REQUEST, { protocols: () => undefined })).code).toBe(
      'HANDSHAKE_UNSUPPORTED_PROTOCOL',
    );
  });

  it('a head over maxHeadBytes → HANDSHAKE_HEAD_TOO_LARGE (431)', () => {
    const big = requestBytes([...CLASSIC_FIELDS, ['X-Big', 'a'.repeat(20_000)]]);
    expect(failure(parse(big))).toEqual({ code: 'HANDSHAKE_HEAD_TOO_LARGE', status: 431 });
    const head = CLASSIC_REQUEST.length - 8;
    expect(parse(CLASSIC_REQUEST, { ...SAMPLE, maxHeadBytes: head }).kind).toBe('request');
    expect(failure(parse(CLASSIC_REQUEST, { ...SAMPLE, maxHeadBytes: head - 1 })).code).toBe(
      'HANDSHAKE_HEAD_TOO_LARGE',
    );
    // A head that never ends, fed slowly: refused once the limit is reached.
    const parser = new ServerHandshakeParser({ maxHeadBytes: 100 });
    let result: ServerHandshakeResult = { kind: 'need-more' };
    for (let i = 0; i < 100 && result.kind === 'need-more'; i++) {
      result = parser.receiveData(bytes(i === 0 ? 'GET / HTTP/1.1\r\nX: ' : 'aaaaaaaa'));
    }
    expect(failure(result).code).toBe('HANDSHAKE_HEAD_TOO_LARGE');
  });

  it('more than maxFields fields → HANDSHAKE_TOO_MANY_FIELDS (431)', () => {
    const many: (readonly [string, string])[] = [...CLASSIC_FIELDS];
    for (let i = 0; i < 100; i++) many.push([`X-${i}`, `${i}`]);
    expect(failure(parse(requestBytes(many)))).toEqual({
      code: 'HANDSHAKE_TOO_MANY_FIELDS',
      status: 431,
    });
    expect(parse(requestBytes(many), { ...SAMPLE, maxFields: 108 }).kind).toBe('request');
  });

  it('end of stream in the head or in key_3 → HANDSHAKE_UNEXPECTED_EOF', () => {
    const inHead = parse(CLASSIC_REQUEST.subarray(0, 30), SAMPLE, true);
    expect(inHead.kind === 'failed' && [inHead.error.code, inHead.error.step]).toEqual([
      'HANDSHAKE_UNEXPECTED_EOF',
      5,
    ]);
    const inLine = parse(CLASSIC_REQUEST.subarray(0, 5), SAMPLE, true);
    expect(inLine.kind === 'failed' && inLine.error.step).toBe(1);
    const inKey3 = parse(CLASSIC_REQUEST.subarray(0, CLASSIC_REQUEST.length - 3), SAMPLE, true);
    expect(inKey3.kind === 'failed' && [inKey3.error.code, inKey3.error.step]).toEqual([
      'HANDSHAKE_UNEXPECTED_EOF',
      6,
    ]);
  });

  it('after the outcome: failures are sticky; using a finished parser → HANDSHAKE_INVALID_STATE', () => {
    const failed = new ServerHandshakeParser(SAMPLE);
    const first = failed.receiveData(bytes('POST / HTTP/1.1\r\n'));
    expect(failed.receiveData(CLASSIC_REQUEST)).toBe(first);
    expect(failed.receiveEof()).toBe(first);
    expect(failed.phase).toBe('failed');
    const done = new ServerHandshakeParser(SAMPLE);
    expect(done.receiveData(CLASSIC_REQUEST).kind).toBe('request');
    expect(failure(done.receiveData(FRAME)).code).toBe('HANDSHAKE_INVALID_STATE');
    expect(failure(done.receiveEof()).code).toBe('HANDSHAKE_INVALID_STATE');
  });

  it('a bad request line fails as soon as its line is complete', () => {
    const parser = new ServerHandshakeParser(SAMPLE);
    expect(failure(parser.receiveData(bytes('CONNECT x:1 HTTP/1.1\r\n'))).code).toBe(
      'HANDSHAKE_BAD_METHOD',
    );
  });
});

describe('ServerHandshakeParser: any split gives the same outcome', () => {
  const valid = concat(CLASSIC_REQUEST, FRAME);

  it('a valid request split anywhere: same request; rest + later chunks = the frame', () => {
    const whole = feed(new ServerHandshakeParser(SAMPLE), [valid]);
    expect(whole.result.kind).toBe('request');
    fc.assert(
      fc.property(fc.array(fc.nat(valid.length), { maxLength: 12 }), (cuts) => {
        const { result, after } = feed(new ServerHandshakeParser(SAMPLE), split(valid, cuts));
        expect({ ...result, rest: undefined }).toEqual({ ...whole.result, rest: undefined });
        expect(after).toEqual(FRAME);
      }),
      { numRuns: 300 },
    );
  });

  it('byte by byte', () => {
    const { result, after } = feed(
      new ServerHandshakeParser(SAMPLE),
      split(valid, [...valid.keys()]),
    );
    expect(result.kind).toBe('request');
    expect(after).toEqual(FRAME);
  });

  it('damaged requests: the same verdict however they are split, and never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.nat(valid.length), { maxLength: 8 }),
        fc.integer({ min: 40, max: 400 }),
        (edits, cuts, maxHeadBytes) => {
          const damaged = valid.slice();
          for (const [at, b] of edits) damaged[at] = b;
          const verdict = (chunks: Uint8Array[]) => {
            const { result } = feed(
              new ServerHandshakeParser({ ...SAMPLE, maxHeadBytes }),
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
