import { MAX_KEY_NUMBER } from './challenge.js';
import { type RandomIntegers, type RandomSource, randomIntegersFor } from './random.js';

/** The client's secrets for one handshake (5.1 steps 19–26 and 29). */
export interface ClientKeys {
  /** Step 26: the Sec-WebSocket-Key1 value. */
  readonly key1: string;
  /** Step 26: the Sec-WebSocket-Key2 value. */
  readonly key2: string;
  /** Step 21: number_1 (the challenge uses it, step 45). */
  readonly number1: number;
  /** Step 21: number_2. */
  readonly number2: number;
  /** Step 19: spaces_1. */
  readonly spaces1: number;
  /** Step 19: spaces_2. */
  readonly spaces2: number;
  /** Step 29: eight random bytes. */
  readonly key3: Uint8Array;
}

// Step 24: U+0021–U+002F (15 characters) and U+003A–U+007E (69 characters).
const RANDOM_CHARACTERS = 15 + 69;

/**
 * Generates key_1, key_2 and key_3 exactly as 5.1 steps 19–26 and 29 say, from `random`
 * (default: Web Crypto's `getRandomValues`). Integers are drawn without modulo bias.
 */
export function generateClientKeys(random?: RandomSource): ClientKeys {
  return generateClientKeysFrom(randomIntegersFor(random));
}

/** {@link generateClientKeys} drawing from an existing pool (the handshake shares one). */
export function generateClientKeysFrom(random: RandomIntegers): ClientKeys {
  // Step 19.
  const spaces1 = random.between(1, 12);
  const spaces2 = random.between(1, 12);
  // Step 20: max_n = floor(4,294,967,295 / spaces_n).
  const max1 = Math.floor(MAX_KEY_NUMBER / spaces1);
  const max2 = Math.floor(MAX_KEY_NUMBER / spaces2);
  // Step 21: 0 .. max_n inclusive (max_n + 1 ≤ 2^32 values).
  const number1 = random.between(0, max1);
  const number2 = random.between(0, max2);
  // Steps 22–25 (each key is built as its own product, then decorated).
  const key1 = buildKey(number1 * spaces1, spaces1, random);
  const key2 = buildKey(number2 * spaces2, spaces2, random);
  // Step 29.
  const key3 = new Uint8Array(8);
  random.fill(key3);
  return { key1, key2, number1, number2, spaces1, spaces2, key3 };
}

// Room for one key: product_n's ≤ 10 digits, ≤ 12 characters (step 24), ≤ 12 spaces (step 25).
// A plain array of small integers (measured faster here than a typed array's copyWithin per
// insertion, and than splicing an array of one-character strings).
const scratch: number[] = new Array<number>(40).fill(0);

function buildKey(product: number, spaces: number, random: RandomIntegers): string {
  // Steps 22–23: product_n (exact: ≤ 4,294,967,295) in base ten, as character codes.
  const digits = String(product);
  let length = digits.length;
  for (let i = 0; i < length; i++) scratch[i] = digits.charCodeAt(i);
  // Step 24: one to twelve random characters, none a digit or a space, at random positions.
  const extra = random.between(1, 12);
  for (let i = 0; i < extra; i++) {
    const pick = random.below(RANDOM_CHARACTERS);
    const code = pick < 15 ? 0x21 + pick : 0x3a + (pick - 15);
    length = insert(random.between(0, length), code, length);
  }
  // Step 25: spaces at random positions other than the start or the end: inserting before
  // index 1 .. length − 1 keeps a non-space character on both ends (length ≥ 2 after step 24).
  for (let i = 0; i < spaces; i++) length = insert(random.between(1, length - 1), 0x20, length);
  return String.fromCharCode.apply(null, scratch.slice(0, length));
}

// Inserts `code` before index `at` of scratch[0 .. length), returning the new length.
function insert(at: number, code: number, length: number): number {
  for (let i = length; i > at; i--) scratch[i] = scratch[i - 1]!;
  scratch[at] = code;
  return length + 1;
}
