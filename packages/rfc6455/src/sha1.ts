/**
 * SHA-1 (FIPS 180-4, RFC 3174), as the opening handshake uses it: `Sec-WebSocket-Accept` is the
 * base64 of SHA-1(key + GUID) (RFC 6455 section 4.2.2 step 5.4, 1.3).
 *
 * The core must run on any JavaScript runtime, so it cannot import `node:crypto`, and Web
 * Crypto's `subtle.digest` is asynchronous; this pure TypeScript SHA-1 is the default. Node
 * shells inject `node:crypto`'s through the `sha1` option, like draft-02's MD5. SHA-1 is broken
 * for collision resistance; here it only proves the server read the key (RFC 6455 10.8).
 */

/** Any SHA-1 implementation: the 20-byte digest of `data`. Must not keep or modify `data`. */
export type Sha1 = (data: Uint8Array) => Uint8Array;

// The message schedule (FIPS 180-4 6.1.2 step 1) and the padded tail (5.1.1: at most two
// 64-byte blocks), module-level so a digest allocates nothing but its result.
const w = new Int32Array(80);
const tail = new Uint8Array(128);
const h = new Int32Array(5);

/** SHA-1 of `data`: a new 20-byte array. Pure TypeScript, runtime-neutral. */
export function sha1(data: Uint8Array): Uint8Array {
  // 5.3.1: the initial hash value.
  h[0] = 0x67452301;
  h[1] = 0xefcdab89 | 0;
  h[2] = 0x98badcfe | 0;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0 | 0;
  const length = data.length;
  const whole = length - (length % 64);
  for (let offset = 0; offset < whole; offset += 64) compress(data, offset);
  // 5.1.1 padding: 0x80, zeros to 56 mod 64, then the bit length, 64-bit big-endian.
  const rest = length - whole;
  const tailLength = rest < 56 ? 64 : 128;
  for (let i = 0; i < rest; i++) tail[i] = data[whole + i]!;
  tail[rest] = 0x80;
  tail.fill(0, rest + 1, tailLength - 8);
  writeBe32(tail, tailLength - 8, Math.floor(length / 0x20000000) >>> 0);
  writeBe32(tail, tailLength - 4, (length * 8) >>> 0);
  compress(tail, 0);
  if (tailLength === 128) compress(tail, 64);
  const digest = new Uint8Array(20);
  for (let i = 0; i < 5; i++) writeBe32(digest, 4 * i, h[i]!);
  return digest;
}

/** 6.1.2: one 512-bit block into the hash value. */
function compress(block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const p = offset + 4 * t;
    w[t] = (block[p]! << 24) | (block[p + 1]! << 16) | (block[p + 2]! << 8) | block[p + 3]!;
  }
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  for (let t = 0; t < 80; t++) {
    // 4.1.1 f_t and 4.2.1 K_t by round.
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

function writeBe32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}
