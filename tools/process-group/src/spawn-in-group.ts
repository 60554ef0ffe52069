import {
  type ChildProcess,
  type ForkOptions,
  fork,
  type SpawnOptions,
  type StdioOptions,
  spawn,
} from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Every group this process started and that has not exited yet. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A normal exit of this process (a test worker ending, a CLI returning) takes its groups
    // with it. An abnormal one (SIGKILL) is caught by the groups themselves: the leader's pipe
    // closes (spawnInGroup) or the IPC channel disconnects (forkInGroup + exitWithParent).
    process.on('exit', killAllGroups);
  }
  return child;
}

/** Sends `signal` to every process in `child`'s group (the child leads it). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already (ESRCH)
  }
}

/** SIGKILLs every group this process started that is still running. */
export function killAllGroups(): void {
  for (const child of live) killGroup(child);
  live.clear();
}

/** The number of groups started here that have not exited. */
export function liveGroupCount(): number {
  return live.size;
}

/** dist/group-leader.js: beside this module when built, or in ../dist from the sources. */
function leaderPath(): string {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const leader = new URL(
    fromSource ? '../dist/group-leader.js' : './group-leader.js',
    import.meta.url,
  );
  if (!existsSync(leader)) {
    throw new Error(`${fileURLToPath(leader)} is missing: build @ws02/process-group (npx tsup)`);
  }
  return fileURLToPath(leader);
}

function threeStreams(stdio: StdioOptions | undefined): unknown[] {
  if (stdio === undefined) return ['pipe', 'pipe', 'pipe'];
  if (typeof stdio === 'string') return [stdio, stdio, stdio];
  const list = [...stdio];
  if (list.length > 3 || list.includes('ipc')) {
    throw new Error('spawnInGroup passes three streams; use forkInGroup for an IPC channel');
  }
  while (list.length < 3) list.push('pipe');
  return list;
}

/**
 * Spawns `command` in a new process group led by a small Node program (the group leader),
 * which the returned ChildProcess is. The command gets the given stdin, stdout and stderr; its
 * exit code or signal is the child's; SIGTERM, SIGINT, SIGHUP and SIGUSR2 sent to the child
 * reach the command. The whole group (the command and anything it starts) is killed when:
 * - `killGroup(child)`, `child.kill('SIGKILL')` or `killAllGroups()` is called;
 * - this process exits;
 * - this process dies any other way, SIGKILL included (the leader watches a pipe from it);
 * - the command exits (what it left behind in the group).
 */
export function spawnInGroup(
  command: string,
  args: readonly string[] = [],
  options: Omit<SpawnOptions, 'detached' | 'stdio'> & { stdio?: StdioOptions } = {},
): ChildProcess {
  const stdio = [...threeStreams(options.stdio), 'pipe'] as StdioOptions;
  const child = spawn(process.execPath, [leaderPath(), command, ...args], {
    ...options,
    stdio,
    detached: true,
  });
  // The watch pipe (fd 3 in the leader) carries nothing and must not keep this process alive.
  const watch = child.stdio[3] as { unref?: () => void } | null;
  watch?.unref?.();
  // SIGKILL cannot be forwarded (the leader would die without passing it on, leaving the
  // command running): child.kill('SIGKILL') kills the whole group instead.
  const forward = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    if (signal !== 'SIGKILL' && signal !== 9) return forward(signal);
    if (child.exitCode !== null || child.signalCode !== null) return false;
    killGroup(child);
    return true;
  };
  return track(child);
}

/**
 * Forks a Node module with an IPC channel in a new process group it leads. The module must call
 * `exitWithParent()` so that it dies with this process even when this one is SIGKILLed; this
 * process kills its group on `killGroup(child)`, `killAllGroups()` and on exit.
 */
export function forkInGroup(
  modulePath: string | URL,
  args: readonly string[] = [],
  options: Omit<ForkOptions, 'detached'> = {},
): ChildProcess {
  return track(fork(modulePath, args, { ...options, detached: true }));
}

/**
 * In a module started by `forkInGroup`: when the parent's IPC channel closes (the parent exited
 * or was killed), kill this process's group, itself included. Call it once, at start-up.
 */
export function exitWithParent(): void {
  if (typeof process.send !== 'function') return; // not forked with IPC: nothing to watch
  process.once('disconnect', () => {
    try {
      // This process leads its group when forkInGroup started it.
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      // not a group leader (forked some other way): just go
    }
    process.exit(137);
  });
}
