/**
 * Randomness for the client handshake (5.1 steps 19–27, 29). Injectable so tests can be
 * deterministic; crypto-strong by default.
 */

/** Fills `bytes` with random bytes (the shape of `crypto.getRandomValues`). */
export type RandomSource = (bytes: Uint8Array) => void;

/** `globalThis.crypto.getRandomValues`: Web Crypto, present in Node ≥ 20 and edge runtimes. */
export const defaultRandom: RandomSource = (bytes) => {
  globalThis.crypto.getRandomValues(bytes);
};

/** Pool size for an injected source: one call serves a whole handshake (about 70 bytes). */
const POOL_SIZE = 256;
/**
 * Pool size of the process-wide Web Crypto pool: each `getRandomValues` call costs a few
 * microseconds whatever its size (measured: most of the key generation's cost when a fresh
 * 256-byte pool was filled per handshake), so one call now serves about 110 handshakes.
 * Well below Web Crypto's 65,536-byte limit per call.
 */
const SHARED_POOL_SIZE = 8192;
const TWO_32 = 0x1_0000_0000;

/**
 * Unbiased random integers drawn from a {@link RandomSource}, a pool of bytes at a time.
 * Integers come by rejection sampling (never `%` alone, which would favour small values): from
 * one byte when the range has at most 256 values (every draw of 5.1 steps 19, 24, 25 and 27),
 * from 32 bits otherwise (step 21's numbers).
 */
export class RandomIntegers {
  readonly #source: RandomSource;
  readonly #pool: Uint8Array;
  #used: number;

  constructor(source: RandomSource = defaultRandom, poolSize = POOL_SIZE) {
    this.#source = source;
    this.#pool = new Uint8Array(poolSize);
    this.#used = poolSize;
  }

  /** Copies `target.length` random bytes into `target`. */
  fill(target: Uint8Array): void {
    for (let i = 0; i < target.length; i++) target[i] = this.#byte();
  }

  /** A uniformly random integer in 0 .. `bound` − 1, for 1 ≤ `bound` ≤ 2^32. */
  below(bound: number): number {
    // The largest multiple of `bound` not above the draw's range (2^8 or 2^32): draws at or
    // past it are rejected, so every residue is equally likely. At most half of all draws can
    // be rejected, so the expected number of draws is below 2. A broken source (constant
    // output) must not hang us: after 64 rejections (probability ≤ 2^-64 for a real source)
    // take the draw as is.
    if (bound <= 256) {
      const limit = 256 - (256 % bound);
      let draw = this.#byte();
      for (let tries = 0; draw >= limit && tries < 64; tries++) draw = this.#byte();
      return draw % bound;
    }
    const limit = TWO_32 - (TWO_32 % bound);
    let draw = this.#u32();
    for (let tries = 0; draw >= limit && tries < 64; tries++) draw = this.#u32();
    return draw % bound;
  }

  /** A uniformly random integer in `min` .. `max` inclusive. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  #byte(): number {
    if (this.#used === this.#pool.length) {
      this.#source(this.#pool);
      this.#used = 0;
    }
    return this.#pool[this.#used++]!;
  }

  #u32(): number {
    return this.#byte() * 0x1000000 + ((this.#byte() << 16) | (this.#byte() << 8) | this.#byte());
  }
}

let shared: RandomIntegers | undefined;

/**
 * The integers for `source`: the process-wide pool for the default Web Crypto source (created on
 * first use, refilled when used up; bytes are never handed out twice), a fresh pool per call
 * for an injected source (so the same source and seed give the same handshake).
 */
export function randomIntegersFor(source: RandomSource | undefined): RandomIntegers {
  if (source === undefined || source === defaultRandom) {
    shared ??= new RandomIntegers(defaultRandom, SHARED_POOL_SIZE);
    return shared;
  }
  return new RandomIntegers(source);
}
