import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Spawned } from '../../../scripts/test-utils/spawned.js';

export { Spawned };

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** Path of a built bin; the test fails with a clear message when the build is missing. */
export function bin(name: 'main.js' | 'chat-cli.js'): string {
  const path = `${DIST}${name}`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npx tsup\` first`);
  return path;
}

/** Starts a built bin (`env` added to PATH and NO_COLOR=1), in its own process group. */
export function startBin(
  name: 'main.js' | 'chat-cli.js',
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Spawned {
  return Spawned.node(bin(name), args, { env });
}
