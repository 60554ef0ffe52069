// A process a test starts, as a user would run it: its output collected, typed into, waited on.
// Every one runs in its own process group (@ws02/process-group): it is killed with everything
// it started after each test, when the test process exits, and when the test process is killed.
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { spawnInGroup } from '@ws02/process-group';
import { afterAll, afterEach } from 'vitest';

/**
 * The bound of waits on a process (wait.ts has WAIT_MS for in-process ones): generous, since
 * starting a process on a loaded machine takes longer than an in-process event. It turns a hang
 * into a clear failure and never measures anything.
 */
export const PROCESS_WAIT_MS = 60_000;

export interface SpawnedOptions {
  /**
   * Added to the base environment (PATH and NO_COLOR=1, so nothing of the test's leaks in; all
   * of the test's with `inheritEnv`); a key set to undefined is removed.
   */
  readonly env?: Record<string, string | undefined>;
  readonly inheritEnv?: boolean;
  readonly cwd?: string;
  /** Default: all three piped. */
  readonly stdio?: StdioOptions;
  /**
   * When it is killed if still running: after the test that started it ('test', the default),
   * or after the file's last test ('file', for a peer started in beforeAll).
   */
  readonly scope?: 'test' | 'file';
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = { test: new Set<Spawned>(), file: new Set<Spawned>() };

afterEach(async () => {
  await Promise.all([...running.test].map((p) => p.kill()));
});
afterAll(async () => {
  await Promise.all([...running.file].map((p) => p.kill()));
});

/** A started process; `Spawned.node(script, args)` for a Node script. */
export class Spawned {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Both streams, in arrival order. */
  all = '';
  readonly exited: Promise<ExitStatus>;
  #waiters: (() => void)[] = [];

  constructor(command: string, args: readonly string[], options: SpawnedOptions = {}) {
    const base = options.inheritEnv ? process.env : { PATH: process.env.PATH, NO_COLOR: '1' };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...base, ...options.env })) {
      if (v !== undefined) env[k] = v;
    }
    this.child = spawnInGroup(command, args, {
      env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      this.all += s;
      this.#wake();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
      this.all += s;
      this.#wake();
    });
    this.child.stdin?.on('error', () => {}); // a test may write after the process exited
    const scope = running[options.scope ?? 'test'];
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        scope.delete(this);
        this.#wake();
        resolve({ code, signal });
      }),
    );
    scope.add(this);
  }

  /** A Node script run with this Node. */
  static node(script: string, args: readonly string[] = [], options: SpawnedOptions = {}) {
    return new Spawned(process.execPath, [script, ...args], options);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until `pred()` holds; fails when the process exits first or after `ms`. */
  async waitFor(pred: () => boolean, what: string, ms = PROCESS_WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (pred()) return;
      if (!this.running) {
        throw new Error(`exited (${this.#status()}) before ${what}:\n${this.all}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not within ${ms} ms: ${what}; output:\n${this.all}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until stdout matches `pattern` (from offset `from` on); returns the match. */
  async waitOut(pattern: RegExp, ms = PROCESS_WAIT_MS, from = 0): Promise<RegExpMatchArray> {
    await this.waitFor(() => pattern.test(this.stdout.slice(from)), `${pattern}`, ms);
    return this.stdout.slice(from).match(pattern)!;
  }

  /** Writes to stdin. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Types a line, as a user at the keyboard would. */
  type(line: string): void {
    this.write(`${line}\n`);
  }

  /** Ends stdin. */
  end(): void {
    this.child.stdin!.end();
  }

  /** The exit status; fails after `ms` (and kills the group). */
  async exit(ms = PROCESS_WAIT_MS): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void this.kill();
        reject(new Error(`did not exit within ${ms} ms; output:\n${this.all}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the process and everything it started; resolves once it has exited. */
  async kill(): Promise<ExitStatus> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  #status(): string {
    return `${this.child.exitCode ?? this.child.signalCode}`;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Runs to completion with `input` on stdin; the exit code (-1 for a signal) and output. */
export async function runToEnd(
  command: string,
  args: readonly string[],
  input = '',
  options: SpawnedOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = new Spawned(command, args, options);
  p.child.stdin?.end(input);
  const { code } = await p.exit();
  return { code: code ?? -1, stdout: p.stdout, stderr: p.stderr };
}
