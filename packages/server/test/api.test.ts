import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextEvent, until } from '../../../scripts/test-utils/wait.js';
import { createWebSocketStream, WebSocket, WebSocketServer } from '../src/index.js';
import { buildRequest, frame, OP, openWebSocket, RawClient, readFrame } from './raw-client.js';
import { nextConnection, startEcho, startServer } from './server-fixture.js';

// Tests that fake a timer restore real ones even when they fail.
afterEach(() => {
  vi.useRealTimers();
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe('attaching to an existing http.Server', () => {
  it('`server` option: upgrades on the path, plain HTTP still served by the app', async () => {
    const http = createServer((_req, res) => res.end('plain http'));
    const wss = new WebSocketServer({ server: http, path: '/ws' });
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo:${d}`)));
    const port = await listen(http);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('plain http');
    const client = await openWebSocket(port, { path: '/ws' });
    client.write(frame(OP.TEXT, 'hi'));
    expect((await readFrame(client)).payload.toString()).toBe('echo:hi');
    client.socket.destroy();
    await wss.close();
    await new Promise((r) => http.close(r));
  });

  it('`noServer` + handleUpgrade routes inside an existing app, key_3 arriving after the head', async () => {
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const heads: number[] = [];
    http.on('upgrade', (req, socket, head) => {
      heads.push(head.length);
      if (req.url !== '/chat') return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => ws.send(`welcome to ${ws.resourceName}`));
    });
    const port = await listen(http);
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest({ path: '/chat' });
    // key_3 is written only once the app has the request without it (order, not a pause).
    client.write(head);
    await until(() => heads.length === 1, "the request head in the app's upgrade listener");
    expect(heads).toEqual([0]);
    client.write(key3);
    expect((await client.readHead()).status).toBe(101);
    await client.take(16);
    expect((await readFrame(client)).payload.toString()).toBe('welcome to /chat');
    client.socket.destroy();
    await wss.close();
    await new Promise((r) => http.close(r));
  });

  it('refuses to be built with no mode or two modes', () => {
    expect(() => new WebSocketServer({})).toThrow(TypeError);
    expect(() => new WebSocketServer({ port: 0, noServer: true })).toThrow(TypeError);
  });
});

describe('section 8 verifyClient', () => {
  it('what verifyClient decides travels to the connection event and ws.context', async () => {
    const { wss, port } = await startServer({
      verifyClient: async ({ req, origin }) => {
        await new Promise((r) => setTimeout(r, 5));
        const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
        if (token !== 'secret') return { accept: false, status: 401, reason: 'bad token' };
        return { accept: true, context: { user: 'alice', origin } };
      },
    });
    const seen = new Promise<[unknown, unknown]>((resolve) =>
      wss.once('connection', (ws: WebSocket, _req: unknown, context: unknown) =>
        resolve([ws.context, context]),
      ),
    );
    const ok = await openWebSocket(port, { path: '/?token=secret' });
    expect(await seen).toEqual([
      { user: 'alice', origin: 'http://example.com' },
      { user: 'alice', origin: 'http://example.com' },
    ]);
    ok.socket.destroy();
    const bad = await RawClient.open(port);
    const { head, key3 } = buildRequest({ path: '/?token=nope' });
    bad.write(Buffer.concat([head, key3]));
    await bad.waitClosed();
    expect(bad.inbox.toString('latin1')).toMatch(/^HTTP\/1.1 401 /);
    expect(bad.inbox.toString('latin1')).toContain('bad token');
    await wss.close();
  });

  it('a verifyClient that throws refuses with 500 and the server keeps serving', async () => {
    const { wss, port } = await startServer({
      verifyClient: () => {
        throw new Error('database down');
      },
    });
    const bad = await RawClient.open(port);
    const { head, key3 } = buildRequest();
    bad.write(Buffer.concat([head, key3]));
    await bad.waitClosed();
    expect(bad.inbox.toString('latin1')).toMatch(/^HTTP\/1.1 500 /);
    expect(wss.counters.errors.SERVER_VERIFY_FAILED).toBe(1);
    await wss.close();
  });

  it('selectProtocol picks from the offered list', async () => {
    const { wss, port } = await startServer({ selectProtocol: (offered) => offered.at(-1) });
    const accepted = nextConnection(wss);
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest({ protocol: 'a b c' });
    client.write(Buffer.concat([head, key3]));
    const res = await client.readHead();
    expect(res.headers.get('sec-websocket-protocol')).toEqual(['c']);
    expect((await accepted).protocol).toBe('c');
    client.socket.destroy();
    await wss.close();
  });
});

describe('limits', () => {
  it('maxConnections: the next handshake gets 503, and a slot frees when one closes', async () => {
    const { wss, port } = await startEcho({ maxConnections: 2 });
    const a = await openWebSocket(port);
    const b = await openWebSocket(port);
    const c = await RawClient.open(port);
    const { head, key3 } = buildRequest();
    c.write(Buffer.concat([head, key3]));
    await c.waitClosed();
    expect(c.inbox.toString('latin1')).toMatch(/^HTTP\/1.1 503 /);
    a.socket.destroy();
    await until(() => wss.clients?.size === 1, 'the closed connection’s slot freed');
    const d = await openWebSocket(port);
    d.socket.destroy();
    b.socket.destroy();
    await wss.close();
  });

  it('maxFrameSize: a frame declaring 1 GiB is refused from its header and only that peer is closed', async () => {
    const { wss, port } = await startEcho({ maxFrameSize: 1024 * 1024 });
    const errors: string[] = [];
    wss.on('connection', (ws) => ws.on('error', (e: { code: string }) => errors.push(e.code)));
    const victim = await openWebSocket(port);
    const bystander = await openWebSocket(port);
    const header = Buffer.from([0x05, 127, 0, 0, 0, 0, 0x40, 0, 0, 0]); // 1 GiB binary
    const heapBefore = process.memoryUsage().arrayBuffers;
    victim.write(header);
    await victim.waitClosed();
    expect(errors).toEqual(['FRAME_TOO_LARGE']);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 * 1024 * 1024);
    bystander.write(frame(OP.TEXT, 'still here'));
    expect((await readFrame(bystander)).payload.toString()).toBe('still here');
    bystander.socket.destroy();
    await wss.close();
  });
});

describe('6.2 invalid UTF-8 from a client, under both server policies', () => {
  const invalid = Buffer.from([0x61, 0xff, 0x62, 0xc3]); // "a", bad byte, "b", truncated sequence
  it("'replace' (default): each invalid sequence becomes U+FFFD", async () => {
    const { wss, port } = await startEcho();
    const client = await openWebSocket(port);
    client.write(frame(OP.TEXT, invalid));
    expect((await readFrame(client)).payload.toString('utf8')).toBe('a\uFFFDb\uFFFD');
    client.socket.destroy();
    await wss.close();
  });
  it("'fail': the connection is failed with a typed error", async () => {
    const { wss, port } = await startEcho({ textPolicy: 'fail' });
    const errors: string[] = [];
    wss.on('connection', (ws) => ws.on('error', (e: { code: string }) => errors.push(e.code)));
    const client = await openWebSocket(port);
    client.write(frame(OP.TEXT, invalid));
    await client.waitClosed();
    expect(errors).toEqual(['FRAME_INVALID_UTF8']);
    await wss.close();
  });
});

describe('receive flow control and iteration', () => {
  it('pause() holds messages without losing any; resume() delivers them in order', async () => {
    const { wss, port } = await startServer();
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const probe = await openWebSocket(port);
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    ws.pause();
    for (let i = 0; i < 50; i++) client.write(frame(OP.TEXT, `m${i}`));
    // A sentinel instead of a pause: a Ping written after the 50 frames, on another connection.
    // Its Pong back means the server has run its event loop with the frames already sent to it;
    // none may have been delivered.
    probe.write(frame(OP.PING, 'after the frames'));
    expect(await readFrame(probe)).toMatchObject({
      opcode: OP.PONG,
      payload: Buffer.from('after the frames'),
    });
    expect(got).toEqual([]);
    ws.resume();
    await until(() => got.length >= 50, 'the 50 held messages');
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    probe.socket.destroy();
    client.socket.destroy();
    await wss.close();
  });

  it('pause() holds raw bytes: a message and a Close in one segment, the reply still precedes the Close echo (7)', async () => {
    const { wss, port } = await startServer();
    wss.on('connection', (ws) => {
      ws.pause();
      ws.on('message', (d) => ws.send(`re:${d}`));
      setTimeout(() => ws.resume(), 50);
    });
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest();
    client.write(Buffer.concat([head, key3, frame(OP.TEXT, 'held'), frame(OP.CLOSE, 'bye')]));
    expect((await client.readHead()).status).toBe(101);
    await client.take(16);
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.TEXT,
      payload: Buffer.from('re:held'),
    });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.CLOSE,
      payload: Buffer.from('bye'),
    });
    await client.waitClosed();
    await wss.close();
  });

  it('for await yields every message, with isBinary, until the connection closes', async () => {
    const { wss, port } = await startServer();
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const received: [string, boolean][] = [];
    const loop = (async () => {
      for await (const { data, isBinary } of ws) {
        received.push([String(data), isBinary]);
        await new Promise((r) => setTimeout(r, 1)); // a slow consumer
      }
    })();
    for (let i = 0; i < 200; i++) client.write(frame(i % 2 ? OP.BINARY : OP.TEXT, `${i}`));
    client.write(frame(OP.CLOSE, ''));
    await loop;
    expect(received).toHaveLength(200);
    expect(received[0]).toEqual(['0', false]);
    expect(received[199]).toEqual(['199', true]);
    await wss.close();
  });

  it('createWebSocketStream: a Duplex that echoes through a pipeline', async () => {
    const { wss, port } = await startServer();
    wss.on('connection', (ws) => {
      const stream = createWebSocketStream(ws);
      pipeline(stream, stream).catch(() => {});
    });
    const client = await openWebSocket(port);
    client.write(frame(OP.BINARY, Buffer.from('via stream')));
    const echoed = await readFrame(client);
    expect(echoed).toMatchObject({ opcode: OP.BINARY, payload: Buffer.from('via stream') });
    client.socket.destroy();
    await wss.close();
  });
});

describe('sending', () => {
  it('send with the explicit binary option, sendFragments, and ping', async () => {
    const { wss, port } = await startServer();
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    ws.send('as binary', { binary: true });
    ws.send(Buffer.from('as text'), { binary: false });
    ws.sendFragments(['ab', 'cd', 'ef']);
    ws.ping('p');
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.BINARY,
      payload: Buffer.from('as binary'),
    });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.TEXT,
      payload: Buffer.from('as text'),
    });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.TEXT,
      more: true,
      payload: Buffer.from('ab'),
    });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.CONT,
      more: true,
      payload: Buffer.from('cd'),
    });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.CONT,
      more: false,
      payload: Buffer.from('ef'),
    });
    expect(await readFrame(client)).toMatchObject({ opcode: OP.PING, payload: Buffer.from('p') });
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    client.write(frame(OP.PONG, 'p'));
    expect((await pong).toString()).toBe('p');
    client.socket.destroy();
    await wss.close();
  });

  it('frames sent in one tick leave in one TCP write', async () => {
    const { wss, port } = await startServer();
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const chunks: number[] = [];
    client.socket.on('data', (c) => chunks.push(c.length));
    const total = 100 * 2 + [...Array(100).keys()].reduce((a, i) => a + `message ${i}`.length, 0);
    for (let i = 0; i < 100; i++) ws.send(`message ${i}`);
    const sum = () => chunks.reduce((a, b) => a + b, 0);
    await until(() => sum() >= total, `${total} bytes`);
    expect(sum()).toBe(total);
    expect(chunks.length).toBe(1);
    client.socket.destroy();
    await wss.close();
  });

  it('`flush` delay: broadcasts made in separate events within the window share one TCP write per client (4.2 frames unchanged, in order)', async () => {
    const { wss, port } = await startServer({ flush: 1000 });
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const chunks: Buffer[] = [];
    client.socket.on('data', (c: Buffer) => chunks.push(c));
    // The window's timer (the server's flush scheduler takes setTimeout from the globals) on a
    // fake clock, from here on: the handshake is over (its timer cleared), and the window ends
    // when the test says, however slowly a busy machine runs the five events inside it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    for (let i = 0; i < 5; i++) {
      expect(wss.broadcast(`b${i}`)).toBe(1);
      await new Promise((r) => setImmediate(r));
    }
    // Inside the window: the five 4-byte frames wait in the writer.
    vi.advanceTimersByTime(999);
    expect(ws.bufferedAmount).toBe(5 * 4);
    vi.advanceTimersByTime(1);
    vi.useRealTimers();
    for (let i = 0; i < 5; i++) expect((await readFrame(client)).payload.toString()).toBe(`b${i}`);
    expect(chunks.length).toBe(1);
    client.socket.destroy();
    await wss.close();
  });

  it('`flush` must be tick, turn or a delay >= 0 ms', () => {
    expect(() => new WebSocketServer({ noServer: true, flush: -5 })).toThrow(RangeError);
  });

  it('broadcast encodes once and reaches every open client that passes the filter', async () => {
    const { wss, port } = await startServer();
    const clients = await Promise.all([1, 2, 3].map(() => openWebSocket(port, { path: '/room' })));
    const other = await openWebSocket(port, { path: '/other' });
    await until(() => wss.clients?.size === 4, 'four connections on the server');
    const n = wss.broadcast('to the room', (ws) => ws.resourceName === '/room');
    expect(n).toBe(3);
    for (const c of clients) expect((await readFrame(c)).payload.toString()).toBe('to the room');
    // A sentinel sent to the other client after the room's message: it is the first frame that
    // client gets (one connection's frames keep their order), so the room's message never came.
    expect(wss.broadcast('sentinel', (ws) => ws.resourceName === '/other')).toBe(1);
    expect((await readFrame(other)).payload.toString()).toBe('sentinel');
    expect(other.inbox.length).toBe(0);
    for (const c of [...clients, other]) c.socket.destroy();
    await wss.close();
  });
});

describe('heartbeat and observability', () => {
  it('pings every interval; a peer that never pongs is terminated', async () => {
    // The heartbeat's sweep timer is faked (setInterval only): a sweep runs when the test
    // advances it, never while the responsive peer's Pong is still on its way, however slowly a
    // busy machine runs. The sweep compares real Date.now() values; the dead peer's timeout is
    // awaited as a lower bound.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { wss, port } = await startServer({ heartbeat: { interval: 50, timeout: 100 } });
    const onServer: WebSocket[] = [];
    wss.on('connection', (ws) => onServer.push(ws));
    const responsive = await openWebSocket(port);
    const dead = await openWebSocket(port);
    await until(() => onServer.length === 2, 'both connections on the server');
    const serverSideOf = (client: RawClient) =>
      onServer.find((ws) => ws.remotePort === client.socket.localPort)!;
    // First sweep: both peers are pinged; the responsive one answers.
    vi.advanceTimersByTime(50);
    expect(await readFrame(responsive)).toMatchObject({ opcode: OP.PING });
    expect(await readFrame(dead)).toMatchObject({ opcode: OP.PING });
    const pinged = Date.now();
    const pong = nextEvent(serverSideOf(responsive), 'pong');
    responsive.write(frame(OP.PONG, ''));
    await pong;
    // Once the timeout has passed since the pings, the next sweep terminates the silent peer
    // and pings the responsive one again.
    await until(() => Date.now() - pinged >= 100, 'the 100 ms pong timeout to pass');
    vi.advanceTimersByTime(50);
    await dead.waitClosed();
    expect(wss.counters.errors.SERVER_PONG_TIMEOUT).toBe(1);
    expect(await readFrame(responsive)).toMatchObject({ opcode: OP.PING });
    expect(responsive.closed).toBe(false);
    expect(serverSideOf(responsive).readyState).toBe(WebSocket.OPEN);
    responsive.socket.destroy();
    await wss.close();
  });

  it('the logger hook sees structured events and never payloads', async () => {
    const events: { event: string }[] = [];
    const { wss, port } = await startEcho({ logger: (e) => events.push(e) });
    const client = await openWebSocket(port);
    client.write(frame(OP.TEXT, 'top secret payload'));
    await readFrame(client);
    client.write(frame(OP.CLOSE, ''));
    await client.waitClosed();
    // The server logs the close when its side has closed, which may follow the client's.
    await until(() => events.some((e) => e.event === 'close'), 'the close event logged');
    expect(events.map((e) => e.event)).toEqual(['listening', 'connection', 'close']);
    expect(JSON.stringify(events)).not.toContain('top secret');
    expect(wss.counters.messagesIn).toBe(1);
    expect(wss.counters.messagesOut).toBe(1);
    await wss.close();
  });

  it('close(): every client gets the closing handshake, stragglers are destroyed, the promise resolves', async () => {
    const { wss, port } = await startEcho({ closeTimeout: 200 });
    const polite = await openWebSocket(port);
    const silent = await openWebSocket(port);
    const closing = wss.close();
    expect((await readFrame(polite)).opcode).toBe(OP.CLOSE);
    polite.write(frame(OP.CLOSE, ''));
    expect((await readFrame(silent)).opcode).toBe(OP.CLOSE); // never answers
    await closing;
    expect(polite.closed || (await polite.waitClosed().then(() => true))).toBe(true);
    await silent.waitClosed();
    expect(wss.clients?.size).toBe(0);
  });
});
