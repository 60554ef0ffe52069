// How busy this machine is right now, for the few tests that run a whole tool with a time
// budget of its own (ws02-bench --quick): the budget grows with the machine's slowness, so a
// loaded CI machine gets more time, never a timeout of the test runner.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * What the probe takes on this project's reference machine (2 cores, quiet), ms: four Node
 * processes started one after another, each running a fixed loop.
 */
const REFERENCE_MS = 1_800;

function runOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', 'let x = 0; for (let i = 0; i < 2e7; i++) x += i;'],
      {
        stdio: 'ignore',
      },
    );
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

/** How many times slower than the reference machine this one is now (at least 1). */
export async function machineSlowdown(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 4; i++) await runOnce();
  return Math.max(1, (performance.now() - t0) / REFERENCE_MS);
}

/** `baseMs` scaled by the machine's slowdown now, capped at `capMs`. */
export async function scaledBudget(baseMs: number, capMs = 20 * 60_000): Promise<number> {
  return Math.min(capMs, Math.round(baseMs * (await machineSlowdown())));
}
