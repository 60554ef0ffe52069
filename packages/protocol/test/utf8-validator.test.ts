import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidUtf8, Utf8Validator } from '../src/index.js';

/** The WHATWG fatal decoder, the reference (a global in every runtime; not in the ES2022 lib). */
const { TextDecoder: Decoder } = globalThis as unknown as {
  TextDecoder: new (
    label: string,
    options: { fatal: boolean; ignoreBOM: boolean },
  ) => { decode(bytes: Uint8Array): string };
};
const fatal = new Decoder('utf-8', { fatal: true, ignoreBOM: true });
function referenceAccepts(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** Validates `pieces` as one text; returns [ok, failedAt, index of the piece that failed]. */
function run(pieces: readonly Uint8Array[]): [boolean, number, number] {
  const v = new Utf8Validator();
  for (let i = 0; i < pieces.length; i++) {
    if (!v.update(pieces[i]!)) return [false, v.failedAt, i];
  }
  const ok = v.finish();
  return [ok, v.failedAt, ok ? -1 : pieces.length];
}

describe('Utf8Validator — valid text (RFC 6455 8.1, Unicode table 3-7)', () => {
  it.each([
    ['ASCII', '48 65 6c 6c 6f'],
    ['empty', ''],
    ['U+0080, the first 2-byte', 'c2 80'],
    ['U+07FF, the last 2-byte', 'df bf'],
    ['U+0800, the first 3-byte', 'e0 a0 80'],
    ['U+D7FF, just below the surrogates', 'ed 9f bf'],
    ['U+E000, just above the surrogates', 'ee 80 80'],
    ['U+FFFF', 'ef bf bf'],
    ['U+10000, the first 4-byte', 'f0 90 80 80'],
    ['U+10FFFF, the last code point', 'f4 8f bf bf'],
    ['a BOM is content', 'ef bb bf 41'],
    ['"κόσμε" (Autobahn 6.2)', 'ce ba e1 bd b9 cf 83 ce bc ce b5'],
  ])('%s', (_, bytes) => {
    const data = hex(bytes);
    expect(run([data])).toEqual([true, -1, -1]);
    expect(isValidUtf8(data)).toBe(true);
    expect(referenceAccepts(data)).toBe(true);
  });
});

describe('Utf8Validator — invalid text fails at the first impossible byte', () => {
  it.each([
    ['a lone continuation byte', '41 80', 1],
    ['C0: an overlong 2-byte lead', 'c0 80', 0],
    ['C1: an overlong 2-byte lead', 'c1 bf', 0],
    ['E0 80: an overlong 3-byte form', 'e0 80 80', 1],
    ['E0 9F: an overlong 3-byte form', 'e0 9f bf', 1],
    ['F0 8F: an overlong 4-byte form', 'f0 8f bf bf', 1],
    ['ED A0: surrogate U+D800', 'ed a0 80', 1],
    ['ED BF: surrogate U+DFFF', 'ed bf bf', 1],
    ['F4 90: U+110000, above U+10FFFF', 'f4 90 80 80', 1],
    ['F5: a lead above U+10FFFF', 'f5 80 80 80', 0],
    ['FF', '41 42 ff', 2],
    ['a 2-byte sequence cut by ASCII', 'c2 41', 1],
    ['a 3-byte sequence cut by ASCII', 'e2 82 41', 2],
    [
      '"κόσμε" then a surrogate (Autobahn 6.3.1)',
      'ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65',
      12,
    ],
  ])('%s: %s → failedAt %i', (_, bytes, at) => {
    const data = hex(bytes);
    expect(run([data])).toEqual([false, at, 0]);
    expect(isValidUtf8(data)).toBe(false);
    expect(referenceAccepts(data)).toBe(false);
  });

  it.each([
    ['half of "€"', 'e2 82', 2],
    ['a 4-byte lead alone', '41 f0', 2],
    ['three bytes of a 4-byte sequence', 'f0 9f 98', 3],
  ])('truncated at the end of the text (%s): valid so far, fails at finish', (_, bytes, at) => {
    const data = hex(bytes);
    const v = new Utf8Validator();
    expect(v.update(data)).toBe(true);
    expect(v.incomplete).toBe(true);
    expect(v.finish()).toBe(false);
    expect(v.failedAt).toBe(at);
    expect(isValidUtf8(data)).toBe(false);
  });
});

describe('Utf8Validator — across fragments (RFC 6455 5.6: a frame may hold a partial sequence)', () => {
  it('a sequence split between pieces is joined', () => {
    expect(run([hex('e2'), hex('82'), hex('ac 41')])).toEqual([true, -1, -1]);
    expect(run([hex('f0 9f'), hex(''), hex('98 80')])).toEqual([true, -1, -1]);
  });

  it('fails fast: in the piece holding the first impossible byte, with its position in the text', () => {
    // Autobahn 6.4.1-like: valid first piece, the surrogate's second byte in the second piece.
    const pieces = [hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed'), hex('a0 80 65 64'), hex('69 74')];
    expect(run(pieces)).toEqual([false, 12, 1]);
  });

  it('control: the lead alone in a piece is still valid (a check that fails too early would say no)', () => {
    const v = new Utf8Validator();
    expect(v.update(hex('ce ba ed'))).toBe(true);
    expect(v.failedAt).toBe(-1);
    expect(v.update(hex('9f bf'))).toBe(true); // ED 9F BF = U+D7FF, valid
    expect(v.finish()).toBe(true);
  });

  it('stays failed until the next text; finish starts a new one', () => {
    const v = new Utf8Validator();
    expect(v.update(hex('ff'))).toBe(false);
    expect(v.update(hex('41'))).toBe(false);
    expect(v.failedAt).toBe(0);
    expect(v.finish()).toBe(false);
    expect(v.failedAt).toBe(0); // still readable after finish
    expect(v.update(hex('41 42'))).toBe(true); // a new text
    expect(v.failedAt).toBe(-1);
    expect(v.finish()).toBe(true);
  });

  it('reset forgets a text abandoned inside a sequence', () => {
    const v = new Utf8Validator();
    expect(v.update(hex('e2 82'))).toBe(true);
    v.reset();
    expect(v.update(hex('41'))).toBe(true);
    expect(v.finish()).toBe(true);
  });

  it('honours start and end', () => {
    const v = new Utf8Validator();
    const data = hex('ff 41 42 ff');
    expect(v.update(data, 1, 3)).toBe(true);
    expect(v.finish()).toBe(true);
    expect(isValidUtf8(data, 1, 3)).toBe(true);
    expect(isValidUtf8(data, 1, 4)).toBe(false);
  });
});

/** Bytes that are often UTF-8-like: ASCII, leads, continuations, and the edge bytes. */
const byteArb = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xbf }),
  fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
  fc.integer({ min: 0, max: 0xff }),
);
const textArb = fc.oneof(
  fc.array(byteArb, { maxLength: 40 }).map((b) => Uint8Array.from(b)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new TextEncoder().encode(s)),
);

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out;
}

describe('Utf8Validator — properties', () => {
  it('accepts exactly what the WHATWG fatal decoder accepts, at any split', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const expected = referenceAccepts(bytes);
        expect(run(splitAt(bytes, cuts))[0]).toBe(expected);
        expect(isValidUtf8(bytes)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('fails fast: the text up to failedAt could still be valid, one byte more cannot', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const [ok, at] = run(splitAt(bytes, cuts));
        if (ok || at === bytes.length) return; // valid, or truncated at the end
        const before = new Utf8Validator();
        expect(before.update(bytes.subarray(0, at))).toBe(true);
        const including = new Utf8Validator();
        expect(including.update(bytes.subarray(0, at + 1))).toBe(false);
        expect(including.failedAt).toBe(at);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Utf8Validator — long ASCII runs (scanned as words) at any alignment', () => {
  it('finds the first bad byte or the end of the run wherever it is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom(0x80, 0xc0, 0xe2, 0xff),
        (offset, length, at, bad) => {
          const buffer = new ArrayBuffer(offset + length + 8);
          const data = new Uint8Array(buffer, offset, length).fill(0x61);
          const position = length === 0 ? -1 : at % length;
          if (position >= 0) data[position] = bad;
          const v = new Utf8Validator();
          const ok = v.update(data) && v.finish();
          expect(ok).toBe(referenceAccepts(data));
          expect(isValidUtf8(data)).toBe(ok);
          if (position >= 0 && bad !== 0xe2) expect(v.failedAt).toBe(position);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
