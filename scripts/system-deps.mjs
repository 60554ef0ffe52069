#!/usr/bin/env node
// The programs the test suite starts that npm cannot install: independent protocol peers and
// services, each from a Debian package. `npm test` runs this first. What is missing is installed
// with apt-get when running as root; otherwise this stops at once and prints the exact command.
//
// A later test that starts another program adds one entry to SYSTEM_DEPS; nothing else changes.
import { spawnSync } from 'node:child_process';

/**
 * Each entry: the Debian package, why the suite needs it, and a probe that exits 0 when the
 * program is usable (a probe runs the program itself, so a broken install counts as missing).
 */
export const SYSTEM_DEPS = [
  {
    pkg: 'ruby-em-websocket',
    why: 'em-websocket, an independent draft-02 server (interop and conformance tests)',
    probe: ['ruby', ['-e', "require 'em-websocket'"]],
  },
  {
    pkg: 'redis-server',
    why: 'Redis, for the chat server scale-out tests',
    probe: ['redis-server', ['--version']],
  },
];

/** The entries whose probe fails. */
export function missingDeps(deps = SYSTEM_DEPS) {
  return deps.filter(({ probe: [cmd, args] }) => {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
    return r.error !== undefined || r.status !== 0;
  });
}

function installCommand(pkgs, sudo) {
  const s = sudo ? 'sudo ' : '';
  return `${s}apt-get update && ${s}apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

/** Installs what is missing (as root, with apt-get) or says how; returns an exit status. */
export function installSystemDeps() {
  const missing = missingDeps();
  if (missing.length === 0) return 0;
  const pkgs = missing.map((d) => d.pkg);
  const list = missing.map((d) => `  - ${d.pkg}: ${d.why}`).join('\n');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(`The test suite starts programs that are not installed:\n${list}\n`);
    console.error(
      hasApt
        ? `Install them, then run the tests again:\n\n  ${installCommand(pkgs, true)}\n`
        : `Install the equivalent of these Debian packages with your system's package manager, then run the tests again.\n`,
    );
    return 1;
  }
  console.log(`system-deps: installing ${pkgs.join(' ')} (apt-get, as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...pkgs],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) {
      console.error(`system-deps: apt-get ${args.join(' ')} failed (exit ${r.status})`);
      return 1;
    }
  }
  const still = missingDeps(missing);
  if (still.length > 0) {
    console.error(
      `system-deps: still not usable after install: ${still.map((d) => d.pkg).join(' ')}`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(installSystemDeps());
