import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { describe, expect, it } from 'vitest';
import { ChatConfigError, createChatServer, MemoryAdapter } from '../src/index.js';
import { peer, startChat, user } from './chat-fixture.js';
import { ChatPeer } from './chat-peer.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('HTTP endpoints on the same server', () => {
  it('GET /healthz: 200 with counts while running', async () => {
    const { server } = await startChat();
    const { httpUrl } = server.address()!;
    const alice = await user(server.address()!.port, 'alice', 'x');
    const res = await fetch(`${httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({
      status: 'ok',
      connections: 1,
      users: 1,
      held: 0,
      rooms: 1,
    });
    await alice.close();
  });

  it('GET /metrics: Prometheus text with chat and WebSocket series', async () => {
    const { server, port } = await startChat({ processMetrics: true });
    const alice = await user(port, 'alice', 'x');
    await alice.request({ type: 'post', room: 'x', text: 'one' });
    await alice.request({ type: 'dm', to: 'alice', text: 'note to self' });
    alice.sendText('{bad');
    await alice.next('error');
    const res = await fetch(`${server.address()!.httpUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP chat_messages_total /m);
    expect(text).toMatch(/^chat_messages_total\{kind="room"\} 1$/m);
    expect(text).toMatch(/^chat_messages_total\{kind="dm"\} 1$/m);
    expect(text).toMatch(/^chat_commands_total\{type="hello"\} 1$/m);
    expect(text).toMatch(/^chat_errors_total\{code="BAD_JSON"\} 1$/m);
    expect(text).toMatch(/^chat_connections 1$/m);
    expect(text).toMatch(/^chat_users 1$/m);
    expect(text).toMatch(/^chat_rooms 1$/m);
    expect(text).toMatch(/^chat_deliveries_total [1-9]/m);
    expect(text).toMatch(/^ws_connections_opened_total 1$/m);
    expect(text).toMatch(/^ws_messages_received_total [4-9]$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    // Message contents never show up in metrics.
    expect(text).not.toContain('note to self');
  });

  it('/ describes the endpoint; other paths 404; other methods 405', async () => {
    const { server } = await startChat();
    const base = server.address()!.httpUrl;
    const root = await fetch(`${base}/`);
    expect(await root.text()).toContain(`ws02-chat ${server.address()!.url}`);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});

describe('graceful shutdown', () => {
  it('with clients connected: each gets a Close with SERVER_SHUTDOWN, then stop() resolves', async () => {
    const { server, port } = await startChat();
    const peers = [
      await user(port, 'alice', 'x'),
      await user(port, 'bob', 'x'),
      await peer(port), // not even said hello
    ];
    await server.stop();
    for (const p of peers) {
      await p.waitClosed();
      expect(JSON.parse(p.closeBody ?? '{}')).toEqual({
        code: 'SERVER_SHUTDOWN',
        message: 'the server is shutting down',
      });
    }
    // No one is told about members leaving during a shutdown: everyone is leaving.
    expect(peers[0]!.log.some((m) => m.type === 'leave')).toBe(false);
    expect(server.stats()).toMatchObject({ connections: 0, users: 0, held: 0 });
    await expect(ChatPeer.open(port)).rejects.toThrow();
    await server.stop(); // idempotent
  });

  it('a client that never answers the Close is cut off after closeTimeout', async () => {
    const { server, port } = await startChat({ closeTimeout: 300 });
    const mute = await peer(port);
    await mute.hello('mute');
    // Swallow the server's Close instead of answering it (and never close TCP).
    mute.socket.removeAllListeners('data');
    const started = Date.now();
    await server.stop();
    await mute.waitClosed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describe('TLS (wss)', () => {
  it('serves wss:// and https:// with a key and certificate', async () => {
    const { server, port, url } = await startChat({
      tls: { key: fixture('localhost-key.pem'), cert: fixture('localhost-cert.pem') },
    });
    expect(url).toBe(`wss://127.0.0.1:${port}/`);
    const alice = await peer(port, { tls: true });
    await alice.hello('alice');
    await alice.join('secure');
    expect(await alice.request({ type: 'post', room: 'secure', text: 'hi' })).toMatchObject({
      type: 'ok',
    });
    const status = await new Promise<number>((resolve, reject) => {
      httpsGet(`${server.address()!.httpUrl}/healthz`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });
});

describe('createChatServer options', () => {
  it('bad limits are refused with CONFIG_BAD_OPTION', () => {
    expect(() => createChatServer({ limits: { burst: 0 } })).toThrow(ChatConfigError);
    expect(() => createChatServer({ limits: { rate: -1 } })).toThrow(/limits.rate/);
    expect(() => createChatServer({ limits: { historySize: Number.NaN } })).toThrow(
      /CONFIG_BAD_OPTION/,
    );
  });

  it('a port in use: start() rejects with CHAT_LISTEN_FAILED and a hint', async () => {
    const { port } = await startChat();
    const second = createChatServer({ port, processMetrics: false });
    const error = await second.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatConfigError);
    expect((error as ChatConfigError).code).toBe('CHAT_LISTEN_FAILED');
    expect((error as ChatConfigError).reason).toMatch(/EADDRINUSE.*--port/);
    await second.stop();
  });

  it('a failing adapter: the command gets INTERNAL, the connection lives on, the error is logged', async () => {
    // A storage backend that fails (e.g. a lost Redis connection), as a real adapter might.
    class FailingHistory extends MemoryAdapter {
      override appendHistory(): Promise<void> {
        return Promise.reject(new Error('history store unavailable'));
      }
    }
    const logged: { level: string; obj: object }[] = [];
    const record = (level: string) => (obj: object) => logged.push({ level, obj });
    const { port } = await startChat({
      adapter: new FailingHistory(),
      logger: {
        debug: record('debug'),
        info: record('info'),
        warn: record('warn'),
        error: record('error'),
      },
    });
    const alice = await user(port, 'alice', 'x');
    expect(await alice.request({ type: 'post', room: 'x', text: 'lost words' })).toMatchObject({
      type: 'error',
      code: 'INTERNAL',
    });
    expect(await alice.request({ type: 'who', room: 'x' })).toMatchObject({ members: ['alice'] });
    const errors = logged.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0]!.obj)).toContain('history store unavailable');
    expect(JSON.stringify(logged)).not.toContain('lost words');
  });

  it('takes an adapter: the chat logic only goes through it', async () => {
    const adapter = new MemoryAdapter({ instanceId: 'test1', historySize: 5 });
    const { port } = await startChat({ adapter });
    const alice = await user(port, 'alice', 'x');
    const ack = await alice.request({ type: 'post', room: 'x', text: 'via adapter' });
    expect(ack.id).toMatch(/-test1$/);
    expect(adapter.members('x')).toEqual(['alice']);
    const page = await adapter.readHistory('x', undefined, 10);
    expect(page.events.map((e) => JSON.parse(e.json).text)).toEqual(['via adapter']);
  });
});
