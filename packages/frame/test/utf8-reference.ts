/**
 * An independent UTF-8 decoder written from the WHATWG Encoding Standard's algorithm (section
 * "UTF-8 decoder"), used to check that the `replace` policy yields exactly the WHATWG
 * replacement behaviour: one U+FFFD per maximal invalid subpart. Returns null in `fatal` mode
 * on the first error.
 */
export function referenceDecode(bytes: Uint8Array, fatal = false): string | null {
  let out = '';
  let codePoint = 0;
  let seen = 0;
  let needed = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length) {
      if (needed !== 0) {
        if (fatal) return null;
        out += '\ufffd';
      }
      break;
    }
    const byte = bytes[i]!;
    if (needed === 0) {
      if (byte <= 0x7f) out += String.fromCharCode(byte);
      else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        codePoint = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        codePoint = byte & 0xf;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        codePoint = byte & 0x7;
      } else {
        if (fatal) return null;
        out += '\ufffd';
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      codePoint = 0;
      needed = 0;
      seen = 0;
      lower = 0x80;
      upper = 0xbf;
      if (fatal) return null;
      out += '\ufffd';
      i--; // Reprocess this byte ("prepend byte to stream").
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    codePoint = (codePoint << 6) | (byte & 0x3f);
    seen++;
    if (seen !== needed) continue;
    out += String.fromCodePoint(codePoint);
    codePoint = 0;
    needed = 0;
    seen = 0;
  }
  return out;
}
