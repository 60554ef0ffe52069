// The --trace side channel: frame headers read from raw bytes, split anywhere (4.2, 4.6).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FrameHeaderScanner,
  formatFrameHeader,
  formatHex,
  parseHex,
  type TracedFrameHeader,
} from '../src/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function scan(chunks: Uint8Array[]): TracedFrameHeader[] {
  const scanner = new FrameHeaderScanner();
  const headers: TracedFrameHeader[] = [];
  for (const chunk of chunks) scanner.push(chunk, (h) => headers.push(h));
  return headers;
}

// The section 4.6 examples, back to back.
const STREAM = Buffer.concat([
  hex('04 05 48 65 6c 6c 6f'), // Text "Hello"
  hex('84 03 48 65 6c'), // MORE, Text "Hel"
  hex('00 02 6c 6f'), // continuation "lo"
  hex('02 05 48 65 6c 6c 6f'), // Ping "Hello"
  hex('05 7e 01 00'),
  Buffer.alloc(256, 7), // 256-byte Binary
  hex('05 7f 00 00 00 00 00 01 00 00'),
  Buffer.alloc(65536, 9), // 64 KiB Binary
  hex('44 00'), // RSV1 set, Text, empty: shown, not judged
  hex('0b 80'), // RSV4 set, reserved opcode 0xB
]);

const EXPECTED = [
  'MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x4 (Text) length=5',
  'MORE=1 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x4 (Text) length=3',
  'MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x0 (Continuation) length=2',
  'MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x2 (Ping) length=5',
  'MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x5 (Binary) length=256',
  'MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x5 (Binary) length=65536',
  'MORE=0 RSV1=1 RSV2=0 RSV3=0 RSV4=0 opcode=0x4 (Text) length=0',
  'MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=1 opcode=0xb (reserved) length=0',
];

describe('FrameHeaderScanner (4.2 header fields, 4.6 examples)', () => {
  it('reads every header of the 4.6 examples in one chunk', () => {
    expect(scan([STREAM]).map(formatFrameHeader)).toEqual(EXPECTED);
  });

  it('gives the same headers however the stream is split (down to single bytes)', () => {
    const singles = [...STREAM.subarray(0, 40)].map((b) => Uint8Array.of(b));
    expect(scan(singles).map(formatFrameHeader)).toEqual(EXPECTED.slice(0, 5));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let last = 0;
          for (const p of [...points, STREAM.length]) {
            chunks.push(STREAM.subarray(last, p));
            last = p;
          }
          return scan(chunks).map(formatFrameHeader).join('|') === EXPECTED.join('|');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reports the header size and a 63-bit length beyond 32 bits', () => {
    const [h] = scan([hex('05 7f 00 00 00 01 00 00 00 00')]);
    expect(h).toMatchObject({ length: 2 ** 32, headerSize: 10, opcode: 5 });
  });
});

describe('hex', () => {
  it('formats bytes as spaced pairs', () => {
    expect(formatHex(Buffer.from('hello'))).toBe('68 65 6c 6c 6f');
    expect(formatHex(new Uint8Array(0))).toBe('');
  });

  it('parses pairs with spaces, colons, dashes or a 0x prefix; refuses anything else', () => {
    expect(parseHex('68 65 6C')).toEqual(Buffer.from('hel'));
    expect(parseHex('0xCAFE')).toEqual(Buffer.from([0xca, 0xfe]));
    expect(parseHex('de:ad-be ef')).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(parseHex('')).toEqual(Buffer.alloc(0));
    expect(parseHex('abc')).toBeUndefined();
    expect(parseHex('zz')).toBeUndefined();
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
        parseHex(formatHex(bytes))!.equals(Buffer.from(bytes)),
      ),
      { numRuns: 100 },
    );
  });
});
