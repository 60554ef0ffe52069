#!/usr/bin/env node
// Installs the workspace with the pinned pnpm, needing nothing but Node >= 20 and npm.
// corepack is not used: on some machines it fails pnpm's signature check.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Installs the workspace; returns the exit status (0 on success). */
export function installWorkspace() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) {
    console.error(`ws02 needs Node.js >= 20 (this is ${process.version}).`);
    return 1;
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const pnpm = pkg.packageManager; // "pnpm@10.x.y"
  const args = ['-y', pnpm, 'install', '--frozen-lockfile', '--reporter=append-only'];
  const r = spawnSync('npx', args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`install failed: npx ${args.join(' ')}`);
    return r.status ?? 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(installWorkspace());
