// Drives the built `ws02` bin as a user would: spawn it, type, read its output.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocketServerOptions } from '@ws02/server';
import { PROCESS_WAIT_MS, Spawned } from '../../../scripts/test-utils/spawned.js';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** The tests run the built bin: fail clearly when it is missing or older than the sources. */
export function assertBuilt(): void {
  let built: number;
  try {
    built = statSync(CLI).mtimeMs;
  } catch {
    throw new Error(
      `${CLI} is missing: run \`npx tsup\` in tools/cli (turbo builds it before test)`,
    );
  }
  for (const file of readdirSync(SRC)) {
    if (statSync(`${SRC}${file}`).mtimeMs > built) {
      throw new Error(`${CLI} is older than src/${file}: run \`npx tsup\` in tools/cli`);
    }
  }
}

/** The bin as a user runs it (a Spawned: own process group, killed after the test). */
export interface Running {
  readonly proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Everything printed so far, both streams. */
  all(): string;
  write(text: string): void;
  end(): void;
  /** Waits until `pred(all output)` holds (bounded generously; fails early on exit). */
  waitFor(pred: (output: string) => boolean, ms?: number, what?: string): Promise<void>;
  /** The exit code, 128 for a signal (bounded; the process is killed when the time runs out). */
  exited(ms?: number): Promise<number>;
}

export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  command: [string, string[]] = [process.execPath, [CLI, ...args]],
): Running {
  const p = new Spawned(command[0], command[1], {
    inheritEnv: true,
    env: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
  return {
    proc: p.child,
    stdout: () => p.stdout,
    stderr: () => p.stderr,
    all: () => p.all,
    write: (text) => p.write(text),
    end: () => p.end(),
    async waitFor(pred, ms = PROCESS_WAIT_MS, what = 'output') {
      await p
        .waitFor(() => pred(p.all), what, ms)
        .catch((error: Error) => {
          // The process may have exited right after printing what was awaited.
          if (!pred(p.all)) throw error;
        });
    },
    async exited(ms = PROCESS_WAIT_MS) {
      const { code, signal } = await p.exit(ms);
      return code ?? (signal === null ? -1 : 128);
    },
  };
}

/** Runs the bin to completion with `input` on stdin. */
export async function runCli(
  args: string[],
  input = '',
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const running = spawnCli(args, env);
  running.write(input);
  running.end();
  const code = await running.exited();
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}

/** A @ws02/server on 127.0.0.1 that echoes and records what it receives. */
export async function startEcho(options: Omit<WebSocketServerOptions, 'port'> = {}) {
  const wss = new WebSocketServer({ ...options, port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  const received: [string | Buffer, boolean][] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      received.push([isBinary ? Buffer.from(data as Buffer) : (data as string), isBinary]);
      ws.send(data, { binary: isBinary });
    });
  });
  return { wss, port, url: `ws://127.0.0.1:${port}/`, received };
}
