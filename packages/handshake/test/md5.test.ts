import { describe, expect, it } from 'vitest';
import { md5 } from '../src/index.js';
import { bytes, toHex } from './helpers.js';

const hexOf = (s: string) =>
  toHex(md5(bytes(s)))
    .replaceAll(' ', '')
    .toLowerCase();

describe('md5 (RFC 1321)', () => {
  // RFC 1321 appendix A.5, the whole test suite.
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    [
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      'd174ab98d277d9f5a5611c2c9f419d9f',
    ],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      '57edf4a22be3c955ac49da2e2107b67a',
    ],
  ])('A.5: MD5(%j) = %s', (input, digest) => {
    expect(hexOf(input)).toBe(digest);
  });

  it('one million "a" (many blocks)', () => {
    expect(hexOf('a'.repeat(1_000_000))).toBe('7707d6ae4e027c70eea2a935c2296f21');
  });

  it('padding boundaries 55/56/63/64 bytes give distinct, stable digests', () => {
    // Known values (cross-checked with node:crypto in md5.node.test.ts).
    expect(hexOf('a'.repeat(55))).toBe('ef1772b6dff9a122358552954ad0df65');
    expect(hexOf('a'.repeat(56))).toBe('3b0c8ac703f828b04c6c197006d17218');
    expect(hexOf('a'.repeat(63))).toBe('b06521f39153d618550606be297466d5');
    expect(hexOf('a'.repeat(64))).toBe('014842d480b571495a4a0363793f7367');
  });

  it('returns a new array and leaves its input alone', () => {
    const input = bytes('abc');
    const a = md5(input);
    const b = md5(input);
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    expect(input).toEqual(bytes('abc'));
  });
});
