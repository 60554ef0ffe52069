// Drives the built `ws02` bin as a user would: spawn it, type, read its output.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocketServerOptions } from '@ws02/server';

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

export interface Running {
  readonly proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Everything printed so far, both streams. */
  all(): string;
  write(text: string): void;
  end(): void;
  /** Waits until `pred(all output)` holds (bounded). */
  waitFor(pred: (output: string) => boolean, ms?: number, what?: string): Promise<void>;
  /** The exit code (bounded; the process is killed when the time runs out). */
  exited(ms?: number): Promise<number>;
}

export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  command: [string, string[]] = [process.execPath, [CLI, ...args]],
): Running {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    ...env,
  })) {
    if (v !== undefined) merged[k] = v;
  }
  const proc = spawn(command[0], command[1], {
    env: merged,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let both = '';
  proc.stdout!.on('data', (c) => {
    out += c;
    both += c;
  });
  proc.stderr!.on('data', (c) => {
    err += c;
    both += c;
  });
  proc.stdin!.on('error', () => {});
  const exit = new Promise<number>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? (signal === null ? -1 : 128))),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    all: () => both,
    write: (text) => {
      proc.stdin!.write(text);
    },
    end: () => {
      proc.stdin!.end();
    },
    async waitFor(pred, ms = 10_000, what = 'output') {
      const deadline = Date.now() + ms;
      while (!pred(both)) {
        if (Date.now() > deadline || proc.exitCode !== null) {
          if (pred(both)) return;
          throw new Error(`timeout waiting for ${what}; output so far:\n${both}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async exited(ms = 15_000) {
      const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
      const code = await exit;
      clearTimeout(timer);
      return code;
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
