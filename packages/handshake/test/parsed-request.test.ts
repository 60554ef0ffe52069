import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerHandshakeParser, type ServerHandshakeResult } from '../src/index.js';
import { CLASSIC_FIELDS, CLASSIC_KEY3, CLASSIC_REQUEST, FRAME, requestBytes } from './fixtures.js';
import { concat, text } from './helpers.js';

const SAMPLE = { protocols: ['sample'] };
const rawHeaders = (fields: readonly (readonly [string, string])[]) => fields.flat();
const CLASSIC_PARSED = {
  method: 'GET',
  url: '/demo',
  httpVersion: '1.1',
  rawHeaders: rawHeaders(CLASSIC_FIELDS),
};

describe('ServerHandshakeParser.fromParsedRequest (Node http upgrade path)', () => {
  it('gives the same request as the raw-bytes path, key_3 and frames in head', () => {
    const parsed = ServerHandshakeParser.fromParsedRequest(CLASSIC_PARSED, SAMPLE);
    expect(parsed.phase).toBe('key3');
    const viaParsed = parsed.receiveData(concat(CLASSIC_KEY3, FRAME));
    const viaRaw = new ServerHandshakeParser(SAMPLE).receiveData(concat(CLASSIC_REQUEST, FRAME));
    expect(viaParsed).toEqual(viaRaw);
    expect(summary(viaParsed)).toEqual(summary(viaRaw));
    expect(viaParsed.kind === 'request' && viaParsed.rest).toEqual(FRAME);
  });

  it('key_3 still on its way: an empty head → need-more, then socket data', () => {
    const parser = ServerHandshakeParser.fromParsedRequest(CLASSIC_PARSED, SAMPLE);
    expect(parser.receiveData(new Uint8Array(0)).kind).toBe('need-more');
    expect(parser.receiveData(CLASSIC_KEY3.subarray(0, 5)).kind).toBe('need-more');
    const r = parser.receiveData(CLASSIC_KEY3.subarray(5));
    expect(r.kind === 'request' && r.request.key3).toEqual(CLASSIC_KEY3);
  });

  it('a refusal is reported by the first receiveData, even with an empty head', () => {
    const parser = ServerHandshakeParser.fromParsedRequest(
      { ...CLASSIC_PARSED, httpVersion: '1.0' },
      SAMPLE,
    );
    expect(parser.phase).toBe('failed');
    const r = parser.receiveData(new Uint8Array(0));
    expect(r.kind === 'failed' && [r.error.code, r.error.httpStatus]).toEqual([
      'HANDSHAKE_BAD_HTTP_VERSION',
      505,
    ]);
    const noMethod = ServerHandshakeParser.fromParsedRequest(
      { url: '/demo', rawHeaders: CLASSIC_PARSED.rawHeaders },
      SAMPLE,
    );
    const r2 = noMethod.receiveEof();
    expect(r2.kind === 'failed' && r2.error.code).toBe('HANDSHAKE_BAD_METHOD');
  });

  it('re-reads Node’s latin1 strings as UTF-8, like the raw path', () => {
    const fields: (readonly [string, string])[] = [
      ...CLASSIC_FIELDS,
      ['X-Name', 'caf\u00c3\u00a9'],
    ];
    const r = ServerHandshakeParser.fromParsedRequest(
      { ...CLASSIC_PARSED, rawHeaders: rawHeaders(fields) },
      SAMPLE,
    ).receiveData(CLASSIC_KEY3);
    expect(r.kind === 'request' && r.request.fields['x-name']).toEqual(['café']);
  });

  it('takes Node’s joined headers object when rawHeaders is absent', () => {
    const headers: Record<string, string | string[]> = {};
    for (const [n, v] of CLASSIC_FIELDS) headers[n.toLowerCase()] = v;
    headers['set-cookie'] = ['a=1', 'b=2'];
    const ok = ServerHandshakeParser.fromParsedRequest(
      { method: 'GET', url: '/demo', httpVersion: '1.1', headers },
      SAMPLE,
    ).receiveData(CLASSIC_KEY3);
    expect(ok.kind === 'request' && ok.request.fields['set-cookie']).toEqual(['a=1', 'b=2']);
    // Node joins a duplicated Upgrade into one value: refused as a bad Upgrade.
    const joined = ServerHandshakeParser.fromParsedRequest(
      {
        method: 'GET',
        url: '/demo',
        httpVersion: '1.1',
        headers: { ...headers, upgrade: 'WebSocket, WebSocket' },
      },
      SAMPLE,
    ).receiveData(CLASSIC_KEY3);
    expect(joined.kind === 'failed' && joined.error.code).toBe('HANDSHAKE_BAD_UPGRADE');
  });

  it('counts fields against maxFields', () => {
    const many = [
      ...CLASSIC_FIELDS,
      ...Array.from({ length: 5 }, (_, i) => [`X-${i}`, 'v'] as const),
    ];
    const r = ServerHandshakeParser.fromParsedRequest(
      { ...CLASSIC_PARSED, rawHeaders: rawHeaders(many) },
      { ...SAMPLE, maxFields: 12 },
    ).receiveData(CLASSIC_KEY3);
    expect(r.kind === 'failed' && r.error.code).toBe('HANDSHAKE_TOO_MANY_FIELDS');
  });

  it('property: raw-bytes path and parsed path always agree', () => {
    const valuePool: Record<string, string[]> = {
      host: ['example.com', 'Example.com:8080', 'a b', 'h:0', '[::1]'],
      connection: ['Upgrade', 'upgrade', 'keep-alive'],
      'sec-websocket-key2': [
        '12998 5 Y3 1  .P00',
        'nodigits x',
        '12998 5 Y31 .P00',
        '99999999999 1',
      ],
      'sec-websocket-protocol': ['sample', 'a sample', 'a  b', 'x'],
      upgrade: ['WebSocket', 'websocket', 'h2c'],
      'sec-websocket-draft': ['2', '3'],
      'sec-websocket-key1': ['4 @1  46546xW%0l 1 5', '4@146546xW%0l15'],
      origin: ['http://example.com', 'null', 'http://\u00c3\u00a9.example'],
    };
    const field = fc.oneof(
      fc
        .constantFrom(...CLASSIC_FIELDS.map(([n]) => n))
        .chain((name) =>
          fc.constantFrom(...valuePool[name.toLowerCase()]!).map((v) => [name, v] as const),
        ),
      fc.tuple(
        fc.constantFrom('X-A', 'Cookie', 'bad name', 'N\u00c3\u00a4me'),
        fc.constantFrom('1', 'a\u0000b', 'x'),
      ),
    );
    fc.assert(
      fc.property(
        fc.array(field, { maxLength: 12 }),
        fc.constantFrom('GET', 'POST'),
        fc.constantFrom('/demo', 'demo', '/x?y'),
        fc.constantFrom('1.1', '1.0'),
        fc.boolean(),
        (fields, method, url, version, classicFirst) => {
          const all = classicFirst ? [...CLASSIC_FIELDS, ...fields] : fields;
          const raw = new ServerHandshakeParser(SAMPLE).receiveData(
            requestBytes(all, `${method} ${url} HTTP/${version}`),
          );
          const parsed = ServerHandshakeParser.fromParsedRequest(
            { method, url, httpVersion: version, rawHeaders: rawHeaders(all) },
            SAMPLE,
          ).receiveData(CLASSIC_KEY3);
          expect(summary(parsed)).toEqual(summary(raw));
        },
      ),
      { numRuns: 400 },
    );
  });
});

function summary(r: ServerHandshakeResult): unknown {
  if (r.kind === 'failed') return [r.error.code, r.error.step, r.error.field];
  if (r.kind === 'request') return [r.request, { ...r.request.fields }, text(r.rest)];
  return r.kind;
}
