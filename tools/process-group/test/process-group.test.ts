import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning, killAllGroups, killGroup, liveGroupCount, spawnInGroup } from '../src/index.js';

const PARENT = fileURLToPath(new URL('./fixtures/parent.mjs', import.meta.url));
const LISTENER = fileURLToPath(new URL('./fixtures/listener.mjs', import.meta.url));

/** Generous: these waits bound a hang, they never measure anything. */
const BOUND = 30_000;

const strays = new Set<number>();
afterEach(() => {
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  strays.clear();
  killAllGroups();
});

async function until(pred: () => boolean, what: string, ms = BOUND): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects "listening <pid> <port>" lines from a child's stdout. */
function listeners(child: ChildProcess): { pid: number; port: number }[] {
  const found: { pid: number; port: number }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    for (const m of s.matchAll(/listening (\d+) (\d+)/g)) {
      found.push({ pid: Number(m[1]), port: Number(m[2]) });
      strays.add(Number(m[1]));
    }
  });
  return found;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

async function exitOf(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
}

/** Starts fixtures/parent.mjs in `mode`, waits for its two listeners, SIGKILLs the parent. */
async function killParentOf(mode: 'group' | 'plain' | 'fork') {
  const parent = spawn(process.execPath, [PARENT, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const found = listeners(parent);
  await until(() => found.length === 2, `${mode}: two listeners`);
  for (const { pid } of found) expect(isRunning(pid)).toBe(true);
  parent.kill('SIGKILL');
  expect((await exitOf(parent)).signal).toBe('SIGKILL');
  return found;
}

describe('spawnInGroup: the group dies with its parent', () => {
  it('SIGKILL of the parent: the command and the child it started are killed, their ports closed', async () => {
    const found = await killParentOf('group');
    await until(() => found.every(({ pid }) => !isRunning(pid)), 'the group to die');
    for (const { port } of found) expect(await refused(port)).toBe(true);
  });

  it('control: with a plain spawn both survive the parent (the check above can fail)', async () => {
    const found = await killParentOf('plain');
    await expect(
      until(() => found.every(({ pid }) => !isRunning(pid)), 'plain children to die', 1_500),
    ).rejects.toThrow(/not within/);
    for (const { port } of found) expect(await refused(port)).toBe(false);
  });

  it('forkInGroup + exitWithParent: a forked module and its child die with the parent', async () => {
    const found = await killParentOf('fork');
    await until(() => found.every(({ pid }) => !isRunning(pid)), 'the forked group to die');
  });
});

describe('spawnInGroup: the command is the child, as far as the parent can tell', () => {
  it('relays the exit code and the streams', async () => {
    const child = spawnInGroup(process.execPath, ['-e', 'console.log("out"); process.exit(3)']);
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
    });
    expect(await exitOf(child)).toEqual({ code: 3, signal: null });
    expect(out).toBe('out\n');
  });

  it('relays a signal the command dies of', async () => {
    const child = spawnInGroup(process.execPath, ['-e', 'process.kill(process.pid, "SIGKILL")']);
    expect(await exitOf(child)).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('forwards SIGTERM to the command, which may exit on its own terms', async () => {
    const child = spawnInGroup(process.execPath, [
      '-e',
      'process.on("SIGTERM", () => { console.log("bye"); process.exit(0) }); console.log("up"); setInterval(() => {}, 1e6)',
    ]);
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
    });
    await until(() => out.includes('up'), 'the command to start');
    child.kill('SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(out).toBe('up\nbye\n');
  });

  it('passes stdin through', async () => {
    const child = spawnInGroup(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)']);
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
    });
    child.stdin!.end('echoed');
    await exitOf(child);
    expect(out).toBe('echoed');
  });

  it('a command that cannot start exits 127 and says why', async () => {
    const child = spawnInGroup('ws02-no-such-command');
    let err = '';
    child.stderr!.on('data', (c) => {
      err += c;
    });
    expect(await exitOf(child)).toEqual({ code: 127, signal: null });
    expect(err).toMatch(/ws02-no-such-command.*ENOENT/);
  });
});

describe('what a command leaves behind', () => {
  it('is killed when the command exits', async () => {
    const child = spawnInGroup(process.execPath, [LISTENER, 'sub', 'exit-now'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const found = listeners(child);
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    // The command exited right after its child printed: that child was left running.
    expect(found).toHaveLength(1);
    await until(() => !isRunning(found[0]!.pid), 'the leftover child to die');
    expect(await refused(found[0]!.port)).toBe(true);
  });

  it('killGroup kills the command and its child; the group is no longer counted', async () => {
    const child = spawnInGroup(process.execPath, [LISTENER, 'sub'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const found = listeners(child);
    await until(() => found.length === 2, 'two listeners');
    expect(liveGroupCount()).toBe(1);
    killGroup(child);
    expect((await exitOf(child)).signal).toBe('SIGKILL');
    await until(() => found.every(({ pid }) => !isRunning(pid)), 'the group to die');
    expect(liveGroupCount()).toBe(0);
  });

  it('child.kill("SIGKILL") kills the whole group (a leader killed alone would orphan the command)', async () => {
    const child = spawnInGroup(process.execPath, [LISTENER, 'sub'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const found = listeners(child);
    await until(() => found.length === 2, 'two listeners');
    expect(child.kill('SIGKILL')).toBe(true);
    expect((await exitOf(child)).signal).toBe('SIGKILL');
    await until(() => found.every(({ pid }) => !isRunning(pid)), 'the group to die');
  });
});
