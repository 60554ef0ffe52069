import { md5 } from '@ws02/handshake';
import type { OffloadPool } from '@ws02/socket';
import type { Md5BatchTask } from './offload-worker.js';

/** Default `offload.handshakes.minBatch`: the measured point where batching cuts main-thread time. */
export const DEFAULT_HANDSHAKE_MIN_BATCH = 64;

/** Handshake batching, server-wide (`wss.offloadStats.handshakes`). */
export interface HandshakeBatchStats {
  /** Batches sent to the pool. */
  batches: number;
  /** Handshakes whose MD5 was computed in the pool. */
  batched: number;
  /** Handshakes answered inline (fewer than `minBatch` waiting, pool saturated, or failed). */
  inline: number;
  /** Batches the pool failed (their handshakes were answered inline instead). */
  failed: number;
}

interface Waiting {
  readonly challenge: Uint8Array;
  readonly response: Uint8Array;
  readonly resolve: (response: Uint8Array) => void;
}

/**
 * Computes handshake answers (5.2.2 steps 8–9: the MD5 of each 16-byte challenge) in batches:
 * handshakes reaching their answer in the same event-loop turn wait until the end of it
 * (`setImmediate`); then, with at least `minBatch` of them, their challenges go to the pool as
 * one task, else each MD5 is computed inline. A failed batch falls back to inline: a handshake
 * never fails because of the pool.
 */
export class HandshakeBatcher {
  readonly stats: HandshakeBatchStats = { batches: 0, batched: 0, inline: 0, failed: 0 };
  readonly #pool: OffloadPool;
  readonly #minBatch: number;
  readonly #maxQueue: number;
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(pool: OffloadPool, minBatch: number, maxQueue: number) {
    if (!(minBatch >= 1)) throw new RangeError('offload.handshakes.minBatch must be at least 1');
    this.#pool = pool;
    this.#minBatch = minBatch;
    this.#maxQueue = maxQueue;
  }

  /**
   * `response` is a complete 101 response whose last 16 bytes (step 13: the answer ends the
   * response) are to be filled with the MD5 of `challenge`; resolves with it, filled.
   */
  answer(challenge: Uint8Array, response: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      this.#waiting.push({ challenge, response, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length < this.#minBatch || this.#pool.queueSize >= this.#maxQueue) {
      this.#inline(batch);
      return;
    }
    const challenges = new Uint8Array(batch.length * 16);
    for (let i = 0; i < batch.length; i++) challenges.set(batch[i]!.challenge, i * 16);
    const task: Md5BatchTask = { kind: 'md5', challenges: challenges.buffer };
    this.stats.batches++;
    this.#pool.run(task, { transferList: [challenges.buffer] }).then(
      (result) => {
        if (!(result instanceof ArrayBuffer) || result.byteLength !== batch.length * 16) {
          this.#failed(batch);
          return;
        }
        const digests = new Uint8Array(result);
        this.stats.batched += batch.length;
        for (let i = 0; i < batch.length; i++) {
          const { response, resolve } = batch[i]!;
          response.set(digests.subarray(i * 16, i * 16 + 16), response.length - 16);
          resolve(response);
        }
      },
      () => this.#failed(batch),
    );
  }

  #failed(batch: Waiting[]): void {
    this.stats.failed++;
    this.#inline(batch);
  }

  #inline(batch: Waiting[]): void {
    this.stats.inline += batch.length;
    for (const { challenge, response, resolve } of batch) {
      response.set(md5(challenge), response.length - 16);
      resolve(response);
    }
  }
}
