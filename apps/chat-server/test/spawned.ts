import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** Path of a built bin; the test fails with a clear message when the build is missing. */
export function bin(name: 'main.js' | 'chat-cli.js'): string {
  const path = `${DIST}${name}`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npx tsup\` first`);
  return path;
}

/** A spawned Node process with its output collected, killed after the test if still running. */
export class Spawned {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  constructor(script: string, args: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      this.#wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
      this.#wake();
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.#wake();
        resolve({ code, signal });
      }),
    );
    running.push(this);
  }

  /** Waits until stdout matches `pattern` (from `from` on); returns the match. */
  async waitOut(pattern: RegExp, ms = 20_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.stdout.slice(from).match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null) {
        throw new Error(
          `exited (${this.child.exitCode}) before ${pattern}:\n${this.stdout}\n${this.stderr}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${pattern}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Types a line, as a user at the keyboard would. */
  type(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Resolves with the exit status, or fails after `ms`. */
  async exit(ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`process did not exit; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`),
          ),
        ms,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

const running: Spawned[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});
