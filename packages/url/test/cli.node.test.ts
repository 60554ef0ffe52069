import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the built CLI (dist/cli.js), as a user would after the build.
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ws02-url CLI', () => {
  it('prints the section 3 breakdown of a valid URL and exits 0', () => {
    const r = cli(['wss://Example.COM:8443/chat?room=1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('host           example.com');
    expect(r.stdout).toContain('port           8443');
    expect(r.stdout).toContain('resource name  /chat?room=1');
    expect(r.stdout).toContain('constructed    wss://example.com:8443/chat?room=1');
    expect(r.stdout).toContain('valid          yes');
  });

  it('reports an invalid URL with its code and exits 1', () => {
    const r = cli(['ws://example.com/#x']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('URL_HAS_FRAGMENT');
  });

  it('applies 3.3 to --origin and --protocol', () => {
    const r = cli(['ws://h/', '--origin', 'http://H', '--protocol', 'a']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('URL_ORIGIN_UPPERCASE');
    const dup = cli(['ws://h/', '--protocol', 'a', '--protocol', 'a', '--json']);
    expect(dup.status).toBe(1);
    expect(JSON.parse(dup.stdout)).toMatchObject({
      valid: false,
      error: { code: 'URL_PROTOCOL_DUPLICATE' },
    });
  });

  it('exits 2 on a usage error', () => {
    const r = cli(['--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: ws02-url');
  });

  it('has a shebang so the bin runs directly', () => {
    expect(execFileSync('head', ['-c', '19', CLI], { encoding: 'utf8' })).toBe(
      '#!/usr/bin/env node',
    );
  });
});
