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
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
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
 * UTF-8 bytes of `head` followed by `tailLength` zero bytes for the caller to fill. Handshake
 * heads are ASCII in practice: that case is written directly into one exact-size array.
 */
export function encodeHead(head: string, tailLength: number): Uint8Array {
  const n = head.length;
  let out = new Uint8Array(n + tailLength);
  for (let i = 0; i < n; i++) {
    const c = head.charCodeAt(i);
    if (c > 0x7f) {
      const encoded = utf8Encoder.encode(head);
      out = new Uint8Array(encoded.length + tailLength);
      out.set(encoded, 0);
      return out;
    }
    out[i] = c;
  }
  return out;
}
