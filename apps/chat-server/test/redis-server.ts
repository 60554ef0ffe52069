// A real redis-server for the scale-out tests: started on a free port with no persistence,
// stopped after the test. The Debian package provides it (`.ci/run` installs it); when it is
// missing the tests FAIL with a message saying so — they are never skipped.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { spawnInGroup } from '@ws02/process-group';
import { afterEach } from 'vitest';
import { PROCESS_WAIT_MS } from '../../../scripts/test-utils/spawned.js';

const running = new Set<RedisServer>();

afterEach(async () => {
  await Promise.all([...running].map((r) => r.stop()));
});

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed (or not on PATH): the Redis scale-out tests need it. ' +
        'Install the Debian package: apt-get install redis-server (.ci/run does this).',
    );
  }
}

export class RedisServer {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  log = '';

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a redis-server on a free port (or `port`) and waits until it accepts connections. */
  static async start(port?: number): Promise<RedisServer> {
    requireRedisServer();
    const server = new RedisServer(port ?? (await freePort()));
    running.add(server);
    await server.#launch();
    return server;
  }

  /** Stops it (SIGKILL: no shutdown save either way) and starts it again on the same port, empty. */
  async restart(downMs = 0): Promise<void> {
    await this.kill();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.#launch();
  }

  /** Stops the server at once, as a crash would. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    await this.#exited;
  }

  async stop(): Promise<void> {
    running.delete(this);
    await this.kill();
  }

  async #launch(): Promise<void> {
    const child = spawnInGroup(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`redis-server did not start within ${PROCESS_WAIT_MS} ms:\n${this.log}`),
          ),
        PROCESS_WAIT_MS,
      );
      const onData = (chunk: Buffer) => {
        this.log += chunk.toString('utf8');
        if (this.log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}) at start:\n${this.log}`));
      });
    });
    await ready;
  }
}
