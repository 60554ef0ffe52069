/**
 * Incremental UTF-8 validation (RFC 6455 section 8.1, 5.6; the Unicode Standard's table 3-7 of
 * well-formed byte sequences), for text that arrives piece by piece: a frame payload spanning
 * chunks, a message spanning fragments.
 *
 * It fails **fast**: at the first byte after which no continuation could ever be valid UTF-8, not
 * at the end of the message — the behaviour Autobahn|Testsuite's section 6 (6.4.x "fail fast")
 * checks. Rejected: stray continuation bytes, the overlong leads C0 and C1, overlong three- and
 * four-byte forms (E0 followed by 80–9F, F0 followed by 80–8F), UTF-16 surrogates (ED followed
 * by A0–BF), code points above U+10FFFF (F4 followed by 90–BF, leads F5–FF), and — at the end of
 * a message ({@link Utf8Validator.finish}) — a sequence left incomplete.
 *
 * Exactly the byte sequences the WHATWG `TextDecoder` with `fatal: true` rejects; long runs of
 * ASCII are skipped 16 bytes at a time.
 */

/** Lead byte → continuation bytes it needs (0 for ASCII, -1 for a byte that cannot lead). */
const NEED = /* @__PURE__ */ (() => {
  const table = new Int8Array(256);
  for (let b = 0x80; b < 0x100; b++) {
    table[b] =
      b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
  }
  return table;
})();

/** The range the byte after a lead must be in (table 3-7): narrower after E0, ED, F0, F4. */
function secondLow(lead: number): number {
  return lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
}
function secondHigh(lead: number): number {
  return lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
}

/** Runs of at least this many bytes are scanned 16 bytes at a time through a word view. */
const WORDS_MIN = 64;

/**
 * The index of the first byte ≥ 0x80 in `bytes[i…end)`, or `end`. Long runs are scanned as
 * aligned 32-bit words, four at a time (`Int32Array`: small integers in V8); short ones byte by
 * byte. Text is mostly ASCII: this is where validation spends its time.
 */
function asciiRunEnd(bytes: Uint8Array, i: number, end: number): number {
  // Short runs (text that is not mostly ASCII) stay byte by byte: a view costs more.
  const quick = Math.min(end, i + 16);
  while (i < quick && bytes[i]! < 0x80) i++;
  if (i < quick || end - i < WORDS_MIN) {
    while (i < end && bytes[i]! < 0x80) i++;
    return i;
  }
  const base = bytes.byteOffset;
  while (((base + i) & 3) !== 0) {
    if (bytes[i]! >= 0x80) return i;
    i++;
  }
  const words = (end - i) >>> 2;
  const view = new Int32Array(bytes.buffer, base + i, words);
  let w = 0;
  while (
    w + 4 <= words &&
    ((view[w]! | view[w + 1]! | view[w + 2]! | view[w + 3]!) & HIGH_BITS) === 0
  ) {
    w += 4;
  }
  // Then byte by byte from the group with a high bit (or the tail).
  i += w * 4;
  while (i < end && bytes[i]! < 0x80) i++;
  return i;
}
const HIGH_BITS = 0x80808080 | 0;

/**
 * Validates one text at a time, fed in any number of pieces: `update(piece)` for each piece,
 * `finish()` at the end of the text (a message's last fragment), then the next text starts.
 *
 * ```ts fragment
 * const v = new Utf8Validator();
 * v.update(Uint8Array.of(0xe2, 0x82)); // true: "€" may still be completed
 * v.update(Uint8Array.of(0xac));       // true
 * v.finish();                          // true: the text was valid; ready for the next one
 * ```
 */
export class Utf8Validator {
  /** Continuation bytes the current sequence still needs (0 between characters). */
  #need = 0;
  /** Allowed range of the next continuation byte. */
  #low = 0x80;
  #high = 0xbf;
  /** Bytes of this text accepted so far (before the current piece). */
  #offset = 0;
  #failedAt = -1;
  /** `finish` was called: the next `update` starts a new text. */
  #finished = false;

  /**
   * Position in the text (counted over all its pieces) of the byte that made it invalid — or the
   * text's length when `finish` found a sequence left incomplete; -1 while the text is valid so
   * far. Still readable after `finish`, until the next text's first `update`.
   */
  get failedAt(): number {
    return this.#failedAt;
  }

  /** True when the text so far ends inside a multi-byte sequence. */
  get incomplete(): boolean {
    return this.#need > 0;
  }

  /**
   * Checks the next piece (`bytes[start…end)`) of the text. Returns false as soon as the text can
   * no longer be valid UTF-8 (see `failedAt`), true otherwise; once false, it stays false until
   * the text ends (`finish`) or is dropped (`reset`). The first call after `finish` starts a new
   * text.
   */
  update(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    if (this.#finished) this.reset();
    if (this.#failedAt >= 0) return false;
    let i = start;
    let need = this.#need;
    let low = this.#low;
    let high = this.#high;
    for (;;) {
      // Continuation bytes of the current sequence (possibly begun in an earlier piece).
      while (need > 0) {
        if (i >= end) {
          this.#need = need;
          this.#low = low;
          this.#high = high;
          this.#offset += end - start;
          return true;
        }
        const c = bytes[i]!;
        if (c < low || c > high) return this.#fail(i - start);
        low = 0x80;
        high = 0xbf;
        need--;
        i++;
      }
      i = asciiRunEnd(bytes, i, end);
      if (i >= end) {
        this.#need = 0;
        this.#offset += end - start;
        return true;
      }
      const lead = bytes[i]!;
      need = NEED[lead]!;
      if (need < 0) return this.#fail(i - start);
      low = secondLow(lead);
      high = secondHigh(lead);
      i++;
    }
  }

  /**
   * Ends the text: true when it was valid and complete, false when it was invalid or ends
   * inside a multi-byte sequence (`failedAt` is then the text's length). Either way the next
   * `update` starts a new text.
   */
  finish(): boolean {
    if (this.#finished) return this.#failedAt < 0;
    if (this.#failedAt < 0 && this.#need > 0) this.#failedAt = this.#offset;
    this.#finished = true;
    return this.#failedAt < 0;
  }

  /** Forgets the current text (one abandoned midway): the validator is as new. */
  reset(): void {
    this.#need = 0;
    this.#low = 0x80;
    this.#high = 0xbf;
    this.#offset = 0;
    this.#failedAt = -1;
    this.#finished = false;
  }

  #fail(index: number): false {
    this.#failedAt = this.#offset + index;
    this.#need = 0;
    return false;
  }
}

/**
 * True when `bytes[start…end)` is one complete, valid UTF-8 text (no sequence left incomplete).
 * Equivalent to `TextDecoder('utf-8', { fatal: true })` accepting it.
 */
export function isValidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let i = start;
  for (;;) {
    i = asciiRunEnd(bytes, i, end);
    if (i >= end) return true;
    const lead = bytes[i]!;
    let need = NEED[lead]!;
    // An invalid lead, or a sequence the text ends inside of.
    if (need < 0 || i + need >= end) return false;
    let c = bytes[i + 1]!;
    if (c < secondLow(lead) || c > secondHigh(lead)) return false;
    i += 2;
    while (--need > 0) {
      c = bytes[i]!;
      if (c < 0x80 || c > 0xbf) return false;
      i++;
    }
  }
}
