/** Byte ↔ text helpers shared by the handshake parsers and writers (internal). */

// Draft-02 decodes handshake text as UTF-8, invalid sequences becoming U+FFFD (5.1 step 40,
// section 6.1); `ignoreBOM` keeps a leading U+FEFF visible instead of silently dropping it.
// WHATWG UTF-8 decoding never swallows an ASCII byte, so CR, LF, ":" and SP keep their positions.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export const EMPTY = new Uint8Array(0);

export function decodeUtf8(bytes: Uint8Array): string {
  return bytes.length === 0 ? '' : utf8Decoder.decode(bytes);
}

/** Bytes as code points 0–255 (exact for ASCII; used only where non-ASCII is an error anyway). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/**
 * A string Node's HTTP parser produced (each byte one code unit, "latin1") re-read as the UTF-8
 * it was on the wire, so the `upgrade` path sees exactly what the raw-bytes path decodes.
 */
export function latin1ToUtf8(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s;
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return utf8Decoder.decode(bytes);
}

/** ASCII lowercase: only A–Z change (5.1 step 36 and 44 say exactly this, no Unicode folding). */
export function asciiLowercase(s: string): string {
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  // All ASCII: the built-in lowercasing is exactly A–Z → a–z here, and fast.
  return upper ? s.toLowerCase() : s;
}

/** ASCII case-insensitive equality with `lower` (already lowercase ASCII), without allocating. */
export function equalsAsciiCaseInsensitive(value: string, lower: string): boolean {
  if (value.length !== lower.length) return false;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** 5.2.1 part 5: a field name is one or more of U+0021–U+0039 and U+003B–U+007E. */
export function isFieldNameCode(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x3a;
}

/** True when `value` has a control character other than HTAB (CR, LF, NUL, DEL …). */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/** True when `name` is a non-empty field name (5.2.1 part 5). */
export function isFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) if (!isFieldNameCode(name.charCodeAt(i))) return false;
  return true;
}

/**
 * `prefix` (bytes), then the UTF-8 bytes of `head`, then `tailLength` zero bytes for the caller
 * to fill, in one exact-size array. Handshake heads are ASCII in practice: that case is written
 * by a plain loop (cheaper here than TextEncoder.encodeInto's round trip for ~100 characters).
 */
export function encodeHead(prefix: Uint8Array, head: string, tailLength: number): Uint8Array {
  const start = prefix.length;
  const n = head.length;
  const out = allocate(start + n + tailLength);
  out.set(prefix, 0);
  for (let i = 0; i < n; i++) {
    const c = head.charCodeAt(i);
    if (c > 0x7f) {
      const encoded = utf8Encoder.encode(head);
      const wide = allocate(start + encoded.length + tailLength);
      wide.set(prefix, 0);
      wide.set(encoded, start);
      return wide;
    }
    out[start + i] = c;
  }
  return out;
}

/** ASCII text as bytes (for constant heads). */
export function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

// Outgoing heads are carved from shared slabs, as Node's Buffer pool does: on V8 a typed array
// over 64 bytes costs a separate off-heap allocation (measured ~300 ns here, more than building
// the whole response), while a view into a slab costs a few dozen. Regions are never reused, so
// every view is zero-filled and stays valid; a live view keeps its 16 KiB slab alive.
const SLAB_SIZE = 16_384;
const SLAB_MAX = 2_048;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/** A zero-filled Uint8Array of `length` bytes, from the slab when small. */
export function allocate(length: number): Uint8Array {
  if (length > SLAB_MAX) return new Uint8Array(length);
  if (slabOffset + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const view = new Uint8Array(slab, slabOffset, length);
  // Keep 8-byte alignment for whoever builds a DataView over it.
  slabOffset += (length + 7) & ~7;
  return view;
}
