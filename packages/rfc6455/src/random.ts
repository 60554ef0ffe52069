/**
 * Randomness for the client: the 16-byte `Sec-WebSocket-Key` nonce (RFC 6455 4.1 step 7) and a
 * fresh masking key for every frame (5.3: "derived from a strong source of entropy"; 10.3: keys
 * must not be predictable). Injectable so tests are deterministic; Web Crypto by default.
 */

/** Fills `bytes` with random bytes (the shape of `crypto.getRandomValues`). */
export type RandomSource = (bytes: Uint8Array) => void;

/** `globalThis.crypto.getRandomValues`: Web Crypto, present in Node ≥ 20 and edge runtimes. */
export const defaultRandom: RandomSource = (bytes) => {
  globalThis.crypto.getRandomValues(bytes);
};

/**
 * Pool size for the process-wide Web Crypto pool: a `getRandomValues` call costs about a
 * microsecond whatever its size, far more than a small frame's encoding, so one call serves 1024
 * masking keys. Well below Web Crypto's limit of 65,536 bytes per call.
 */
const SHARED_POOL_SIZE = 4096;
/** Pool size for an injected source: a handshake key and 60 masking keys per call. */
const INJECTED_POOL_SIZE = 256;

/**
 * Random bytes drawn from a {@link RandomSource} a pool at a time. Every byte is handed out
 * once: a masking key is never reused.
 */
export class RandomPool {
  readonly #source: RandomSource;
  readonly #pool: Uint8Array;
  #used: number;

  constructor(source: RandomSource, size: number) {
    this.#source = source;
    this.#pool = new Uint8Array(size);
    this.#used = size;
  }

  /** Writes `n` (≤ the pool size) fresh random bytes into `target` at `offset`. */
  fill(target: Uint8Array, offset: number, n: number): void {
    const pool = this.#pool;
    let used = this.#used;
    for (let i = 0; i < n; i++) {
      if (used === pool.length) {
        this.#source(pool);
        used = 0;
      }
      target[offset + i] = pool[used++]!;
    }
    this.#used = used;
  }
}

let shared: RandomPool | undefined;

/**
 * The pool for `source`: one process-wide pool for Web Crypto (created on first use), a pool of
 * its own per connection for an injected source (so a seeded source gives the same bytes to the
 * same connection, whatever other connections do).
 */
export function randomPoolFor(source: RandomSource | undefined): RandomPool {
  if (source === undefined || source === defaultRandom) {
    shared ??= new RandomPool(defaultRandom, SHARED_POOL_SIZE);
    return shared;
  }
  return new RandomPool(source, INJECTED_POOL_SIZE);
}
