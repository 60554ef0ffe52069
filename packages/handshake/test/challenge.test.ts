import { describe, expect, it } from 'vitest';
import {
  computeHandshakeResponse,
  createChallenge,
  HandshakeError,
  MAX_KEY_NUMBER,
  md5,
  parseHandshakeKey,
} from '../src/index.js';
import { bytes, hex, text, toHex } from './helpers.js';

// The worked examples of the draft, exact (SPEC-NOTES: one key per line, between brackets).
const SERVER_EXAMPLE = {
  key1: '3e6b263  4 17 80',
  key2: '17  9 G`ZD9   2 2b 7X 3 /r90',
  key3: hex('57 6A 4E 7D 7C 4D 28 36'),
  challenge: hex('36 09 65 65 0A B9 67 33 57 6A 4E 7D 7C 4D 28 36'),
  response: 'n`9eBk9z$R8pOtVb',
};
const CLIENT_EXAMPLE = {
  key1: 'P388 O503D& ul7 {K%gX( %7 15',
  key2: '1 N ?|k UT0or 3o  4 I97N 5-S3O 31',
  key3: hex('47 30 22 2D 5A 3F 47 58'),
  challenge: hex('2E 50 31 B7 06 DA B8 0B 47 30 22 2D 5A 3F 47 58'),
  expected: hex('30 73 74 33 52 6C 26 71 2D 32 5A 55 5E 77 65 75'),
};
const CLASSIC_EXAMPLE = {
  key1: '4 @1  46546xW%0l 1 5',
  key2: '12998 5 Y3 1  .P00',
  key3: bytes('^n:ds[4U'),
  response: "8jKS'y:G*Co,Wxa-",
};

function codeOf(fn: () => unknown): { code: string; step: number | undefined } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HandshakeError);
    const err = e as HandshakeError;
    return { code: err.code, step: err.step };
  }
  throw new Error('did not throw');
}

describe('5.2.2 steps 4–9: the server example', () => {
  it('steps 4–7: key-numbers, spaces and parts', () => {
    expect(parseHandshakeKey(SERVER_EXAMPLE.key1)).toEqual({
      keyNumber: 3_626_341_780,
      spaces: 4,
      part: 906_585_445,
    });
    expect(parseHandshakeKey(SERVER_EXAMPLE.key2, 2)).toEqual({
      keyNumber: 1_799_227_390,
      spaces: 10,
      part: 179_922_739,
    });
  });

  it('step 8: the challenge bytes', () => {
    const p1 = parseHandshakeKey(SERVER_EXAMPLE.key1).part;
    const p2 = parseHandshakeKey(SERVER_EXAMPLE.key2).part;
    expect(toHex(createChallenge(p1, p2, SERVER_EXAMPLE.key3))).toBe(
      toHex(SERVER_EXAMPLE.challenge),
    );
  });

  it('step 9: the response is n`9eBk9z$R8pOtVb', () => {
    const r = computeHandshakeResponse(
      SERVER_EXAMPLE.key1,
      SERVER_EXAMPLE.key2,
      SERVER_EXAMPLE.key3,
    );
    expect(text(r)).toBe(SERVER_EXAMPLE.response);
    expect(toHex(r)).toBe('6E 60 39 65 42 6B 39 7A 24 52 38 70 4F 74 56 62');
  });

  it('accepts an injected MD5 and passes it the challenge', () => {
    const seen: Uint8Array[] = [];
    const spy = (d: Uint8Array) => {
      seen.push(d.slice());
      return md5(d);
    };
    computeHandshakeResponse(SERVER_EXAMPLE.key1, SERVER_EXAMPLE.key2, SERVER_EXAMPLE.key3, spy);
    expect(seen.map(toHex)).toEqual([toHex(SERVER_EXAMPLE.challenge)]);
  });
});

describe('5.1 steps 45–46: the client example', () => {
  it('step 45: challenge from number_1 = 777007543, number_2 = 114997259', () => {
    expect(toHex(createChallenge(777_007_543, 114_997_259, CLIENT_EXAMPLE.key3))).toBe(
      toHex(CLIENT_EXAMPLE.challenge),
    );
  });

  it('step 46: expected is 0st3Rl&q-2ZU^weu', () => {
    expect(text(md5(CLIENT_EXAMPLE.challenge))).toBe('0st3Rl&q-2ZU^weu');
    expect(toHex(md5(CLIENT_EXAMPLE.challenge))).toBe(toHex(CLIENT_EXAMPLE.expected));
  });

  it('a server reading the example keys computes the same answer', () => {
    expect(parseHandshakeKey(CLIENT_EXAMPLE.key1)).toEqual({
      keyNumber: 3_885_037_715,
      spaces: 5,
      part: 777_007_543,
    });
    expect(parseHandshakeKey(CLIENT_EXAMPLE.key2)).toEqual({
      keyNumber: 1_034_975_331,
      spaces: 9,
      part: 114_997_259,
    });
    expect(
      text(computeHandshakeResponse(CLIENT_EXAMPLE.key1, CLIENT_EXAMPLE.key2, CLIENT_EXAMPLE.key3)),
    ).toBe('0st3Rl&q-2ZU^weu');
  });
});

describe('section 1: the classic request', () => {
  it("answers 8jKS'y:G*Co,Wxa-", () => {
    expect(
      text(
        computeHandshakeResponse(CLASSIC_EXAMPLE.key1, CLASSIC_EXAMPLE.key2, CLASSIC_EXAMPLE.key3),
      ),
    ).toBe(CLASSIC_EXAMPLE.response);
  });
});

describe('5.2.2 aborts', () => {
  const k2 = SERVER_EXAMPLE.key2;
  const k3 = SERVER_EXAMPLE.key3;

  it('step 4: a key with no digits → HANDSHAKE_BAD_KEY', () => {
    expect(codeOf(() => computeHandshakeResponse('a b c', k2, k3))).toEqual({
      code: 'HANDSHAKE_BAD_KEY',
      step: 4,
    });
  });

  it('step 4: key-number 4,294,967,296 → HANDSHAKE_KEY_TOO_LARGE', () => {
    expect(codeOf(() => computeHandshakeResponse('4294967 296', k2, k3))).toEqual({
      code: 'HANDSHAKE_KEY_TOO_LARGE',
      step: 4,
    });
  });

  it('step 4: a key-number beyond 2^53 is caught exactly, not rounded', () => {
    // 9007199254740993 rounds to 2^53 as a double; 30 digits are far beyond any double.
    expect(codeOf(() => parseHandshakeKey('9007199254 740993')).code).toBe(
      'HANDSHAKE_KEY_TOO_LARGE',
    );
    expect(codeOf(() => parseHandshakeKey(`1 ${'0'.repeat(29)}`)).code).toBe(
      'HANDSHAKE_KEY_TOO_LARGE',
    );
  });

  it('step 4: 4,294,967,295 itself is allowed, and leading zeros do not count', () => {
    // 4,294,967,295 = 3 × 5 × 17 × 257 × 65537: 5 spaces divide it.
    expect(parseHandshakeKey('4 2 9 4 9 67295')).toEqual({
      keyNumber: MAX_KEY_NUMBER,
      spaces: 5,
      part: 858_993_459,
    });
    expect(parseHandshakeKey(`000000000000000 ${'4294967295'}`).keyNumber).toBe(MAX_KEY_NUMBER);
  });

  it('step 5: zero spaces → HANDSHAKE_KEY_NO_SPACES', () => {
    expect(
      codeOf(() => computeHandshakeResponse(SERVER_EXAMPLE.key1, '179G`ZD922b7X3/r90', k3)),
    ).toEqual({ code: 'HANDSHAKE_KEY_NO_SPACES', step: 5 });
  });

  it('step 6: a key-number not a multiple of its spaces → HANDSHAKE_KEY_NOT_MULTIPLE', () => {
    // 3626341780 with 3 spaces: 3626341780 mod 3 = 1.
    expect(codeOf(() => computeHandshakeResponse('3e6b263 4 17 80', k2, k3))).toEqual({
      code: 'HANDSHAKE_KEY_NOT_MULTIPLE',
      step: 6,
    });
  });

  it('checks in step order across both keys (step 4 of key 2 before step 5 of key 1)', () => {
    expect(codeOf(() => computeHandshakeResponse('12345', '99999999999 1', k3)).code).toBe(
      'HANDSHAKE_KEY_TOO_LARGE',
    );
  });

  it('key_3 must be 8 bytes → HANDSHAKE_BAD_KEY3', () => {
    expect(
      codeOf(() => computeHandshakeResponse(SERVER_EXAMPLE.key1, k2, new Uint8Array(7))).code,
    ).toBe('HANDSHAKE_BAD_KEY3');
  });

  it('only U+0030–U+0039 are digits and only U+0020 is a space', () => {
    // Fullwidth digits, tabs and NBSPs are "other characters".
    expect(parseHandshakeKey('1\t２ 2\u00a0')).toEqual({ keyNumber: 12, spaces: 1, part: 12 });
  });
});
