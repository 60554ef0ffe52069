/**
 * The key challenge of draft-02, written here from the draft's steps and independent of
 * @ws02/handshake: key generation (5.1 steps 19–26, 29), reading a key (5.2.2 steps 4–7) and the
 * 16-byte answer (5.1 steps 45–46, 5.2.2 steps 8–9) with Node's own MD5.
 */
import { createHash } from 'node:crypto';

export const MAX_KEY_NUMBER = 4_294_967_295n;

/** A small seeded PRNG (mulberry32): reproducible keys per case. */
export class SeededRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.between(0, 255);
    return out;
  }
}

/** A seed from a string (e.g. a case id). */
export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface ClientKeys {
  readonly key1: string;
  readonly key2: string;
  readonly key3: Buffer;
  /** number_1 and number_2 (5.1 step 21): the parts the server must find. */
  readonly number1: number;
  readonly number2: number;
}

export interface KeyShape {
  /** spaces_n (step 19), default random 1..12. */
  readonly spaces?: number;
  /** number_n (step 21), default random 0..max_n. */
  readonly number?: number;
  /** How many random characters step 24 inserts, default random 1..12. */
  readonly extra?: number;
}

/** One key as 5.1 steps 19–25 build it. */
export function makeKey(
  random: SeededRandom,
  shape: KeyShape = {},
): { key: string; number: number } {
  const spaces = shape.spaces ?? random.between(1, 12);
  const max = Math.floor(4_294_967_295 / spaces); // step 20
  const number = shape.number ?? random.between(0, max); // step 21
  const chars = String(number * spaces).split(''); // steps 22–23
  const extra = shape.extra ?? random.between(1, 12); // step 24
  for (let i = 0; i < extra; i++) {
    // U+0021–U+002F and U+003A–U+007E: printable ASCII minus digits and space.
    const pick = random.between(0, 15 + 69 - 1);
    const c = pick < 15 ? 0x21 + pick : 0x3a + (pick - 15);
    chars.splice(random.between(0, chars.length), 0, String.fromCharCode(c));
  }
  for (let i = 0; i < spaces; i++) {
    // Step 25: never at the start or the end.
    chars.splice(random.between(1, chars.length - 1), 0, ' ');
  }
  return { key: chars.join(''), number };
}

/** Fresh client keys (steps 19–26 and 29). */
export function makeClientKeys(
  random: SeededRandom,
  shape1: KeyShape = {},
  shape2: KeyShape = {},
): ClientKeys {
  const k1 = makeKey(random, shape1);
  const k2 = makeKey(random, shape2);
  return {
    key1: k1.key,
    key2: k2.key,
    key3: random.bytes(8),
    number1: k1.number,
    number2: k2.number,
  };
}

/** A key as 5.2.2 steps 4–7 read it; `part` is undefined when the server must abort. */
export interface ReadKey {
  readonly digits: string;
  readonly keyNumber: bigint;
  readonly spaces: number;
  readonly part: number | undefined;
  /** Why the server must abort (step 4, 5 or 6), if it must. */
  readonly abort: string | undefined;
}

/** 5.2.2 steps 4–7 for one key, exactly (BigInt: no overflow however long the digits). */
export function readKey(key: string): ReadKey {
  let digits = '';
  let spaces = 0;
  for (const c of key) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c === ' ') spaces++;
  }
  const keyNumber = digits === '' ? 0n : BigInt(digits);
  let abort: string | undefined;
  if (keyNumber > MAX_KEY_NUMBER) abort = 'key-number greater than 4,294,967,295 (5.2.2 step 4)';
  else if (spaces === 0) abort = 'no spaces (5.2.2 step 5)';
  else if (keyNumber % BigInt(spaces) !== 0n)
    abort = 'key-number not a multiple of the spaces (5.2.2 step 6)';
  return {
    digits,
    keyNumber,
    spaces,
    part: abort === undefined ? Number(keyNumber / BigInt(spaces)) : undefined,
    abort,
  };
}

/** MD5 of BE32(part1) ‖ BE32(part2) ‖ key_3 (5.1 steps 45–46, 5.2.2 steps 8–9). */
export function challengeAnswer(part1: number, part2: number, key3: Uint8Array): Buffer {
  const challenge = Buffer.alloc(16);
  challenge.writeUInt32BE(part1 >>> 0, 0);
  challenge.writeUInt32BE(part2 >>> 0, 4);
  Buffer.from(key3.buffer, key3.byteOffset, key3.length).copy(challenge, 8, 0, 8);
  return createHash('md5').update(challenge).digest();
}

/** The answer the client expects for its keys (step 46). */
export function expectedAnswer(keys: ClientKeys): Buffer {
  return challengeAnswer(keys.number1, keys.number2, keys.key3);
}

/**
 * The draft's worked examples (SPEC-NOTES), as exact bytes: known answers that need no MD5 of
 * ours to check.
 */
export const DRAFT_EXAMPLES = {
  /** Section 1 overview. */
  classic: {
    key1: '4 @1  46546xW%0l 1 5',
    key2: '12998 5 Y3 1  .P00',
    key3: Buffer.from('^n:ds[4U', 'latin1'),
    answer: Buffer.from("8jKS'y:G*Co,Wxa-", 'latin1'),
  },
  /** 5.2.2 steps 4–9. */
  server: {
    key1: '3e6b263  4 17 80',
    key2: '17  9 G`ZD9   2 2b 7X 3 /r90',
    key3: Buffer.from('576a4e7d7c4d2836', 'hex'),
    answer: Buffer.from('n`9eBk9z$R8pOtVb', 'latin1'),
  },
  /** 5.1 steps 19–46 (13 and 14 inserted characters, more than step 24's 12). */
  client: {
    key1: 'P388 O503D& ul7 {K%gX( %7 15',
    key2: '1 N ?|k UT0or 3o  4 I97N 5-S3O 31',
    key3: Buffer.from('4730222d5a3f4758', 'hex'),
    answer: Buffer.from('0st3Rl&q-2ZU^weu', 'latin1'),
  },
} as const;
