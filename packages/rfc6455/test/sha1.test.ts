import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAcceptValue, encodeBase64, isValidKey, sha1 } from '../src/index.js';
import { utf8 } from './helpers.js';

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function webCryptoSha1(data: Uint8Array): Promise<string> {
  return hexOf(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', data.slice().buffer)));
}

describe('sha1 — RFC 3174 section 7.3 / FIPS 180 test vectors', () => {
  it.each([
    ['TEST1 "abc"', 'abc', 1, 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    [
      'TEST2 (56 bytes: the padding needs a second block)',
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      1,
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    ],
    ['TEST3 "a" × 1,000,000', 'a', 1_000_000, '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
    [
      'TEST4 "01234567" × 80 (640 bytes, ten blocks)',
      '0123456701234567012345670123456701234567012345670123456701234567',
      10,
      'dea356a2cddd90c7a7ecedc5ebb563934f460452',
    ],
    ['the empty string (FIPS 180 examples)', '', 1, 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    [
      'the quick brown fox',
      'The quick brown fox jumps over the lazy dog',
      1,
      '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12',
    ],
  ])('%s', (_, text, repeat, digest) => {
    expect(hexOf(sha1(utf8(text.repeat(repeat))))).toBe(digest);
  });

  it('control: a one-bit change changes the digest', () => {
    expect(hexOf(sha1(utf8('abd')))).not.toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  it('agrees with Web Crypto around every padding boundary (55, 56, 63, 64, 119, 120 bytes)', async () => {
    for (const n of [0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      expect(hexOf(sha1(data)), `length ${n}`).toBe(await webCryptoSha1(data));
    }
  });

  it('agrees with Web Crypto on random inputs, and never modifies its input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => {
        const copy = data.slice();
        expect(hexOf(sha1(data))).toBe(await webCryptoSha1(data));
        expect(data).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });
});

describe('base64 (RFC 4648 4) and the key checks of RFC 6455 4.2.1 step 5', () => {
  it('RFC 4648 10 test vectors', () => {
    for (const [text, b64] of [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ] as const) {
      expect(encodeBase64(utf8(text))).toBe(b64);
    }
  });

  it('agrees with btoa on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        expect(encodeBase64(data)).toBe(btoa(String.fromCharCode(...data)));
      }),
    );
  });

  it('a key is the base64 of exactly 16 bytes', () => {
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidKey(encodeBase64(new Uint8Array(16).fill(0xff)))).toBe(true);
    expect(isValidKey(encodeBase64(new Uint8Array(15)))).toBe(false);
    expect(isValidKey(encodeBase64(new Uint8Array(17)))).toBe(false);
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ')).toBe(false); // unpadded
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ=')).toBe(false);
    expect(isValidKey('dGhlIHNhbXBsZSBub25j*Q==')).toBe(false);
    expect(isValidKey(' dGhlIHNhbXBsZSBub25jZQ==')).toBe(false);
  });

  it('the accept value uses an injected SHA-1 (the option Node shells use)', () => {
    const calls: number[] = [];
    const fake = (data: Uint8Array) => {
      calls.push(data.length);
      return new Uint8Array(20);
    };
    expect(createAcceptValue('dGhlIHNhbXBsZSBub25jZQ==', fake)).toBe(
      'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    );
    expect(calls).toEqual([24 + 36]);
  });
});
