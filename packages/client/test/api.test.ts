// The WHATWG-shaped API and the Node extras, against @ws02/server on real sockets.
import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientError,
  ConnectQueue,
  connect,
  WebSocket,
  type WebSocketCloseEvent,
  type WebSocketErrorEvent,
  type WebSocketMessageEvent,
  WebSocketUrlError,
} from '../src/index.js';
import { closed, failure, nextEvent, startEcho, startServer, until, waitFor } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function echo(options: Parameters<typeof startEcho>[0] = {}) {
  const started = await startEcho(options);
  cleanups.push(() => started.wss.close());
  return started;
}

/**
 * An echo server that holds every opening handshake in `verifyClient` until the test ends: a
 * client of it stays CONNECTING, waiting for the answer, for as long as the test needs.
 */
async function heldHandshakes() {
  const waiting: ((accept: boolean) => void)[] = [];
  const started = await echo({
    verifyClient: () => new Promise<boolean>((resolve) => waiting.push(resolve)),
  });
  cleanups.push(() => {
    for (const answer of waiting) answer(false);
  });
  return { url: started.url, held: () => waiting.length };
}

describe('WebSocket (WHATWG shape)', () => {
  it('goes CONNECTING → OPEN → CLOSING → CLOSED and fires open/message/close handlers', async () => {
    const { url } = await echo();
    const ws = new WebSocket(url);
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    expect(ws.url).toBe(url);
    const seen: string[] = [];
    ws.onopen = (event) => {
      seen.push(`open:${event.type}`);
      ws.send('hi');
    };
    ws.onmessage = (event) => {
      seen.push(`message:${event.data}`);
      ws.close();
      seen.push(`readyState after close():${ws.readyState}`);
    };
    const closeEvent = new Promise<WebSocketCloseEvent>((resolve) => {
      ws.onclose = resolve;
    });
    const event = await closeEvent;
    expect(seen).toEqual([
      'open:open',
      'message:hi',
      `readyState after close():${WebSocket.CLOSING}`,
    ]);
    expect(event.wasClean).toBe(true);
    expect(event.code).toBe(1005);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(ws.onmessage).toBeTypeOf('function');
    ws.onmessage = null;
    expect(ws.onmessage).toBeNull();
  });

  it('addEventListener: functions and handleEvent objects, once, removeEventListener', async () => {
    const { url } = await echo();
    const ws = await connect(url);
    const got: string[] = [];
    const fn = (e: WebSocketMessageEvent) => got.push(`fn:${e.data}`);
    const obj = { handleEvent: (e: WebSocketMessageEvent) => got.push(`obj:${e.data}`) };
    const one = (e: WebSocketMessageEvent) => got.push(`once:${e.data}`);
    ws.addEventListener('message', fn as never);
    ws.addEventListener('message', fn as never); // a duplicate is ignored, as in the DOM
    ws.addEventListener('message', obj as never);
    ws.addEventListener('message', one as never, { once: true });
    ws.send('a');
    await waitFor(() => got.length === 3);
    ws.removeEventListener('message', obj as never);
    ws.send('b');
    await waitFor(() => got.length === 4);
    expect(got).toEqual(['fn:a', 'obj:a', 'once:a', 'fn:b']);
    ws.close();
    await closed(ws);
  });

  it('negotiates a subprotocol from the offered list (5.1 step 16, SPEC-NOTES decision)', async () => {
    const { url, wss } = await echo({ protocols: ['chat'] });
    const offered = new Promise<readonly string[]>((resolve) =>
      wss.once('connection', (_ws, req) =>
        resolve(String(req.headers['sec-websocket-protocol']).split(' ')),
      ),
    );
    const ws = await connect(url, { protocols: ['superchat', 'chat'] });
    expect(await offered).toEqual(['superchat', 'chat']);
    expect(ws.protocol).toBe('chat');
    ws.close();
    await closed(ws);
  });

  it('step 1 once: a plain WebSocket reuses the previous checked template; other options never do', async () => {
    const { url, wss } = await echo({ protocols: ['chat'] });
    const requests: { protocol: unknown; origin: unknown; auth: unknown }[] = [];
    wss.on('connection', (_ws, req) =>
      requests.push({
        protocol: req.headers['sec-websocket-protocol'],
        origin: req.headers.origin,
        auth: req.headers.authorization,
      }),
    );
    const a = await connect(url);
    const b = await connect(url);
    // Same URL, but options that change the request: never the cached one.
    const c = await connect(url, { protocols: ['chat'] });
    const d = await connect(url, { origin: 'http://other.test', headers: { Authorization: 'x' } });
    const e = await connect(url);
    expect([a, b, c, d, e].map((ws) => ws.protocol)).toEqual(['', '', 'chat', '', '']);
    expect(a.url).toBe(url);
    expect(b.url).toBe(url);
    const plain = { protocol: undefined, origin: a.origin, auth: undefined };
    expect(requests).toEqual([
      plain,
      plain,
      { protocol: 'chat', origin: a.origin, auth: undefined },
      { protocol: undefined, origin: 'http://other.test', auth: 'x' },
      plain,
    ]);
    // An invalid URL throws every time (only successes are kept).
    expect(() => new WebSocket('ws://h/#f')).toThrow(WebSocketUrlError);
    expect(() => new WebSocket('ws://h/#f')).toThrow(WebSocketUrlError);
    for (const ws of [a, b, c, d, e]) ws.terminate();
    await Promise.all([a, b, c, d, e].map((ws) => closed(ws)));
  });

  it('protocol is "" when none was offered', async () => {
    const { url } = await echo();
    const ws = await connect(url);
    expect(ws.protocol).toBe('');
    expect(ws.extensions).toBe('');
    ws.terminate();
    await closed(ws);
  });

  it('binaryType nodebuffer (default) gives Buffers, arraybuffer gives exactly the bytes', async () => {
    const { url } = await echo();
    const ws = await connect(url);
    expect(ws.binaryType).toBe('nodebuffer');
    ws.send(Buffer.from([1, 2, 3]));
    const [first, isBinary] = await nextEvent<[Buffer, boolean]>(ws, 'message');
    expect(isBinary).toBe(true);
    expect(Buffer.isBuffer(first)).toBe(true);
    expect([...first]).toEqual([1, 2, 3]);
    ws.binaryType = 'arraybuffer';
    // Two messages in one tick: both may land in one chunk, so each payload is a view into a
    // shared buffer — the ArrayBuffer must hold only its own bytes.
    const got: ArrayBuffer[] = [];
    ws.on('message', (data) => got.push(data as ArrayBuffer));
    ws.send(Buffer.from([9, 8, 7, 6]));
    ws.send(Buffer.from([5]));
    await waitFor(() => got.length === 2);
    expect(got[0]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(got[0]!)]).toEqual([9, 8, 7, 6]);
    expect([...new Uint8Array(got[1]!)]).toEqual([5]);
    expect(() => {
      ws.binaryType = 'blob' as never;
    }).toThrow(ClientError);
    ws.close();
    await closed(ws);
  });

  it('sends text, binary, forced types and fragments (4.3)', async () => {
    const { url, wss } = await startServer();
    cleanups.push(() => wss.close());
    const received: [string, boolean][] = [];
    wss.on('connection', (peer) =>
      peer.on('message', (data, isBinary) => received.push([String(data), isBinary])),
    );
    const ws = await connect(url);
    ws.send('text');
    ws.send(new Uint8Array([0x41, 0x42]));
    ws.send('as-binary', { binary: true });
    ws.send(Buffer.from('as-text'), { binary: false });
    ws.send(new Uint8Array([0x43]).buffer);
    ws.sendFragments(['fr', 'ag', 'ments']);
    await waitFor(() => received.length === 6);
    expect(received).toEqual([
      ['text', false],
      ['AB', true],
      ['as-binary', true],
      ['as-text', false],
      ['C', true],
      ['fragments', false],
    ]);
    ws.close();
    await closed(ws);
  });

  it('send callback runs once written; bufferedAmount drops back to 0', async () => {
    const { url } = await echo();
    const ws = await connect(url);
    expect(ws.bufferedAmount).toBe(0);
    const big = Buffer.alloc(1 << 20, 1);
    const written = new Promise<Error | undefined>((resolve) => ws.send(big, resolve));
    expect(ws.bufferedAmount).toBeGreaterThan(0);
    expect(await written).toBeUndefined();
    await nextEvent(ws, 'message');
    await waitFor(() => ws.bufferedAmount === 0);
    ws.close();
    await closed(ws);
  });

  it('send/ping/pong while CONNECTING throw CLIENT_NOT_OPEN; after close they return false', async () => {
    const { url } = await echo();
    const ws = new WebSocket(url);
    for (const call of [
      () => ws.send('x'),
      () => ws.ping(),
      () => ws.pong(),
      () => ws.sendFragments(['x']),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'CLIENT_NOT_OPEN' }));
    }
    await nextEvent(ws, 'open');
    ws.close();
    const error = await new Promise<Error | undefined>((resolve) => {
      expect(ws.send('late', resolve)).toBe(false);
    });
    expect(error).toMatchObject({ code: 'SOCKET_NOT_OPEN' });
    await closed(ws);
  });

  it('ping is answered by a pong with the same data (4.4); unsolicited pong reaches the server', async () => {
    const { url, wss } = await echo();
    const serverPong = new Promise<string>((resolve) =>
      wss.once('connection', (peer) => peer.on('pong', (d) => resolve(String(d)))),
    );
    const ws = await connect(url);
    ws.ping('are you there');
    const [pong] = await nextEvent<[Buffer]>(ws, 'pong');
    expect(String(pong)).toBe('are you there');
    ws.pong('heartbeat');
    expect(await serverPong).toBe('heartbeat');
    ws.close();
    await closed(ws);
  });

  it('reports the server pinging it, and answers automatically', async () => {
    const { url, wss } = await echo();
    const peerPong = new Promise<string>((resolve) =>
      wss.once('connection', (peer) => {
        peer.on('pong', (d) => resolve(String(d)));
        peer.ping('from server');
      }),
    );
    const ws = new WebSocket(url);
    const [ping] = await nextEvent<[Buffer]>(ws, 'ping');
    expect(String(ping)).toBe('from server');
    expect(await peerPong).toBe('from server');
    ws.close();
    await closed(ws);
  });

  it('close(body) sends the body in the Close frame (7); close(code, reason) sends the reason', async () => {
    const { url, wss } = await echo();
    const bodies: string[] = [];
    wss.on('connection', (peer) => peer.on('close', (body) => bodies.push(String(body))));
    const a = await connect(url);
    a.close('bye now');
    expect((await closed(a))[1]).toBe(true);
    const b = await connect(url);
    b.close(1000, 'whatwg style');
    expect((await closed(b))[1]).toBe(true);
    await waitFor(() => bodies.length === 2);
    expect(bodies).toEqual(['bye now', 'whatwg style']);
  });

  it('a server-initiated close is echoed and ends cleanly (7.2)', async () => {
    const { url, wss } = await startServer();
    cleanups.push(() => wss.close());
    wss.on('connection', (peer) => peer.close('server says bye'));
    const ws = new WebSocket(url);
    const event = await new Promise<WebSocketCloseEvent>((resolve) => {
      ws.addEventListener('close', resolve as never);
    });
    expect(event.wasClean).toBe(true);
    expect(event.reason).toBe('server says bye');
    expect(String(event.body)).toBe('server says bye');
  });

  it('terminate() closes the TCP connection without a closing handshake', async () => {
    const { url } = await echo();
    const ws = await connect(url);
    ws.terminate();
    const [, wasClean] = await closed(ws);
    expect(wasClean).toBe(false);
  });

  it('for await yields every message until the connection closes', async () => {
    const { url, wss } = await startServer();
    cleanups.push(() => wss.close());
    wss.on('connection', (peer) => {
      for (let i = 0; i < 100; i++) peer.send(`m${i}`);
      peer.close();
    });
    const ws = await connect(url);
    const got: string[] = [];
    for await (const { data, isBinary } of ws) {
      expect(isBinary).toBe(false);
      got.push(data as string);
      // A slow consumer: the iterator pauses the connection rather than buffering without bound.
      if (got.length % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(got).toHaveLength(100);
    expect(got[99]).toBe('m99');
  });

  it('pause() holds messages back, resume() delivers them in order', async () => {
    const { url, wss } = await startServer();
    cleanups.push(() => wss.close());
    // An echo server that reports when each echo has been handed to the kernel.
    const echoed: string[] = [];
    wss.on('connection', (peer) =>
      peer.on('message', (data, isBinary) =>
        peer.send(data, { binary: isBinary }, () => echoed.push(String(data))),
      ),
    );
    const ws = await connect(url);
    const sentinel = await connect(url);
    const got: string[] = [];
    ws.on('message', (d) => got.push(d as string));
    ws.pause();
    expect(ws.isPaused).toBe(true);
    ws.send('1');
    ws.send('2');
    await until(() => echoed.length === 2, 'both echoes written to the paused client');
    // Order, not time: the echoes were in the paused client's receive buffer before the sentinel
    // was even sent, so by the time the sentinel's round trip is back, an unpaused client would
    // have read and delivered them.
    sentinel.send('sentinel');
    expect((await nextEvent<[string]>(sentinel, 'message'))[0]).toBe('sentinel');
    expect(got).toEqual([]);
    sentinel.close();
    await closed(sentinel);
    ws.resume();
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['1', '2']);
    ws.close();
    await closed(ws);
  });
});

describe('connect() and opening options', () => {
  it('sends the origin in its lowercase ASCII serialization (5.1 step 14, 3.3)', async () => {
    const { url, wss } = await echo();
    const origin = new Promise<string | undefined>((resolve) =>
      wss.once('connection', (peer) => resolve(peer.origin)),
    );
    const ws = await connect(url, { origin: 'HTTPS://App.Example.COM:8443/some/path' });
    expect(await origin).toBe('https://app.example.com:8443');
    expect(ws.origin).toBe('https://app.example.com:8443');
    ws.close();
    await closed(ws);
  });

  it('defaults the origin to http(s)://host[:port] of the URL', async () => {
    const { url, port, wss } = await echo();
    const origin = new Promise<string | undefined>((resolve) =>
      wss.once('connection', (peer) => resolve(peer.origin)),
    );
    const ws = await connect(url);
    expect(await origin).toBe(`http://127.0.0.1:${port}`);
    ws.close();
    await closed(ws);
  });

  it('sends extra headers (5.1 step 18)', async () => {
    const { url, wss } = await echo();
    const headers = new Promise<Record<string, unknown>>((resolve) =>
      wss.once('connection', (_peer, req) => resolve(req.headers)),
    );
    const ws = await connect(url, { headers: { Authorization: 'Bearer t0ken', 'X-Trace': '7' } });
    expect(await headers).toMatchObject({ authorization: 'Bearer t0ken', 'x-trace': '7' });
    ws.close();
    await closed(ws);
  });

  it('refuses a header that cannot be sent before connecting (HANDSHAKE_INVALID_FIELD, step 18)', () => {
    expect(
      () => new WebSocket('ws://127.0.0.1:1/', [], { headers: { 'X-Bad': 'a\r\nb' } }),
    ).toThrow(expect.objectContaining({ code: 'HANDSHAKE_INVALID_FIELD', step: 18 }));
    expect(() => new WebSocket('ws://127.0.0.1:1/', [], { headers: [['Upgrade', 'x']] })).toThrow(
      expect.objectContaining({ code: 'HANDSHAKE_INVALID_FIELD' }),
    );
  });

  it('an invalid URL throws WebSocketUrlError and never opens a socket (5.1 step 1, 3.3)', async () => {
    const accepted: (number | undefined)[] = [];
    const server = createServer((s) => {
      accepted.push(s.remotePort);
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const bad = [
      [`ws://127.0.0.1:${port}/#frag`, 'URL_HAS_FRAGMENT'],
      [`http://127.0.0.1:${port}/`, 'URL_BAD_SCHEME'],
      [`ws://127.0.0.1:0/`, 'URL_BAD_PORT'],
      ['/relative', 'URL_NOT_ABSOLUTE'],
    ] as const;
    for (const [url, code] of bad) {
      expect(() => new WebSocket(url)).toThrow(WebSocketUrlError);
      await expect(connect(url)).rejects.toMatchObject({ code });
    }
    await expect(
      connect(`ws://127.0.0.1:${port}/`, { protocols: ['a', 'a'] }),
    ).rejects.toMatchObject({
      code: 'URL_PROTOCOL_DUPLICATE',
    });
    await expect(connect(`ws://127.0.0.1:${port}/`, { protocols: [''] })).rejects.toMatchObject({
      code: 'URL_PROTOCOL_EMPTY',
    });
    await expect(connect(`ws://127.0.0.1:${port}/`, { protocols: ['a b'] })).rejects.toMatchObject({
      code: 'URL_PROTOCOL_BAD_CHAR',
    });
    await expect(connect(`ws://127.0.0.1:${port}/`, { origin: 'not a url' })).rejects.toMatchObject(
      {
        code: 'URL_BAD_ORIGIN',
      },
    );
    // Order, not time: a sentinel connection opened after every attempt above. Had any attempt
    // opened a socket, it would have been accepted first.
    const sentinel = netConnect(port, '127.0.0.1');
    sentinel.on('error', () => {});
    await once(sentinel, 'connect');
    await until(() => accepted.length > 0, 'the sentinel connection accepted');
    expect(accepted).toEqual([sentinel.localPort]);
    sentinel.destroy();
  });

  it('rejects bad options with CLIENT_INVALID_OPTION', () => {
    const url = 'ws://127.0.0.1:1/';
    expect(() => new WebSocket(url, [], { binaryType: 'blob' as never })).toThrow(
      expect.objectContaining({ code: 'CLIENT_INVALID_OPTION' }),
    );
    expect(() => new WebSocket(url, [], { handshakeTimeout: -1 })).toThrow(
      expect.objectContaining({ code: 'CLIENT_INVALID_OPTION' }),
    );
    expect(() => new WebSocket(url, [], { proxy: 'socks5://127.0.0.1:1080' })).toThrow(
      expect.objectContaining({ code: 'CLIENT_INVALID_OPTION', step: 3 }),
    );
    expect(() => new WebSocket(url, [], { proxy: 'http://[bad' })).toThrow(
      expect.objectContaining({ code: 'CLIENT_INVALID_OPTION' }),
    );
    expect(() => new WebSocket(url, [], { reconnect: { jitter: 2 } })).toThrow(
      expect.objectContaining({ code: 'CLIENT_INVALID_OPTION' }),
    );
  });

  it('a refused TCP connection fails with CLIENT_CONNECT_FAILED: error, then close', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r)); // the port is now closed
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const events: string[] = [];
    ws.onerror = (e: WebSocketErrorEvent) => events.push(`error:${(e.error as ClientError).code}`);
    ws.onclose = (e: WebSocketCloseEvent) => events.push(`close:${e.wasClean}:${e.code}`);
    await closed(ws);
    expect(events).toEqual(['error:CLIENT_CONNECT_FAILED', 'close:false:1006']);
    expect(ws.closeError).toMatchObject({ code: 'CLIENT_CONNECT_FAILED', step: 3 });
    await expect(connect(`ws://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(ClientError);
  });

  it('a host name that does not resolve fails with CLIENT_DNS_FAILED (step 2)', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    await expect(connect('ws://nowhere.test/', { lookup, proxy: false })).rejects.toMatchObject({
      code: 'CLIENT_DNS_FAILED',
      step: 2,
    });
  });

  it('resolves the host with the lookup function and connects to that address', async () => {
    const { port, wss } = await echo();
    const host = new Promise<unknown>((resolve) =>
      wss.once('connection', (_peer, req) => resolve(req.headers.host)),
    );
    const names: string[] = [];
    const lookup = async (name: string) => {
      names.push(name);
      return { address: '127.0.0.1', family: 4 };
    };
    const ws = await connect(`ws://Echo.Test:${port}/path?q=1`, { lookup, proxy: false });
    expect(names).toEqual(['echo.test']);
    expect(await host).toBe(`echo.test:${port}`);
    expect(ws.url).toBe(`ws://echo.test:${port}/path?q=1`);
    ws.close();
    await closed(ws);
  });

  it('close() while CONNECTING fails the attempt: CLIENT_CLOSED_BEFORE_OPEN, then close', async () => {
    const gate = await heldHandshakes();
    const ws = new WebSocket(gate.url, [], { connectQueue: new ConnectQueue() });
    // The request is at the server, which has not answered yet: the client is waiting for it.
    await until(() => gate.held() === 1, 'the request held by the server');
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    ws.close();
    const error = await failure(ws);
    expect(error).toMatchObject({ code: 'CLIENT_CLOSED_BEFORE_OPEN' });
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('close() while CONNECTING emits error and close after it returns, never inside it', async () => {
    const { url } = await echo();
    const ws = new WebSocket(url, [], { connectQueue: new ConnectQueue() });
    const seen: string[] = [];
    ws.on('error', (e) => seen.push(`error:${(e as ClientError).code}`));
    ws.on('close', () => seen.push('close'));
    ws.close();
    seen.push('returned');
    await closed(ws);
    expect(seen).toEqual(['returned', 'error:CLIENT_CLOSED_BEFORE_OPEN', 'close']);
  });

  it('a lookup that throws synchronously fails the attempt (CLIENT_DNS_FAILED, step 2), after the constructor returns', async () => {
    const lookup = () => {
      throw new Error('no resolver');
    };
    const ws = new WebSocket('ws://sync-throw.test/', [], { lookup, proxy: false });
    // Listeners attached after the constructor still see the failure.
    const error = await failure(ws);
    expect(error).toMatchObject({ code: 'CLIENT_DNS_FAILED', step: 2 });
  });

  it('an AbortSignal terminates the connection attempt', async () => {
    const gate = await heldHandshakes();
    const controller = new AbortController();
    const pending = connect(gate.url, {
      signal: controller.signal,
      connectQueue: new ConnectQueue(),
    });
    await until(() => gate.held() === 1, 'the request held by the server');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CLIENT_CLOSED_BEFORE_OPEN' });
  });

  it('an open connection closed by an AbortSignal ends without a closing handshake', async () => {
    const { url } = await echo();
    const controller = new AbortController();
    const ws = await connect(url, { signal: controller.signal });
    controller.abort();
    expect((await closed(ws))[1]).toBe(false);
  });

  it('tap observes the raw frame bytes both ways after the handshake', async () => {
    const { url } = await echo();
    const seen: [string, number[]][] = [];
    const ws = await connect(url, {
      tap: (direction, bytes) => seen.push([direction, [...bytes]]),
    });
    ws.send('hi');
    await nextEvent(ws, 'message');
    // Text "hi" (4.6 layout): 0x04, length 2, then the bytes; out first, then the echo in.
    expect(seen).toEqual([
      ['out', [0x04, 0x02, 0x68, 0x69]],
      ['in', [0x04, 0x02, 0x68, 0x69]],
    ]);
    ws.close();
    await closed(ws);
    expect(seen.at(-2)).toEqual(['out', [0x01, 0x00]]);
    expect(seen.at(-1)).toEqual(['in', [0x01, 0x00]]);
  });

  it('counters count messages in and out', async () => {
    const { url } = await echo();
    const ws = await connect(url);
    let n = 0;
    ws.on('message', () => n++);
    ws.send('a');
    ws.send('b');
    await waitFor(() => n === 2);
    expect(ws.counters.messagesOut).toBe(2);
    expect(ws.counters.messagesIn).toBe(2);
    ws.close();
    await closed(ws);
  });
});
