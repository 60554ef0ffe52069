import { HandshakeError, show } from './handshake-error.js';
import { md5 as defaultMd5, type Md5 } from './md5.js';

/** The largest key-number a conforming client can send (5.1 step 20, 5.2.2 step 4). */
export const MAX_KEY_NUMBER = 4_294_967_295;

/** A key field read as 5.2.2 steps 4–7 read it. */
export interface ParsedKey {
  /** Step 4: the key's digits read as one base-ten integer. */
  readonly keyNumber: number;
  /** Step 5: the key's count of U+0020 SPACE characters. */
  readonly spaces: number;
  /** Step 7: keyNumber / spaces (an integer, at most 4,294,967,295). */
  readonly part: number;
}

// Results of scanKey, kept in module scope so the hot path allocates nothing per key.
let scannedNumber = 0;
let scannedSpaces = 0;
let scannedDigits = 0;
let scannedTooLarge = false;

/**
 * 5.2.2 steps 4–5 for one key: digits as a base-ten integer, exactly (no floating point: the
 * value is accumulated only while it is ≤ 4,294,967,295, so n × 10 + 9 stays far below 2^53 and
 * a longer digit string is flagged instead of overflowing), and the count of spaces.
 */
function scanKey(key: string): void {
  let n = 0;
  let spaces = 0;
  let digits = 0;
  let tooLarge = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      digits++;
      if (!tooLarge) {
        n = n * 10 + (c - 0x30);
        if (n > MAX_KEY_NUMBER) tooLarge = true;
      }
    } else if (c === 0x20) {
      spaces++;
    }
  }
  scannedNumber = n;
  scannedSpaces = spaces;
  scannedDigits = digits;
  scannedTooLarge = tooLarge;
}

/**
 * Checks both keys in the draft's step order (step 4 for both, then 5, then 6) and returns the
 * two parts (step 7), or the abort. Shared by the parsers and {@link computeHandshakeResponse}.
 */
export function checkKeys(key1: string, key2: string): HandshakeError | readonly [number, number] {
  scanKey(key1);
  const number1 = scannedNumber;
  const spaces1 = scannedSpaces;
  const digits1 = scannedDigits;
  const tooLarge1 = scannedTooLarge;
  scanKey(key2);
  const number2 = scannedNumber;
  const spaces2 = scannedSpaces;
  const digits2 = scannedDigits;
  const tooLarge2 = scannedTooLarge;
  // Step 4: a key-number needs digits to exist at all; a conforming key always has some.
  if (digits1 === 0) return noDigits(1, key1);
  if (digits2 === 0) return noDigits(2, key2);
  // Step 4: "greater than 4,294,967,295 … This is a symptom of an attack."
  if (tooLarge1) return tooLarge(1, key1);
  if (tooLarge2) return tooLarge(2, key2);
  // Step 5: zero spaces is "a symptom of a cross-protocol attack".
  if (spaces1 === 0) return noSpaces(1, key1);
  if (spaces2 === 0) return noSpaces(2, key2);
  // Step 6: only a non-conforming client sends a key-number that spaces does not divide.
  if (number1 % spaces1 !== 0) return notMultiple(1, number1, spaces1);
  if (number2 % spaces2 !== 0) return notMultiple(2, number2, spaces2);
  // Step 7.
  return [number1 / spaces1, number2 / spaces2];
}

/**
 * Reads one key as 5.2.2 steps 4–7 do (`which` only names the field in the error).
 *
 * @throws HandshakeError HANDSHAKE_BAD_KEY, HANDSHAKE_KEY_TOO_LARGE, HANDSHAKE_KEY_NO_SPACES,
 *   HANDSHAKE_KEY_NOT_MULTIPLE
 */
export function parseHandshakeKey(key: string, which: 1 | 2 = 1): ParsedKey {
  scanKey(key);
  const keyNumber = scannedNumber;
  const spaces = scannedSpaces;
  if (scannedDigits === 0) throw noDigits(which, key);
  if (scannedTooLarge) throw tooLarge(which, key);
  if (spaces === 0) throw noSpaces(which, key);
  if (keyNumber % spaces !== 0) throw notMultiple(which, keyNumber, spaces);
  return { keyNumber, spaces, part: keyNumber / spaces };
}

/**
 * The 16-byte challenge: part 1 and part 2 as big-endian unsigned 32-bit integers, then the eight
 * bytes of key_3 (5.1 step 45 with number_1/number_2, 5.2.2 step 8 with part_1/part_2).
 */
export function createChallenge(part1: number, part2: number, key3: Uint8Array): Uint8Array {
  const challenge = new Uint8Array(16);
  challenge[0] = part1 >>> 24;
  challenge[1] = part1 >>> 16;
  challenge[2] = part1 >>> 8;
  challenge[3] = part1;
  challenge[4] = part2 >>> 24;
  challenge[5] = part2 >>> 16;
  challenge[6] = part2 >>> 8;
  challenge[7] = part2;
  challenge.set(key3.subarray(0, 8), 8);
  return challenge;
}

/**
 * The server's 16-byte answer (5.2.2 steps 4–9): checks and reads both keys, builds the challenge
 * with key_3, and returns its MD5.
 *
 * @param key1 the Sec-WebSocket-Key1 value, @param key2 the Sec-WebSocket-Key2 value
 * @param key3 the eight bytes after the client's fields
 * @param md5 MD5 implementation (default: the pure TypeScript {@link defaultMd5})
 * @throws HandshakeError HANDSHAKE_BAD_KEY3 (key3 not 8 bytes), HANDSHAKE_BAD_KEY,
 *   HANDSHAKE_KEY_TOO_LARGE, HANDSHAKE_KEY_NO_SPACES, HANDSHAKE_KEY_NOT_MULTIPLE
 */
export function computeHandshakeResponse(
  key1: string,
  key2: string,
  key3: Uint8Array,
  md5: Md5 = defaultMd5,
): Uint8Array {
  if (key3.length !== 8) {
    throw new HandshakeError(
      'HANDSHAKE_BAD_KEY3',
      '5.2.2',
      `key_3 must be exactly 8 bytes, got ${key3.length}`,
      { step: 8 },
    );
  }
  const parts = checkKeys(key1, key2);
  if (parts instanceof HandshakeError) throw parts;
  // Steps 8–9.
  return md5(createChallenge(parts[0], parts[1], key3));
}

function keyField(which: 1 | 2): string {
  return which === 1 ? 'sec-websocket-key1' : 'sec-websocket-key2';
}

function noDigits(which: 1 | 2, key: string): HandshakeError {
  return new HandshakeError(
    'HANDSHAKE_BAD_KEY',
    '5.2.2',
    `Sec-WebSocket-Key${which} has no digits: ${show(key)}`,
    { step: 4, httpStatus: 400, field: keyField(which) },
  );
}

function tooLarge(which: 1 | 2, key: string): HandshakeError {
  return new HandshakeError(
    'HANDSHAKE_KEY_TOO_LARGE',
    '5.2.2',
    `key-number of Sec-WebSocket-Key${which} is greater than 4,294,967,295 (a symptom of an attack): ${show(key)}`,
    { step: 4, httpStatus: 400, field: keyField(which) },
  );
}

function noSpaces(which: 1 | 2, key: string): HandshakeError {
  return new HandshakeError(
    'HANDSHAKE_KEY_NO_SPACES',
    '5.2.2',
    `Sec-WebSocket-Key${which} has no spaces (a symptom of a cross-protocol attack): ${show(key)}`,
    { step: 5, httpStatus: 400, field: keyField(which) },
  );
}

function notMultiple(which: 1 | 2, keyNumber: number, spaces: number): HandshakeError {
  return new HandshakeError(
    'HANDSHAKE_KEY_NOT_MULTIPLE',
    '5.2.2',
    `key-number ${keyNumber} of Sec-WebSocket-Key${which} is not a multiple of its ${spaces} spaces`,
    { step: 6, httpStatus: 400, field: keyField(which) },
  );
}
