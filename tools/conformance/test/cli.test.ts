import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../../../scripts/test-utils/spawned.js';
import { STEP_TIMEOUT_MS, startWs02Echo } from './helpers/servers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The bin run to its end (a Spawned: own process group, killed after the test). */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runToEnd(process.execPath, [CLI, ...args], '', {
    inheritEnv: true,
    env: { NO_COLOR: '1' },
  });
}

/** The per-step answer timeout for runs of cases: generous, so no OK becomes a timeout. */
const TIMEOUT = ['--timeout', String(STEP_TIMEOUT_MS)];

describe('the ws02-conformance bin (dist/cli.js; build first)', () => {
  let server: Awaited<ReturnType<typeof startWs02Echo>>;
  beforeAll(async () => {
    expect(existsSync(CLI), 'run tsup first').toBe(true);
    server = await startWs02Echo();
  });
  afterAll(() => server.close());

  it('server mode: prints a line per case and ends with exactly "N passed, M failed"; writes the report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws02-cli-'));
    const r = await run([
      'server',
      server.url,
      '--cases',
      '1.1.*,2.2,15.1.1',
      '--report',
      dir,
      '--agent',
      'ws02',
      ...TIMEOUT,
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('10 passed, 0 failed');
    expect(lines[0]).toMatch(/^1\.1\.1\s+OK\s+text message, payload length 0$/);
    const report = JSON.parse(await readFile(join(dir, 'ws02.json'), 'utf8'));
    expect(report.cases.map((c: { id: string }) => c.id)).toEqual([
      '1.1.1',
      '1.1.2',
      '1.1.3',
      '1.1.4',
      '1.1.5',
      '1.1.6',
      '1.1.7',
      '1.1.8',
      '2.2',
      '15.1.1',
    ]);
    expect(existsSync(join(dir, 'ws02.html'))).toBe(true);
  });

  it('exits 1 when a case fails: a server answering every handshake with a wrong MD5', async () => {
    const liar = createServer((socket) => {
      socket.once('data', () =>
        socket.end(
          'HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n\r\n0123456789abcdef',
        ),
      );
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const { port } = liar.address() as AddressInfo;
    const r = await run(['server', `ws://127.0.0.1:${port}/`, '--cases', '1.1.1,2.1', ...TIMEOUT]);
    liar.close();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^1\.1\.1\s+FAILED\s+/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 2 failed');
  });

  it('exits 2 when the server is unreachable', async () => {
    const r = await run(['server', 'ws://127.0.0.1:1/', '--cases', '1.1.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot connect/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['server', 'http://example.com/'])).code).toBe(2);
    expect((await run(['server', server.url, '--cases', '99.*'])).code).toBe(2);
    expect((await run(['server', server.url, '--timeout', 'soon'])).code).toBe(2);
    expect((await run(['bogus'])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
  });

  it('client mode: --drive ws02 --once runs the bundled client and reports', async () => {
    const r = await run([
      'client',
      '--port',
      '0',
      '--drive',
      'ws02',
      '--cases',
      '1.1.*,16.2.*,16.3.1',
      ...TIMEOUT,
    ]);
    expect(r.stdout).toMatch(/^fuzzing server: ws:\/\/127\.0\.0\.1:\d+\/ — 21 cases$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('21 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('lists the cases', async () => {
    const r = await run(['list', '--mode', 'client', '--cases', '16.3.*']);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('33 cases');
  });
});

describe('ws02-conformance robustness (dist: spawns dist/robustness-server.js)', () => {
  it('runs a small load scenario and prints its figures', async () => {
    const r = await run([
      'robustness',
      '--scenarios',
      'load',
      '--connections',
      '200',
      '--messages',
      '3',
    ]);
    expect(r.stdout).toMatch(/spawned \(pid \d+/);
    expect(r.stdout).toMatch(/^ {2}lost: 0$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(r.code).toBe(0);
  });
});
