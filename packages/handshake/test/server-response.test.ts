import { describe, expect, it } from 'vitest';
import {
  createServerResponse,
  HandshakeError,
  type HandshakeRequest,
  md5,
  ServerHandshakeParser,
} from '../src/index.js';
import { CLASSIC_FIELDS, CLASSIC_REQUEST, CLASSIC_RESPONSE, requestBytes } from './fixtures.js';
import { text, toHex } from './helpers.js';

function request(
  fields: readonly (readonly [string, string])[] = CLASSIC_FIELDS,
  line = 'GET /demo HTTP/1.1',
  secure = false,
): HandshakeRequest {
  const r = new ServerHandshakeParser({ protocols: ['sample'], secure }).receiveData(
    requestBytes(fields, line),
  );
  if (r.kind !== 'request') throw new Error(r.kind === 'failed' ? r.error.message : r.kind);
  return r.request;
}

const head = (bytes: Uint8Array) => text(bytes.subarray(0, bytes.length - 16));
const field = (bytes: Uint8Array, name: string) =>
  head(bytes)
    .split('\r\n')
    .find((l) => l.startsWith(`${name}: `))
    ?.slice(name.length + 2);
const withHost = (host: string) =>
  CLASSIC_FIELDS.map(([n, v]) => [n, n === 'Host' ? host : v] as const);

describe('createServerResponse (5.2.2 steps 3–13)', () => {
  it("the classic request → the exact response bytes, ending in 8jKS'y:G*Co,Wxa-", () => {
    const r = new ServerHandshakeParser({ protocols: ['sample'] }).receiveData(CLASSIC_REQUEST);
    if (r.kind !== 'request') throw new Error(r.kind);
    const response = createServerResponse({ request: r.request });
    expect(toHex(response)).toBe(toHex(CLASSIC_RESPONSE));
  });

  it('step 3: Location has a lowercase host and the port only when not the default', () => {
    expect(
      field(
        createServerResponse({ request: request(withHost('EXAMPLE.com')) }),
        'Sec-WebSocket-Location',
      ),
    ).toBe('ws://example.com/demo');
    expect(
      field(createServerResponse({ request: request(withHost('h:80')) }), 'Sec-WebSocket-Location'),
    ).toBe('ws://h/demo');
    expect(
      field(
        createServerResponse({ request: request(withHost('h:8080')) }),
        'Sec-WebSocket-Location',
      ),
    ).toBe('ws://h:8080/demo');
    expect(
      field(
        createServerResponse({ request: request(withHost('[::1]:443'), undefined, true) }),
        'Sec-WebSocket-Location',
      ),
    ).toBe('wss://[::1]/demo');
    expect(
      field(
        createServerResponse({ request: request(withHost('h')), secure: true }),
        'Sec-WebSocket-Location',
      ),
    ).toBe('wss://h/demo');
    expect(
      field(
        createServerResponse({ request: request(withHost('h'), 'GET /a?b=c HTTP/1.1') }),
        'Sec-WebSocket-Location',
      ),
    ).toBe('ws://h/a?b=c');
  });

  it('step 2: host and port can be set by the server instead of taken from Host', () => {
    const r = createServerResponse({ request: request(), host: 'WS.Example.org', port: 9000 });
    expect(field(r, 'Sec-WebSocket-Location')).toBe('ws://ws.example.org:9000/demo');
  });

  it('step 11: Sec-WebSocket-Protocol only when a subprotocol is selected', () => {
    const req = request();
    expect(field(createServerResponse({ request: req }), 'Sec-WebSocket-Protocol')).toBe('sample');
    expect(
      field(createServerResponse({ request: req, protocol: undefined }), 'Sec-WebSocket-Protocol'),
    ).toBe(undefined);
    const none = request(CLASSIC_FIELDS.filter(([n]) => n !== 'Sec-WebSocket-Protocol'));
    expect(field(createServerResponse({ request: none }), 'Sec-WebSocket-Protocol')).toBe(
      undefined,
    );
  });

  it('step 11: Set-Cookie fields and extra fields; step 12–13: blank line then 16 bytes', () => {
    const r = createServerResponse({
      request: request(),
      setCookies: ['a=1; HttpOnly', 'b=2'],
      headers: [['Set-Cookie2', 'c=3; Version=1']],
    });
    const lines = head(r).split('\r\n');
    expect(lines.slice(6)).toEqual([
      'Set-Cookie: a=1; HttpOnly',
      'Set-Cookie: b=2',
      'Set-Cookie2: c=3; Version=1',
      '',
      '',
    ]);
    expect(text(r.subarray(r.length - 16))).toBe("8jKS'y:G*Co,Wxa-");
  });

  it('echoes a UTF-8 origin as UTF-8', () => {
    const fields = CLASSIC_FIELDS.map(
      ([n, v]) => [n, n === 'Origin' ? 'http://\u00c3\u00a9.example' : v] as const,
    );
    const r = createServerResponse({ request: request(fields) });
    expect(field(r, 'Sec-WebSocket-Origin')).toBe('http://\u00c3\u00a9.example');
  });

  it('every response is its own bytes (heads are carved from a shared slab)', () => {
    const req = request();
    const a = createServerResponse({ request: req });
    const b = createServerResponse({ request: req });
    expect(b).toEqual(a);
    a.fill(0);
    expect(toHex(b)).toBe(toHex(CLASSIC_RESPONSE));
    // Many responses in a row (slab turnover) stay intact.
    const many = Array.from({ length: 200 }, () => createServerResponse({ request: req }));
    for (const r of many) expect(toHex(r)).toBe(toHex(CLASSIC_RESPONSE));
  });

  it('uses the injected MD5', () => {
    const calls: number[] = [];
    createServerResponse({
      request: request(),
      md5: (d) => {
        calls.push(d.length);
        return md5(d);
      },
    });
    expect(calls).toEqual([16]);
  });

  it('a value that cannot be written → HANDSHAKE_INVALID_FIELD (step 11)', () => {
    const req = request();
    const bad = [
      () => createServerResponse({ request: req, setCookies: ['a=1\r\nX: y'] }),
      () => createServerResponse({ request: req, protocol: 'a\nb' }),
      () => createServerResponse({ request: req, headers: [['Sec-WebSocket-Origin', 'x']] }),
      () => createServerResponse({ request: req, headers: [['Bad Name', 'x']] }),
      () => createServerResponse({ request: { ...req, origin: 'x\r\ny' } }),
    ];
    for (const fn of bad) {
      expect(fn).toThrow(HandshakeError);
      try {
        fn();
      } catch (e) {
        expect([(e as HandshakeError).code, (e as HandshakeError).step]).toEqual([
          'HANDSHAKE_INVALID_FIELD',
          11,
        ]);
      }
    }
  });

  it('a hand-made request with bad keys → the key error of 5.2.2', () => {
    expect(() => createServerResponse({ request: { ...request(), key1: 'nospaces1' } })).toThrow(
      expect.objectContaining({ code: 'HANDSHAKE_KEY_NO_SPACES', step: 5 }),
    );
  });
});
