import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runToEnd } from '../../../scripts/test-utils/spawned.js';

// Runs the built CLI (dist/cli.js), as a user would after the build.
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');

async function cli(args: string[]) {
  const r = await runToEnd(process.execPath, [CLI, ...args]);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

describe('ws02-url CLI', () => {
  it('prints the section 3 breakdown of a valid URL and exits 0', async () => {
    const r = await cli(['wss://Example.COM:8443/chat?room=1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('host           example.com');
    expect(r.stdout).toContain('port           8443');
    expect(r.stdout).toContain('resource name  /chat?room=1');
    expect(r.stdout).toContain('constructed    wss://example.com:8443/chat?room=1');
    expect(r.stdout).toContain('valid          yes');
  });

  it('reports an invalid URL with its code and exits 1', async () => {
    const r = await cli(['ws://example.com/#x']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('URL_HAS_FRAGMENT');
  });

  it('applies 3.3 to --origin and --protocol', async () => {
    const r = await cli(['ws://h/', '--origin', 'http://H', '--protocol', 'a']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('URL_ORIGIN_UPPERCASE');
    const dup = await cli(['ws://h/', '--protocol', 'a', '--protocol', 'a', '--json']);
    expect(dup.status).toBe(1);
    expect(JSON.parse(dup.stdout)).toMatchObject({
      valid: false,
      error: { code: 'URL_PROTOCOL_DUPLICATE' },
    });
  });

  it('exits 2 on a usage error', async () => {
    const r = await cli(['--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: ws02-url');
  });

  it('has a shebang so the bin runs directly', () => {
    expect(readFileSync(CLI, 'utf8').slice(0, 19)).toBe('#!/usr/bin/env node');
  });
});
