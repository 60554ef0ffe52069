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

const POOL_SIZE = 256;
const TWO_32 = 0x1_0000_0000;

/**
 * Unbiased random integers drawn from a {@link RandomSource}, a pool of bytes at a time (one
 * source call serves a whole key pair). Integers come from 32-bit draws by rejection sampling
 * (never `%` alone, which would favour small values).
 */
export class RandomIntegers {
  readonly #source: RandomSource;
  readonly #pool = new Uint8Array(POOL_SIZE);
  #used = POOL_SIZE;

  constructor(source: RandomSource = defaultRandom) {
    this.#source = source;
  }

  /** Copies `target.length` random bytes into `target`. */
  fill(target: Uint8Array): void {
    for (let i = 0; i < target.length; i++) target[i] = this.#byte();
  }

  /** A uniformly random integer in 0 .. `bound` − 1, for 1 ≤ `bound` ≤ 2^32. */
  below(bound: number): number {
    // The largest multiple of `bound` not above 2^32: draws at or past it are rejected, so every
    // residue is equally likely. At most half of all draws can be rejected (bound ≤ 2^31 + 1 …),
    // so the expected number of draws is below 2. A broken source (constant output) must not
    // hang us: after 64 rejections (probability ≤ 2^-64 for a real source) take the draw as is.
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
    if (this.#used === POOL_SIZE) {
      this.#source(this.#pool);
      this.#used = 0;
    }
    return this.#pool[this.#used++]!;
  }

  #u32(): number {
    return this.#byte() * 0x1000000 + ((this.#byte() << 16) | (this.#byte() << 8) | this.#byte());
  }
}
