/** Byte helpers for the suite's own peers (Node Buffers: this is a Node tool). */

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Buffer {
  return Buffer.from(encoder.encode(text));
}

/** Bytes from a hex string; spaces and newlines are ignored (`"04 05 48"`). */
export function fromHex(hex: string): Buffer {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new TypeError(`not a hex string: ${hex.slice(0, 40)}`);
  }
  return Buffer.from(clean, 'hex');
}

/** Lower-case hex with a space between bytes, truncated after `max` bytes. */
export function toHex(bytes: Uint8Array, max = 64): string {
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  let out = Buffer.from(shown.buffer, shown.byteOffset, shown.length)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  if (bytes.length > max) out += ` … (${bytes.length} bytes)`;
  return out;
}

/** Printable rendering of bytes for reports: ASCII as is, the rest as \xNN, truncated. */
export function printable(bytes: Uint8Array, max = 120): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  if (bytes.length > max) out += `… (${bytes.length} bytes)`;
  return out;
}

/** A payload of `length` bytes cycling through printable ASCII (offset errors show). */
export function asciiPattern(length: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = 0x21 + ((i + seed) % 94);
  return out;
}

/** A payload of `length` bytes cycling through 0x00–0xFF. */
export function binaryPattern(length: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

/** Equality of two byte arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}
