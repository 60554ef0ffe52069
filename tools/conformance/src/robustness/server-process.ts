/**
 * The server under test for robustness runs in its own process (so its file descriptors and
 * memory are its own and measurable): @ws02/server as an echo server, reporting its RSS, heap
 * and counters over the IPC channel.
 */
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkInGroup, killGroup } from '@ws02/process-group';

export interface ServerStats {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Open TCP sockets of the server process, handshakes in progress included. */
  readonly sockets: number;
  /** Echo sends that threw (a server bug if ever non-zero). */
  readonly sendErrors: number;
  readonly counters: Readonly<Record<string, unknown>>;
}

export interface ServerProcessOptions {
  /** Handshake timeout given to the server, ms. */
  readonly handshakeTimeout: number;
  /** Outgoing bytes per connection before a non-reading peer is cut off. */
  readonly maxBufferedBytes: number;
}

/** A spawned echo server. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  #pending: ((stats: ServerStats) => void)[] = [];

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    child.on('message', (message: { type: string } & ServerStats) => {
      if (message.type === 'stats') this.#pending.shift()?.(message);
    });
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith('.ts');
    const entry = join(dirname(here), fromSource ? 'echo-server-main.ts' : 'robustness-server.js');
    // Its own process group; it dies with this process however this one ends.
    const child = forkInGroup(
      entry,
      [String(options.handshakeTimeout), String(options.maxBufferedBytes)],
      {
        execArgv: ['--expose-gc', ...(fromSource ? ['--import', 'tsx'] : [])],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the server process did not start within 30 s')),
        30_000,
      );
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
      child.on('message', (m: { type: string; port?: number }) => {
        if (m.type === 'listening') {
          clearTimeout(timer);
          resolve(m.port!);
        }
      });
    });
    return new ServerProcess(child, port);
  }

  /** Memory and connection figures; `gc` first runs a full collection in the server. */
  stats(gc = false): Promise<ServerStats> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no stats from the server process within 10 s')),
        10_000,
      );
      this.#pending.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.child.send({ type: 'stats', gc });
    });
  }

  /** Stops the server (graceful close, then kill after 10 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => killGroup(this.child), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
