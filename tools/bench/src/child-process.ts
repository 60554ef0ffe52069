import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkInGroup, killGroup } from '@ws02/process-group';
import { BenchError } from './bench-error.js';

type Message = { type: string; id?: number; body?: unknown; [key: string]: unknown };

/**
 * Where the worker script is: `worker.js` beside the built bundle, or `worker.ts` (run through
 * tsx) when this module runs from source (tests).
 */
export function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.ts')) return { file: join(dir, 'worker.ts'), execArgv: ['--import', 'tsx'] };
  const file = join(dir, 'worker.js');
  if (!existsSync(file)) throw new BenchError('BENCH_WORKER_MISSING', `no worker at ${file}`);
  return { file, execArgv: [] };
}

/**
 * A forked worker with typed waits on its IPC messages. Every wait has a deadline. The worker
 * runs in a process group of its own and dies with this process, however this one ends.
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #messages: Message[] = [];
  #waiters: (() => void)[] = [];
  #exitCode: number | null | undefined;

  /** `file`: another worker script (a baseline checkout's); default this package's. */
  constructor(
    role: 'server' | 'load',
    args: unknown,
    execArgv: readonly string[] = [],
    file?: string,
  ) {
    const entry = file === undefined ? workerEntry() : { file, execArgv: [] };
    this.child = forkInGroup(entry.file, [role, JSON.stringify(args)], {
      execArgv: [...entry.execArgv, ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: join(dirname(entry.file), '..'),
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        this.#exitCode = code;
        this.#wake();
        resolve(code);
      });
    });
    this.child.on('error', () => {});
    this.child.on('message', (message: Message) => {
      this.#messages.push(message);
      this.#wake();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Handles every message of `type` (now queued or future) with `handler`. */
  onMessage(type: string, handler: (message: Message) => void): void {
    const queued = this.#messages.filter((m) => m.type === type);
    this.#messages = this.#messages.filter((m) => m.type !== type);
    for (const m of queued) handler(m);
    this.child.on('message', (message: Message) => {
      if (message.type === type) {
        this.#messages = this.#messages.filter((m) => m !== message);
        handler(message);
      }
    });
  }

  /** The first message whose type is one of `types`; rejects on exit or after `ms`. */
  async waitFor(types: readonly string[], ms: number, what: string): Promise<Message> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.#messages.findIndex((m) => types.includes(m.type));
      if (index !== -1) return this.#messages.splice(index, 1)[0]!;
      if (this.#exitCode !== undefined) {
        throw new BenchError(
          'BENCH_WORKER_EXITED',
          `${what}: the worker exited (${this.#exitCode})`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new BenchError('BENCH_WORKER_TIMEOUT', `${what}: no answer in ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(message: Message): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Asks the worker to stop (it exits by itself, writing any CPU profile), then kills it. */
  async stop(ms = 15_000): Promise<void> {
    if (this.#exitCode !== undefined) return;
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.kill(), ms);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#exitCode === undefined) killGroup(this.child);
  }
}
