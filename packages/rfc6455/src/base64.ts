/**
 * Base64 (RFC 4648 section 4, the alphabet with `+` and `/`, padded), as the opening handshake
 * needs it: encoding the 16-byte key (RFC 6455 4.1) and the 20-byte accept value (4.2.2), and
 * checking that a received key is 16 bytes (4.2.1 step 5). No `btoa`/`Buffer`: runtime-neutral.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of `bytes`, padded with `=`. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[v >>> 18]! +
      ALPHABET[(v >>> 12) & 63]! +
      ALPHABET[(v >>> 6) & 63]! +
      ALPHABET[v & 63]!;
  }
  if (i + 1 === n) {
    const v = bytes[i]! << 16;
    out += `${ALPHABET[v >>> 18]!}${ALPHABET[(v >>> 12) & 63]!}==`;
  } else if (i + 2 === n) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${ALPHABET[v >>> 18]!}${ALPHABET[(v >>> 12) & 63]!}${ALPHABET[(v >>> 6) & 63]!}=`;
  }
  return out;
}

/**
 * A 16-byte value in base64 is exactly 22 alphabet characters and `==` (RFC 4648 4: 16 bytes =
 * five 3-byte groups and one byte). The last character's unused low bits are not checked, as
 * common servers do not check them (RFC 4648 3.5 lets a decoder accept them).
 */
const SIXTEEN_BYTES = /^[A-Za-z0-9+/]{22}==$/;

/** True when `value` is the base64 of exactly 16 bytes (RFC 6455 4.2.1 step 5). */
export function isBase64Of16Bytes(value: string): boolean {
  return SIXTEEN_BYTES.test(value);
}
