// Interop with an independent draft-02 implementation: em-websocket (Ruby, Debian package
// ruby-em-websocket), whose Sec-WebSocket-Draft 1–3 handler speaks this framing. It is started
// here; if Ruby or em-websocket is missing this suite FAILS (it never skips): install
// `ruby-em-websocket` (the lead's .ci/run does it on fresh machines).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type WebSocket } from '../src/index.js';
import { closed, nextEvent, waitFor } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('../../../tools/interop/em-echo-server.rb', import.meta.url));

let child: ChildProcess | undefined;
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const probe = spawnSync('ruby', ['-e', "require 'em-websocket'"], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `em-websocket interop needs Ruby and em-websocket (Debian: apt-get install ruby-em-websocket): ${
        probe.error?.message ?? probe.stderr.trim()
      }`,
    );
  }
  const port = await freePort();
  const proc = spawn('ruby', [SCRIPT, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c) => {
    out += c;
  });
  proc.stderr!.on('data', (c) => {
    err += c;
  });
  await waitFor(
    () => out.includes(`listening ${port}`) || proc.exitCode !== null,
    20_000,
    'em-websocket to listen',
  ).catch((e) => {
    throw new Error(`${(e as Error).message}; stderr: ${err}`);
  });
  if (proc.exitCode !== null) throw new Error(`em-websocket exited: ${err}`);
  url = `ws://127.0.0.1:${port}/`;
}, 30_000);

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
});

async function open(): Promise<WebSocket> {
  return connect(url, { origin: 'http://interop.test' });
}

describe('interop: @ws02/client ↔ em-websocket (draft 1–3 handler)', () => {
  it('opens (request head and key_3 in one write) and echoes text, including non-ASCII', async () => {
    const ws = await open();
    const got: string[] = [];
    ws.on('message', (d) => got.push(d as string));
    ws.send('hello em-websocket');
    ws.send('draft-02 ✓ — ünïcödé');
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['hello em-websocket', 'draft-02 ✓ — ünïcödé']);
    ws.close();
    expect((await closed(ws))[1]).toBe(true);
  });

  it('echoes binary messages of every length encoding (7-bit, 16-bit, 63-bit)', async () => {
    const ws = await open();
    const sizes = [0, 125, 126, 65535, 65536, 200_000];
    const got: Buffer[] = [];
    ws.on('message', (d, isBinary) => {
      expect(isBinary).toBe(true);
      got.push(d as Buffer);
    });
    const sent = sizes.map((n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff)));
    for (const b of sent) ws.send(b);
    await waitFor(() => got.length === sizes.length, 10_000);
    expect(got.map((b) => b.length)).toEqual(sizes);
    for (let i = 0; i < sizes.length; i++) expect(got[i]!.equals(sent[i]!)).toBe(true);
    ws.close();
    await closed(ws);
  });

  it('a fragmented message (4.3) is reassembled by em-websocket and echoed whole', async () => {
    const ws = await open();
    ws.sendFragments(['frag', 'men', 'ted'], {});
    const [data] = await nextEvent<[string]>(ws, 'message');
    expect(data).toBe('fragmented');
    ws.sendFragments([Buffer.from([1, 2]), Buffer.from([3])], { binary: true });
    const [bin] = await nextEvent<[Buffer]>(ws, 'message');
    expect([...bin]).toEqual([1, 2, 3]);
    ws.close();
    await closed(ws);
  });

  it('ping is answered with a pong carrying the same data (4.4)', async () => {
    const ws = await open();
    ws.ping('marco');
    const [pong] = await nextEvent<[Buffer]>(ws, 'pong');
    expect(String(pong)).toBe('marco');
    ws.close();
    await closed(ws);
  });

  it('the closing handshake completes cleanly (section 7)', async () => {
    const ws = await open();
    ws.send('last words');
    await nextEvent(ws, 'message');
    ws.close('goodbye');
    const [, wasClean] = await closed(ws);
    expect(wasClean).toBe(true);
    expect(ws.closeError).toBeUndefined();
  });
});
