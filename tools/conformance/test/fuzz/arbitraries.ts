// fast-check generators for the fuzz properties: raw bytes, structured handshakes and frames
// (valid and broken on purpose), byte-level mutations, and chunk cut points.
import fc from 'fast-check';
import { frameBytes } from '../../src/wire/frame-bytes.js';
import { DRAFT_EXAMPLES } from '../../src/wire/handshake-keys.js';

/** Property runs: bounded for CI; FUZZ_RUNS=1000000 for a long local run. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

export const cuts = fc.array(fc.nat({ max: 4200 }), { maxLength: 12 });

/** Byte-level mutations of a seed: flips, inserts, deletions, truncation, duplication. */
export function mutated(seed: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      n: fc.integer({ min: 1, max: 8 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at: fc.nat(),
      n: fc.integer({ min: 1, max: 64 }),
    }),
  );
  return fc.tuple(seed, fc.array(op, { maxLength: 4 })).map(([base, ops]) => {
    let b = Buffer.from(base);
    for (const o of ops) {
      const at = b.length === 0 ? 0 : o.at % b.length;
      if (o.kind === 'flip' && b.length > 0) b[at] = b[at]! ^ (1 << o.bit);
      else if (o.kind === 'insert') b = Buffer.concat([b.subarray(0, at), o.bytes, b.subarray(at)]);
      else if (o.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.n)]);
      else if (o.kind === 'truncate') b = b.subarray(0, at);
      else if (o.kind === 'repeat') b = Buffer.concat([b.subarray(0, at + o.n), b.subarray(at)]);
    }
    return new Uint8Array(b);
  });
}

const FIELD_NAMES = [
  'Upgrade',
  'Connection',
  'Host',
  'Origin',
  'Sec-WebSocket-Draft',
  'Sec-WebSocket-Key1',
  'Sec-WebSocket-Key2',
  'Sec-WebSocket-Protocol',
  'Cookie',
  'X-Other',
  '',
  ' folded',
];
const VALUES = [
  'WebSocket',
  'Upgrade',
  'example.com',
  'example.com:8080',
  '[::1]:80',
  'http://example.com',
  '2',
  '3',
  'chat',
  'chat superchat',
  DRAFT_EXAMPLES.classic.key1,
  DRAFT_EXAMPLES.classic.key2,
  '8589934590  y',
  '99999999999999999999999 9',
  'x123y',
  '',
  'a\u0000b',
  'κόσμε',
];

const text = fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 40 }));
const eol = fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', '\r');

/** A request head from pieces (often valid, often not) plus some trailing bytes. */
export const requestLike: fc.Arbitrary<Uint8Array> = fc
  .record({
    method: fc.constantFrom('GET', 'GET', 'POST', 'get', ''),
    resource: fc.oneof(
      fc.constantFrom('/', '/demo', '/a?b=c', '', 'x', '/caf\u00e9'),
      fc.string({ maxLength: 20 }),
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.10'),
    fields: fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), text, eol), { maxLength: 14 }),
    end: eol,
    tail: fc.uint8Array({ maxLength: 24 }),
    standard: fc.boolean(),
  })
  .map((r) => {
    const standard = r.standard
      ? `Upgrade: WebSocket\r\nConnection: Upgrade\r\nHost: example.com\r\nOrigin: http://example.com\r\nSec-WebSocket-Draft: 2\r\nSec-WebSocket-Key1: ${DRAFT_EXAMPLES.classic.key1}\r\nSec-WebSocket-Key2: ${DRAFT_EXAMPLES.classic.key2}\r\n`
      : '';
    const head = `${r.method} ${r.resource} ${r.version}\r\n${standard}${r.fields.map(([n, v, e]) => `${n}: ${v}${e}`).join('')}${r.end}`;
    return new Uint8Array(Buffer.concat([Buffer.from(head, 'utf8'), r.tail]));
  });

/** A response head from pieces plus some trailing bytes (often the right 16). */
export const responseLike: fc.Arbitrary<Uint8Array> = fc
  .record({
    status: fc.constantFrom(
      'HTTP/1.1 101 WebSocket Protocol Handshake',
      'HTTP/1.1 101',
      'HTTP/1.1 407 Proxy',
      'HTTP/1.1 200 OK',
      'HTTP',
      'HTTP/1.1  101 x',
    ),
    fields: fc.array(
      fc.tuple(
        fc.constantFrom(
          'Upgrade',
          'Connection',
          'Sec-WebSocket-Origin',
          'Sec-WebSocket-Location',
          'Set-Cookie',
          'X',
          '',
          'Up\rgrade',
        ),
        fc.constantFrom(
          'WebSocket',
          'Upgrade',
          'http://example.com',
          'ws://example.com/demo',
          ' WebSocket',
          'a\nb',
          'x=1',
        ),
        eol,
      ),
      { maxLength: 10 },
    ),
    standard: fc.boolean(),
    end: eol,
    tail: fc.oneof(
      fc.constant(new Uint8Array(Buffer.from("8jKS'y:G*Co,Wxa-", 'latin1'))),
      fc.uint8Array({ maxLength: 24 }),
    ),
  })
  .map((r) => {
    const standard = r.standard
      ? 'Upgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Origin: http://example.com\r\nSec-WebSocket-Location: ws://example.com/demo\r\n'
      : '';
    const head = `${r.status}\r\n${standard}${r.fields.map(([n, v, e]) => `${n}: ${v}${e}`).join('')}${r.end}`;
    return new Uint8Array(Buffer.concat([Buffer.from(head, 'utf8'), r.tail]));
  });

/** A sequence of frames, most well formed, some with reserved bits/opcodes or lying lengths. */
export const framesLike: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.record({
      op: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5), fc.integer({ min: 0, max: 15 })),
      more: fc.boolean(),
      rsv: fc.oneof(
        fc.constant(0),
        fc.constant(0),
        fc.constant(0),
        fc.integer({ min: 0, max: 15 }),
      ),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ minLength: 100, maxLength: 300 }),
        fc.constant(new Uint8Array(Buffer.from('κόσμε\xff', 'latin1'))),
      ),
      form: fc.constantFrom(undefined, undefined, 16 as const, 63 as const),
      lie: fc.oneof(
        fc.constant(undefined),
        fc.constant(undefined),
        fc.constant(undefined),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      ),
    }),
    { maxLength: 12 },
  )
  .map(
    (specs) =>
      new Uint8Array(
        Buffer.concat(
          specs.map((s) => {
            const form = s.form ?? (s.payload.length > 125 ? 16 : undefined);
            return frameBytes({
              op: s.op,
              more: s.more,
              rsv: s.rsv,
              payload: s.payload,
              ...(form ? { lengthForm: form } : {}),
              ...(s.lie !== undefined ? { declaredLength: s.lie, lengthForm: 63 as const } : {}),
            });
          }),
        ),
      ),
  );
