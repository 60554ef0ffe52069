// Independent peers the tests start as separate programs (each from a Debian package that
// scripts/system-deps.mjs installs for `npm test`). A missing peer FAILS the test that needs
// it, with the command that installs it: a test is never skipped.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Spawned } from './spawned.js';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Throws, naming the Debian package, unless `command args` exits 0. */
export function requireProgram(command: string, args: readonly string[], pkg: string): void {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `${command} is missing or broken (${probe.error?.message ?? probe.stderr.trim()}): ` +
        `install the Debian package ${pkg} (\`npm test\` installs it as root; otherwise ` +
        `\`sudo apt-get install ${pkg}\`)`,
    );
  }
}

const EM_ECHO_SERVER = fileURLToPath(
  new URL('../../tools/interop/em-echo-server.rb', import.meta.url),
);

/**
 * em-websocket (Ruby), an independent draft-02 server, echoing; on a free port of 127.0.0.1.
 * Killed after the file's last test if `stop` was not called.
 */
export async function startEmWebsocket(): Promise<{
  url: string;
  port: number;
  process: Spawned;
  stop: () => Promise<void>;
}> {
  requireProgram('ruby', ['-e', "require 'em-websocket'"], 'ruby-em-websocket');
  const port = await freePort();
  const proc = new Spawned('ruby', [EM_ECHO_SERVER, String(port)], { scope: 'file' });
  await proc.waitOut(new RegExp(`listening ${port}\\n`));
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    process: proc,
    stop: async () => {
      if (proc.running) proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}
