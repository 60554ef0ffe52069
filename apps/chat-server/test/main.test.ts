import { describe, expect, it } from 'vitest';
import { ChatPeer } from './chat-peer.js';
import { startBin } from './spawned.js';

const LISTENING = /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/)/;

describe('ws02-chat-server (dist/main.js, spawned)', () => {
  it('starts with no arguments (port from the environment), prints the URL, and on SIGTERM closes every client and exits 0', async () => {
    const server = startBin('main.js', [], { CHAT_PORT: '0', LOG_LEVEL: 'trace' });
    const [, url, port] = await server.waitOut(LISTENING);
    expect(server.stdout).toContain(`connect:  node `);
    expect(server.stdout).toMatch(/chat-cli\.js ws:\/\/127\.0\.0\.1:\d+\/ --nick <name>/);
    expect(server.stdout).toContain(`health:   http://127.0.0.1:${port}/healthz`);
    expect(url).toBe(`ws://127.0.0.1:${port}/`);

    const alice = await ChatPeer.open(Number(port));
    const bob = await ChatPeer.open(Number(port));
    try {
      await alice.hello('alice');
      await bob.hello('bob');
      await alice.join('x');
      await bob.join('x');
      await alice.request({ type: 'post', room: 'x', text: 'secret-text-1234' });
      await alice.request({ type: 'dm', to: 'bob', text: 'secret-dm-5678' });
      await bob.next('dm');

      server.child.kill('SIGTERM');
      for (const p of [alice, bob]) {
        await p.waitClosed();
        expect(JSON.parse(p.closeBody ?? '{}').code).toBe('SERVER_SHUTDOWN');
      }
      expect(await server.exit()).toEqual({ code: 0, signal: null });
      expect(server.stdout).toMatch(/SIGTERM: shutting down \(closing 2 connections\)/);
      expect(server.stdout).toContain('chat server stopped');
    } finally {
      alice.destroy();
      bob.destroy();
    }
    // Logs: JSON lines on stderr, even at trace level without message contents or tokens.
    const lines = server.stderr.trim().split('\n');
    const logs = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toContain('chat server listening');
    expect(logs.map((l) => l.msg)).toContain('chat server stopped');
    expect(server.stderr).not.toContain('secret-text');
    expect(server.stderr).not.toContain('secret-dm');
    expect(server.stderr).not.toContain(alice.log[0]!.token);
  });

  it('SIGINT works the same way', async () => {
    const server = startBin('main.js', ['--port', '0', '--log-level', 'silent']);
    const [, , port] = await server.waitOut(LISTENING);
    const p = await ChatPeer.open(Number(port));
    try {
      await p.hello('carol');
      server.child.kill('SIGINT');
      await p.waitClosed();
      expect(JSON.parse(p.closeBody ?? '{}').code).toBe('SERVER_SHUTDOWN');
      expect((await server.exit()).code).toBe(0);
      expect(server.stderr).toBe('');
    } finally {
      p.destroy();
    }
  });

  it('bad configuration: one clear line naming the setting, exit status 2', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', '99999'], {}, /invalid --port "99999": expected an integer from 0 to 65535/],
      [[], { CHAT_PORT: 'abc' }, /invalid CHAT_PORT "abc"/],
      [['--tls-key', 'k.pem'], {}, /TLS needs both a key and a certificate: --tls-cert/],
      [['--allowed-origins', 'HTTPS://X'], {}, /invalid origin "HTTPS:\/\/X" in --allowed-origins/],
      [[], { LOG_LEVEL: 'loud' }, /invalid LOG_LEVEL "loud"/],
      [['--bogus'], {}, /unknown option '--bogus'/],
      [['--workers', 'many'], {}, /invalid --workers "many": expected an integer from 0 to 256/],
      [['--workers', '2', '--adapter', 'memory'], {}, /memory keeps everything in one process/],
      [
        [],
        { CHAT_ADAPTER: 'kafka' },
        /invalid CHAT_ADAPTER "kafka": expected one of memory, cluster, redis/,
      ],
      [['--redis-url', 'http://x'], {}, /invalid --redis-url "http:\/\/x": expected redis:\/\//],
      [['--adapter', 'cluster', '--redis-url', 'redis://x'], {}, /only used with --adapter redis/],
      [['--instance-id', 'Web-1'], {}, /invalid --instance-id "Web-1"/],
      [['--redis-ttl', '300'], {}, /invalid --redis-ttl 300: at least twice --redis-heartbeat/],
    ];
    await Promise.all(
      cases.map(async ([args, env, message]) => {
        const p = startBin('main.js', args, env);
        const { code } = await p.exit();
        expect(code, `${args.join(' ')} ${JSON.stringify(env)}`).toBe(2);
        expect(p.stderr).toMatch(message);
        expect(p.stdout).toBe('');
      }),
    );
  });

  it('--help lists every flag with its environment variable, exit 0', async () => {
    const p = startBin('main.js', ['--help']);
    expect((await p.exit()).code).toBe(0);
    for (const name of [
      '--port',
      'CHAT_PORT',
      'CHAT_HOST',
      'CHAT_ALLOWED_ORIGINS',
      'CHAT_HISTORY',
      'CHAT_TLS_KEY',
      'CHAT_TLS_CERT',
      'LOG_LEVEL',
      '--workers',
      'CHAT_WORKERS',
      '--adapter',
      'CHAT_ADAPTER',
      '--redis-url',
      'CHAT_REDIS_URL',
      '--instance-id',
      'CHAT_INSTANCE_ID',
    ]) {
      expect(p.stdout).toContain(name);
    }
  });

  it('a port in use: exit status 1 with a hint', async () => {
    const first = startBin('main.js', ['--port', '0', '--log-level', 'silent']);
    const [, , port] = await first.waitOut(LISTENING);
    const second = startBin('main.js', ['--port', port!, '--log-level', 'silent']);
    expect((await second.exit()).code).toBe(1);
    expect(second.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    first.child.kill('SIGTERM');
    expect((await first.exit()).code).toBe(0);
  });
});
