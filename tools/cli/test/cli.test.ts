// `ws02` driven as a user would: spawned, fed on stdin, read on stdout/stderr.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@ws02/client';
import type { WebSocket } from '@ws02/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import { assertBuilt, runCli, spawnCli, startEcho } from './helpers.js';

beforeAll(() => assertBuilt());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function echo(options: Parameters<typeof startEcho>[0] = {}) {
  const started = await startEcho(options);
  cleanups.push(() => started.wss.close());
  return started;
}

const ESC = '\u001b[';

describe('ws02 url (section 3)', () => {
  it('prints the breakdown of a valid URL and exits 0', async () => {
    const { code, stdout } = await runCli(['url', 'WSS://Example.COM:443/chat?room=1']);
    expect(code).toBe(0);
    expect(stdout).toContain('host           example.com');
    expect(stdout).toContain('port           443');
    expect(stdout).toContain('resource name  /chat?room=1');
    expect(stdout).toContain('constructed    wss://example.com/chat?room=1');
    expect(stdout).toContain('valid          yes');
  });

  it('reports why a URL is invalid and exits 1; --json gives the report as data', async () => {
    const bad = await runCli(['url', 'ws://example.com/#top']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('URL_HAS_FRAGMENT');
    const json = await runCli([
      'url',
      'ws://example.com/',
      '--origin',
      'http://Upper.example',
      '--json',
    ]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      error: { code: 'URL_ORIGIN_UPPERCASE' },
    });
  });
});

describe('ws02 usage', () => {
  it('--help exits 0; an unknown option or a missing argument exits 2', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    const unknown = await runCli(['connect', 'ws://127.0.0.1:1/', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    expect((await runCli(['connect'])).code).toBe(2);
    expect((await runCli(['nonsense'])).code).toBe(2);
  });

  it('an invalid URL exits 2 without connecting; a bad header or file too', async () => {
    const url = await runCli(['connect', 'http://example.com/']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('URL_BAD_SCHEME');
    const header = await runCli(['connect', 'ws://127.0.0.1:1/', '-H', 'no-colon']);
    expect(header.code).toBe(2);
    expect(header.stderr).toContain('--header');
    const file = await runCli(['connect', 'ws://127.0.0.1:1/', '--binary', '/nonexistent/file']);
    expect(file.code).toBe(2);
  });
});

describe('ws02 connect', () => {
  it('--execute sends, prints the replies, closes cleanly and exits 0', async () => {
    const { url } = await echo();
    const { code, stdout, stderr } = await runCli(['connect', url, '-x', 'hello', '-x', 'world']);
    expect(code).toBe(0);
    expect(stdout).toBe('< hello\n< world\n');
    expect(stderr).toContain(`connected to ${url}`);
    expect(stderr).toContain('disconnected (clean)');
  });

  it('--protocol, --origin and --header reach the server', async () => {
    const { url, wss } = await echo({ protocols: ['chat'] });
    const seen = new Promise<Record<string, unknown>>((resolve) =>
      wss.once('connection', (_ws, req) => resolve(req.headers)),
    );
    const { code, stderr } = await runCli([
      'connect',
      url,
      '-p',
      'superchat',
      '--protocol',
      'chat',
      '--origin',
      'HTTP://App.Example',
      '-H',
      'X-Token: abc:def',
      '-x',
      'hi',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('(protocol chat)');
    expect(await seen).toMatchObject({
      'sec-websocket-protocol': 'superchat chat',
      origin: 'http://app.example',
      'x-token': 'abc:def',
    });
  });

  it('piped stdin: each line is a message, in order; the end of input closes', async () => {
    const { url, received } = await echo();
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const { code, stdout } = await runCli(['connect', url], `${lines.join('\n')}\n`);
    expect(code).toBe(0);
    expect(stdout).toBe(lines.map((l) => `< ${l}\n`).join(''));
    expect(received.map(([d]) => d)).toEqual(lines);
  });

  it('/ping, /pong, //escape, /close; --no-slash sends commands as text', async () => {
    const { url, received, wss } = await echo();
    const pongs: string[] = [];
    wss.on('connection', (ws) => ws.on('pong', (d) => pongs.push(String(d))));
    const run = await runCli(
      ['connect', url],
      '/ping marco\n/pong polo\n//not a command\n/close bye\nlost\n',
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('pong: marco');
    expect(run.stdout).toBe('< /not a command\n');
    expect(pongs).toEqual(['polo']);
    expect(run.stderr).toContain('disconnected (clean, body "bye")');
    const literal = await runCli(['connect', url, '--no-slash'], '/ping\n');
    expect(literal.stdout).toBe('< /ping\n');
    expect(received.map(([d]) => d)).toEqual(['/not a command', '/ping']);
  });

  it('--hex: hex lines are sent as Binary, Binary replies shown as hex; bad hex is refused', async () => {
    const { url, received } = await echo();
    const run = await runCli(['connect', url, '--hex'], '68 65 6c 6c 6f\n0xCAFE\nnot-hex\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('< 68 65 6c 6c 6f\n< ca fe\n');
    expect(run.stderr).toContain('not hex: "not-hex"');
    expect(received).toEqual([
      [Buffer.from('hello'), true],
      [Buffer.from([0xca, 0xfe]), true],
    ]);
  });

  it('--binary sends a file as one Binary message; without --hex its size is shown', async () => {
    const { url, received } = await echo();
    const dir = mkdtempSync(join(tmpdir(), 'ws02-cli-'));
    const file = join(dir, 'blob.bin');
    writeFileSync(file, Buffer.from([0, 1, 2, 255]));
    const run = await runCli(['connect', url, '--binary', file, '--wait', '0.1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('< [binary, 4 bytes; --hex shows them]\n');
    expect(received).toEqual([[Buffer.from([0, 1, 2, 255]), true]]);
    const hex = await runCli(['connect', url, '--binary', file, '--hex']);
    expect(hex.stdout).toBe('< 00 01 02 ff\n');
  });

  it('--wait keeps listening after --execute for messages the server sends later', async () => {
    // Without --wait: it closes by itself once the replies are in (this server never closes).
    const { url } = await echo();
    const quick = await runCli(['connect', url, '-x', 'a']);
    expect(quick.code).toBe(0);
    expect(quick.stdout).toBe('< a\n');
    expect(quick.stderr).toContain('disconnected (clean)');
    // With --wait: still listening after the reply was shown, it gets what the server sends
    // next (the server then closes, so the generous wait costs nothing).
    const later = await echo();
    const conns: WebSocket[] = [];
    later.wss.on('connection', (ws) => conns.push(ws));
    const patient = spawnCli(['connect', later.url, '-x', 'a', '--wait', '60']);
    await patient.waitFor((o) => o.includes('< a\n'), undefined, 'the reply');
    conns[0]!.send('late news');
    conns[0]!.close('done');
    expect(await patient.exited()).toBe(0);
    expect(patient.stdout()).toBe('< a\n< late news\n');
    expect(patient.stderr()).toContain('disconnected (clean, body "done")');
  });

  it('--trace shows each frame header (MORE, RSV, opcode, length) both ways', async () => {
    const { url } = await echo();
    const { stderr } = await runCli(['connect', url, '--trace', '-x', 'hello']);
    expect(stderr).toContain(
      '>> frame MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x4 (Text) length=5',
    );
    expect(stderr).toContain(
      '<< frame MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x4 (Text) length=5',
    );
    expect(stderr).toContain(
      '>> frame MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x1 (Close) length=0',
    );
    expect(stderr).toContain(
      '<< frame MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x1 (Close) length=0',
    );
  });

  it('--timestamps prefixes every line with the time', async () => {
    const { url } = await echo();
    const { stdout, stderr } = await runCli(['connect', url, '--timestamps', '-x', 'tick']);
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] < tick\n$/);
    for (const line of stderr.trim().split('\n'))
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] /);
  });

  it('colour only when asked for and allowed: FORCE_COLOR vs --no-color and NO_COLOR', async () => {
    const { url } = await echo();
    const coloured = await runCli(['connect', url, '-x', 'c'], '', { FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain(`${ESC}32m< c`);
    const plain = await runCli(['connect', url, '-x', 'c', '--no-color'], '', { FORCE_COLOR: '1' });
    expect(plain.stdout).toBe('< c\n');
    const noColor = await runCli(['connect', url, '-x', 'c'], '', {
      FORCE_COLOR: '1',
      NO_COLOR: '1',
    });
    expect(noColor.stdout).toBe('< c\n');
    const piped = await runCli(['connect', url, '-x', 'c']);
    expect(piped.stdout).toBe('< c\n'); // not a terminal
  });

  it('a refused connection exits 1 with the typed error', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const { code, stderr } = await runCli(['connect', `ws://127.0.0.1:${port}/`]);
    expect(code).toBe(1);
    expect(stderr).toContain('CLIENT_CONNECT_FAILED');
  });

  it('a handshake refused by the server exits 1 with the HandshakeError step', async () => {
    const { url } = await echo({ allowedOrigins: ['http://allowed.example'] });
    const { code, stderr } = await runCli(['connect', url, '-x', 'x']);
    expect(code).toBe(1);
    expect(stderr).toContain('HANDSHAKE_UNEXPECTED_STATUS');
    expect(stderr).toContain('step 33');
  });

  it('the server closing cleanly exits 0; the connection dropping exits 3', async () => {
    // A generous --wait: the server acts (on the message) long before the client would close.
    const closing = await echo();
    closing.wss.on('connection', (ws) => ws.once('message', () => ws.close('maintenance')));
    const clean = await runCli(['connect', closing.url, '-x', 'a', '--wait', '60']);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toContain('disconnected (clean, body "maintenance")');
    const dropping = await echo();
    dropping.wss.on('connection', (ws) => ws.once('message', () => ws.terminate()));
    const lost = await runCli(['connect', dropping.url, '-x', 'a', '--wait', '60']);
    expect(lost.code).toBe(3);
    expect(lost.stderr).toContain('connection lost');
  });
});

describe('ws02 connect on a terminal (interactive prompt, history)', () => {
  // A real pseudo-terminal through util-linux `script`, so stdin is a TTY as for a user.
  function onTerminal(args: string[], env: Record<string, string> = {}) {
    const command = [process.execPath, '/dev/null', ...args].map((a) => `'${a}'`).join(' ');
    const cli = command.replace("'/dev/null'", `'${join(import.meta.dirname, '../dist/cli.js')}'`);
    return spawnCli([], { TERM: 'xterm', ...env }, ['script', ['-qfec', cli, '/dev/null']]);
  }

  it('sends typed lines, prints replies above the prompt, and keeps a history file', async () => {
    const { url, received } = await echo();
    const dir = mkdtempSync(join(tmpdir(), 'ws02-hist-'));
    const history = join(dir, 'history');
    const first = onTerminal(['connect', url, '--history-file', history, '--no-color']);
    await first.waitFor((o) => o.includes('/help for commands'), undefined, 'the prompt');
    first.write('first line\r');
    await first.waitFor((o) => o.includes('< first line'), undefined, 'the first echo');
    first.write('second line\r');
    await first.waitFor((o) => o.includes('< second line'), undefined, 'the second echo');
    first.write('/close\r');
    expect(await first.exited()).toBe(0);
    expect(first.all()).toContain('disconnected (clean)');
    expect(readFileSync(history, 'utf8')).toBe('first line\nsecond line\n/close\n');

    // A second session recalls the history with the arrow keys (and, on a terminal, colours).
    const second = onTerminal(['connect', url, '--history-file', history]);
    await second.waitFor((o) => o.includes('/help for commands'), undefined, 'the prompt');
    second.write(`${ESC}A${ESC}A\r`); // up, up: "second line"
    await second.waitFor(
      (o) => (o.match(/< second line/g) ?? []).length >= 1,
      undefined,
      'the recalled line',
    );
    second.write('\u0004'); // Ctrl+D closes
    expect(await second.exited()).toBe(0);
    expect(second.all()).toContain(`${ESC}32m< second line`);
    expect(first.all()).not.toContain(`${ESC}32m`);
    expect(received.map(([d]) => d)).toEqual(['first line', 'second line', 'second line']);
  });
});

describe('ws02 listen', () => {
  async function listen(args: string[]) {
    const running = spawnCli(['listen', '--port', '0', ...args]);
    cleanups.push(async () => {
      if (running.proc.exitCode === null) {
        running.proc.kill('SIGTERM');
        await running.exited();
      }
    });
    await running.waitFor(
      (o) => /listening on ws:\/\/127\.0\.0\.1:\d+\//.test(o),
      undefined,
      'listening',
    );
    const url = /listening on (ws:\/\/\S+)/.exec(running.all())![1]!;
    return { running, url };
  }

  it('--echo serves any number of clients and prints what they send', async () => {
    const { running, url } = await listen(['--echo']);
    const clients = await Promise.all([connect(url), connect(url), connect(url)]);
    const replies = await Promise.all(
      clients.map(
        (ws, i) =>
          new Promise<string>((resolve) => {
            ws.once('message', (d) => resolve(d as string));
            ws.send(`from ${i}`);
          }),
      ),
    );
    expect(replies).toEqual(['from 0', 'from 1', 'from 2']);
    await running.waitFor((o) => ['from 0', 'from 1', 'from 2'].every((m) => o.includes(`< ${m}`)));
    expect(running.stdout()).toMatch(/#\d < from 0\n/);
    for (const ws of clients) ws.close();
    await running.waitFor((o) => (o.match(/disconnected \(clean\)/g) ?? []).length === 3);
    running.proc.kill('SIGTERM');
    expect(await running.exited()).toBe(0);
  });

  it('--broadcast sends every message to every client; stdin lines go to all', async () => {
    const { running, url } = await listen(['--broadcast']);
    const a = await connect(url);
    const b = await connect(url);
    const got: string[] = [];
    a.on('message', (d) => got.push(`a:${d}`));
    b.on('message', (d) => got.push(`b:${d}`));
    a.send('to everyone');
    await until(() => got.length >= 2, 'the broadcast to both clients');
    running.write('from the console\n');
    await until(() => got.length >= 4, 'the console line at both clients');
    expect(got.sort()).toEqual([
      'a:from the console',
      'a:to everyone',
      'b:from the console',
      'b:to everyone',
    ]);
    a.terminate();
    b.terminate();
  });

  it('refuses bad usage: a bad port, --echo with --broadcast', async () => {
    expect((await runCli(['listen', '--port', 'x'])).code).toBe(2);
    expect((await runCli(['listen', '--port', '0', '--echo', '--broadcast'])).code).toBe(2);
    expect((await runCli(['listen'])).code).toBe(2);
  });
});
