// The worker module of the offload layer, built as its own entry (dist/offload-worker.js, ESM).
// Applications load it into their own pool: `new Piscina({ filename: offloadWorkerUrl })`.
// It imports the same pure cores the main thread uses: decoding here is @ws02/frame's
// `decodeText`, hashing is @ws02/handshake's `md5` — never a second implementation.
import { decodeText, FrameError } from '@ws02/frame';
import { md5 } from '@ws02/handshake';
import type { TextDecodeTask } from '@ws02/socket';

/**
 * MD5s of a batch of 16-byte handshake challenges (5.2.2 steps 8–9), `challenges` holding them
 * back to back. The answer is an ArrayBuffer of the 16-byte digests in the same order.
 */
export interface Md5BatchTask {
  readonly kind: 'md5';
  readonly challenges: ArrayBuffer;
}

/** An empty task: `calibrateOffload` times one round trip with it. */
export interface NoopTask {
  readonly kind: 'noop';
}

/** Every task the offload worker runs. */
export type OffloadTask = TextDecodeTask | Md5BatchTask | NoopTask;

/**
 * Runs one task (piscina calls the default export). Text: the decoded string, or `null` when the
 * bytes are not UTF-8 under the `fail` policy (section 6) — an answer, not a throw, so the main
 * thread tells a peer's bad bytes from a broken worker.
 */
export default function runOffloadTask(task: OffloadTask): string | null | ArrayBuffer | 0 {
  switch (task?.kind) {
    case 'text': {
      if (task.policy !== 'replace' && task.policy !== 'fail') {
        throw new TypeError(`offload worker: unknown text policy ${String(task.policy)}`);
      }
      try {
        return decodeText(new Uint8Array(task.bytes), task.policy) as string;
      } catch (error) {
        if (error instanceof FrameError && error.code === 'FRAME_INVALID_UTF8') return null;
        throw error;
      }
    }
    case 'md5': {
      const input = new Uint8Array(task.challenges);
      if (input.byteLength % 16 !== 0) {
        throw new TypeError('offload worker: md5 challenges must be 16 bytes each');
      }
      const out = new Uint8Array(input.byteLength);
      for (let offset = 0; offset < input.byteLength; offset += 16) {
        out.set(md5(input.subarray(offset, offset + 16)), offset);
      }
      // Returned as a plain ArrayBuffer (cloned: 16 bytes per handshake). Moving it would need
      // piscina's own `move()`, and this module must not depend on piscina.
      return out.buffer;
    }
    case 'noop':
      return 0;
    default:
      throw new TypeError(
        `offload worker: unknown task ${String((task as { kind?: unknown })?.kind)}`,
      );
  }
}
