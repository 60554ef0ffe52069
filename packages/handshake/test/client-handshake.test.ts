import { describe, expect, it } from 'vitest';
import {
  ClientHandshakeTemplate,
  computeHandshakeResponse,
  createClientHandshake,
  HandshakeError,
  prepareClientHandshake,
} from '../src/index.js';
import { hex, seededRandom, text, toHex } from './helpers.js';

const CLIENT_EXAMPLE_KEYS = {
  key1: 'P388 O503D& ul7 {K%gX( %7 15',
  key2: '1 N ?|k UT0or 3o  4 I97N 5-S3O 31',
  number1: 777_007_543,
  number2: 114_997_259,
  spaces1: 5,
  spaces2: 9,
  key3: hex('47 30 22 2D 5A 3F 47 58'),
};

/** Splits a request into request line, field lines and the 8 bytes after the blank line. */
function dissect(request: Uint8Array): { line: string; fields: string[]; key3: Uint8Array } {
  const s = text(request);
  const end = s.indexOf('\r\n\r\n');
  const [line, ...fields] = s.slice(0, end).split('\r\n');
  return { line: line!, fields, key3: request.slice(end + 4) };
}

function thrown(fn: () => unknown): HandshakeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HandshakeError);
    return e as HandshakeError;
  }
  throw new Error('did not throw');
}

describe('createClientHandshake (5.1 steps 1, 6–30)', () => {
  it('the client example: keys, key_3 and expected 0st3Rl&q-2ZU^weu', () => {
    const hs = createClientHandshake({
      url: 'ws://example.com/demo',
      origin: 'http://example.com',
      keys: CLIENT_EXAMPLE_KEYS,
    });
    expect(text(hs.expected)).toBe('0st3Rl&q-2ZU^weu');
    const { line, fields, key3 } = dissect(hs.request);
    expect(line).toBe('GET /demo HTTP/1.1');
    expect([...fields].sort()).toEqual(
      [
        'Upgrade: WebSocket',
        'Connection: Upgrade',
        'Host: example.com',
        'Origin: http://example.com',
        'Sec-WebSocket-Draft: 2',
        `Sec-WebSocket-Key1: ${CLIENT_EXAMPLE_KEYS.key1}`,
        `Sec-WebSocket-Key2: ${CLIENT_EXAMPLE_KEYS.key2}`,
      ].sort(),
    );
    // Step 30: key_3 right after the blank line, in the same array (one write).
    expect(toHex(key3)).toBe('47 30 22 2D 5A 3F 47 58');
    expect(hs.location).toBe('ws://example.com/demo');
  });

  it('steps 10–13: Host has the port only when not the default, host lowercased', () => {
    const host = (url: string) =>
      dissect(createClientHandshake({ url, origin: 'null' }).request).fields.find((f) =>
        f.startsWith('Host: '),
      );
    expect(host('ws://Example.COM/')).toBe('Host: example.com');
    expect(host('ws://example.com:80/')).toBe('Host: example.com');
    expect(host('ws://example.com:443/')).toBe('Host: example.com:443');
    expect(host('wss://example.com:443/')).toBe('Host: example.com');
    expect(host('wss://example.com:80/')).toBe('Host: example.com:80');
    expect(host('ws://[::1]:8080/')).toBe('Host: [::1]:8080');
  });

  it('accepts URL components, lowercasing the host for Host and the expected Location', () => {
    const hs = createClientHandshake({
      url: { host: 'EXAMPLE.com', port: 8080, resourceName: '/a?b', secure: true },
      origin: 'https://example.com',
    });
    expect(hs.location).toBe('wss://example.com:8080/a?b');
    expect(dissect(hs.request).line).toBe('GET /a?b HTTP/1.1');
    expect(dissect(hs.request).fields).toContain('Host: example.com:8080');
  });

  it('step 16: protocols are sent space-separated (SPEC-NOTES decision); none → no field', () => {
    const withProtocols = createClientHandshake({
      url: 'ws://h/',
      origin: 'null',
      protocols: ['chat', 'superchat'],
    });
    expect(dissect(withProtocols.request).fields).toContain(
      'Sec-WebSocket-Protocol: chat superchat',
    );
    const without = createClientHandshake({ url: 'ws://h/', origin: 'null' });
    expect(
      dissect(without.request).fields.some((f) => f.startsWith('Sec-WebSocket-Protocol')),
    ).toBe(false);
  });

  it('steps 17–18: each cookie value is its own Cookie field; extra fields are sent', () => {
    const hs = createClientHandshake({
      url: 'ws://h/',
      origin: 'null',
      cookies: ['a=1', 'b=2; c=3'],
      extraHeaders: [['Authorization', 'Basic eDp5']],
    });
    const { fields } = dissect(hs.request);
    expect(fields).toContain('Cookie: a=1');
    expect(fields).toContain('Cookie: b=2; c=3');
    expect(fields).toContain('Authorization: Basic eDp5');
    expect(
      dissect(createClientHandshake({ url: 'ws://h/', origin: 'null', cookies: 'x=y' }).request)
        .fields,
    ).toContain('Cookie: x=y');
  });

  it('step 27: the fields come in a random order (deterministic per random source)', () => {
    const order = (seed: number) =>
      dissect(
        createClientHandshake({ url: 'ws://h/', origin: 'null', random: seededRandom(seed) })
          .request,
      )
        .fields.map((f) => f.slice(0, f.indexOf(':')))
        .join(',');
    expect(order(1)).toBe(order(1));
    const orders = new Set(Array.from({ length: 40 }, (_, i) => order(i)));
    expect(orders.size).toBeGreaterThan(20);
  });

  it('UTF-8 in a field value is sent as UTF-8 (step 27)', () => {
    const hs = createClientHandshake({
      url: 'ws://h/',
      origin: 'null',
      extraHeaders: [['X-Name', 'é']],
    });
    expect(text(hs.request)).toContain('X-Name: \u00c3\u00a9\r\n');
  });

  it('step 1: an invalid URL, origin or protocol list → HANDSHAKE_INVALID_URL (cause kept)', () => {
    const bad = [
      () => createClientHandshake({ url: 'http://h/', origin: 'null' }),
      () => createClientHandshake({ url: 'ws://h/#f', origin: 'null' }),
      () => createClientHandshake({ url: 'ws://h/', origin: 'HTTP://X' }),
      () => createClientHandshake({ url: 'ws://h/', origin: 'null', protocols: ['a', 'a'] }),
      () => createClientHandshake({ url: 'ws://h/', origin: 'null', protocols: ['a b'] }),
      () =>
        createClientHandshake({
          url: { host: 'h', port: 80, resourceName: 'x', secure: false },
          origin: 'null',
        }),
      () =>
        createClientHandshake({
          url: { host: 'h', port: 65536, resourceName: '/', secure: false },
          origin: 'null',
        }),
    ];
    for (const fn of bad) {
      const e = thrown(fn);
      expect(e.code).toBe('HANDSHAKE_INVALID_URL');
      expect(e.step).toBe(1);
      expect(e.cause).toBeInstanceOf(Error);
    }
  });

  it('step 18: a value with CR/LF, a bad name or a handshake field → HANDSHAKE_INVALID_FIELD', () => {
    const bad = [
      () => createClientHandshake({ url: 'ws://h/', origin: 'null', cookies: 'a=1\r\nX: y' }),
      () => createClientHandshake({ url: 'ws://h/', origin: 'null\n' }),
      () =>
        createClientHandshake({ url: 'ws://h/', origin: 'null', extraHeaders: [['X-A', 'a\nb']] }),
      () =>
        createClientHandshake({
          url: 'ws://h/',
          origin: 'null',
          extraHeaders: [['Bad Name', 'v']],
        }),
      () => createClientHandshake({ url: 'ws://h/', origin: 'null', extraHeaders: [['', 'v']] }),
      () =>
        createClientHandshake({
          url: 'ws://h/',
          origin: 'null',
          extraHeaders: [['Sec-WebSocket-Key1', '1 2']],
        }),
      () =>
        createClientHandshake({ url: 'ws://h/', origin: 'null', extraHeaders: [['HOST', 'x']] }),
    ];
    for (const fn of bad) {
      const e = thrown(fn);
      expect(e.code).toBe('HANDSHAKE_INVALID_FIELD');
      expect(e.step).toBe(18);
    }
  });

  it('uses the injected MD5 for expected', () => {
    const hs = createClientHandshake({
      url: 'ws://h/',
      origin: 'null',
      md5: () => new Uint8Array(16).fill(7),
    });
    expect([...hs.expected]).toEqual(new Array(16).fill(7));
  });
});

describe('prepareClientHandshake (step 1 and the fixed fields once, steps 17–30 per attempt)', () => {
  it('each create() is a fresh, valid request with new keys and the same fixed fields', () => {
    const template = prepareClientHandshake({
      url: 'ws://Example.COM:8080/chat?x=1',
      origin: 'http://example.com',
      protocols: ['chat', 'superchat'],
      extraHeaders: [['Authorization', 'Basic eDp5']],
    });
    expect(template).toBeInstanceOf(ClientHandshakeTemplate);
    expect(template.location).toBe('ws://example.com:8080/chat?x=1');
    expect(template.url).toEqual({
      host: 'example.com',
      port: 8080,
      resourceName: '/chat?x=1',
      secure: false,
    });
    const a = template.create();
    const b = template.create({ cookies: 'sid=1' });
    expect(a.keys.key1).not.toBe(b.keys.key1);
    for (const hs of [a, b]) {
      const { line, fields, key3 } = dissect(hs.request);
      expect(line).toBe('GET /chat?x=1 HTTP/1.1');
      expect(fields).toEqual(
        expect.arrayContaining([
          'Upgrade: WebSocket',
          'Connection: Upgrade',
          'Host: example.com:8080',
          'Origin: http://example.com',
          'Sec-WebSocket-Draft: 2',
          'Sec-WebSocket-Protocol: chat superchat',
          'Authorization: Basic eDp5',
          `Sec-WebSocket-Key1: ${hs.keys.key1}`,
          `Sec-WebSocket-Key2: ${hs.keys.key2}`,
        ]),
      );
      // Steps 45–46: what the server core answers to these keys is what the client expects.
      expect(toHex(computeHandshakeResponse(hs.keys.key1, hs.keys.key2, key3))).toBe(
        toHex(hs.expected),
      );
      expect(hs.location).toBe(template.location);
      expect(hs.protocols).toEqual(['chat', 'superchat']);
    }
    expect(dissect(a.request).fields.some((f) => f.startsWith('Cookie:'))).toBe(false);
    expect(dissect(b.request).fields).toContain('Cookie: sid=1');
  });

  it("per-attempt extra fields are added after the template's and checked (step 18)", () => {
    const template = prepareClientHandshake({ url: 'ws://h/', origin: 'null' });
    const hs = template.create({ extraHeaders: [['Proxy-Authorization', 'Basic eDp5']] });
    expect(dissect(hs.request).fields).toContain('Proxy-Authorization: Basic eDp5');
    expect(dissect(template.create().request).fields.join()).not.toContain('Proxy-Authorization');
    const e = thrown(() => template.create({ extraHeaders: [['Origin', 'x']] }));
    expect(e.code).toBe('HANDSHAKE_INVALID_FIELD');
    expect(e.step).toBe(18);
    expect(thrown(() => template.create({ cookies: ['a=1', 'b\r\n'] })).code).toBe(
      'HANDSHAKE_INVALID_FIELD',
    );
  });

  it('step 1 fails at preparation (HANDSHAKE_INVALID_URL), before any attempt', () => {
    const e = thrown(() => prepareClientHandshake({ url: 'ws://h/', origin: 'HTTP://X' }));
    expect(e.code).toBe('HANDSHAKE_INVALID_URL');
    expect(e.step).toBe(1);
  });

  it('an injected random source reproduces the same request; create() keys override it', () => {
    const template = prepareClientHandshake({ url: 'ws://h/', origin: 'null' });
    const one = template.create({ random: seededRandom(3) });
    const two = template.create({ random: seededRandom(3) });
    expect(toHex(one.request)).toBe(toHex(two.request));
    const fixed = template.create({ keys: CLIENT_EXAMPLE_KEYS, random: seededRandom(3) });
    expect(fixed.keys).toBe(CLIENT_EXAMPLE_KEYS);
    expect(dissect(fixed.request).key3).toEqual(CLIENT_EXAMPLE_KEYS.key3);
  });
});
