import type { PeerTarget } from './load-peer.js';
import type { ServerProcess } from './server-process.js';

/** One scenario's outcome: a verdict and the figures measured. */
export interface ScenarioResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed (empty when passed). */
  readonly problems: readonly string[];
  readonly figures: Readonly<Record<string, number | string>>;
  readonly durationMs: number;
}

export interface ScenarioContext {
  readonly target: PeerTarget;
  /** Our spawned server, when the run spawned one (memory and connection figures). */
  readonly server: ServerProcess | undefined;
  readonly quick: boolean;
  log(line: string): void;
}

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const MiB = 1024 * 1024;

export function mib(bytes: number): number {
  return Math.round((bytes / MiB) * 10) / 10;
}

/** Runs `f` over `items` with at most `limit` in flight. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  f: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

/** Polls `pred` every 50 ms until true or `ms` pass. */
export async function until(pred: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await pred()) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
