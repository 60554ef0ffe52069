// 5.1 step 3 (connect through an HTTP proxy with CONNECT) and step 33 (407 answered once with
// credentials, then failed), against a real CONNECT proxy (the `proxy` package) started here.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer, connect as netConnect } from 'node:net';
import { createProxy, type ProxyServer } from 'proxy';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectQueue, connect, type WebSocket } from '../src/index.js';
import { closed, nextEvent, startEcho, startRawServer } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BASIC = `Basic ${Buffer.from('user:s3cret').toString('base64')}`;

/** A CONNECT proxy; with `auth`, only `user:s3cret` gets through. Records every CONNECT. */
async function startProxy(auth = false) {
  const proxy: ProxyServer = createProxy(createHttpServer());
  const connects: { url: string | undefined; auth: string | undefined }[] = [];
  proxy.on('connect', (req: IncomingMessage) =>
    connects.push({ url: req.url, auth: req.headers['proxy-authorization'] }),
  );
  if (auth) proxy.authenticate = (req) => req.headers['proxy-authorization'] === BASIC;
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const port = (proxy.address() as AddressInfo).port;
  cleanups.push(() => {
    proxy.closeAllConnections();
    return new Promise((r) => proxy.close(r));
  });
  return { port, connects, url: `http://127.0.0.1:${port}` };
}

async function echo() {
  const started = await startEcho();
  cleanups.push(() => started.wss.close());
  return started;
}

async function roundTrip(ws: WebSocket): Promise<void> {
  ws.send('through the tunnel');
  const [data] = await nextEvent<[string]>(ws, 'message');
  expect(data).toBe('through the tunnel');
  ws.close();
  expect((await closed(ws))[1]).toBe(true);
}

describe('CONNECT proxy (5.1 step 3)', () => {
  it('opens the connection through the proxy', async () => {
    const proxy = await startProxy();
    const { port } = await echo();
    // Step 2 behind a proxy: the address is unknown, so the host name is the queue's key.
    const queue = new ConnectQueue();
    const keys: string[] = [];
    queue.on('acquire', (key) => keys.push(key));
    const ws = await connect(`ws://127.0.0.1:${port}/`, { proxy: proxy.url, connectQueue: queue });
    expect(proxy.connects).toEqual([{ url: `127.0.0.1:${port}`, auth: undefined }]);
    expect(keys).toEqual(['127.0.0.1']);
    expect(queue.pendingUnresolved).toBe(0);
    await roundTrip(ws);
  });

  it('407 from the proxy is answered once with the credentials of the proxy URL', async () => {
    const proxy = await startProxy(true);
    const { port } = await echo();
    const ws = await connect(`ws://127.0.0.1:${port}/`, {
      proxy: `http://user:s3cret@127.0.0.1:${proxy.port}`,
    });
    expect(proxy.connects.map((c) => c.auth)).toEqual([undefined, BASIC]);
    await roundTrip(ws);
  });

  it('the proxyAuth option supplies credentials too', async () => {
    const proxy = await startProxy(true);
    const { port } = await echo();
    const ws = await connect(`ws://127.0.0.1:${port}/`, {
      proxy: proxy.url,
      proxyAuth: 'user:s3cret',
    });
    await roundTrip(ws);
  });

  it('wrong credentials: the second 407 fails with CLIENT_PROXY_AUTH_FAILED', async () => {
    const proxy = await startProxy(true);
    const { port } = await echo();
    await expect(
      connect(`ws://127.0.0.1:${port}/`, { proxy: `http://user:wrong@127.0.0.1:${proxy.port}` }),
    ).rejects.toMatchObject({ name: 'ClientError', code: 'CLIENT_PROXY_AUTH_FAILED', step: 33 });
    expect(proxy.connects).toHaveLength(2);
    expect(proxy.connects[1]!.auth).toBe(`Basic ${Buffer.from('user:wrong').toString('base64')}`);
  });

  it('no credentials: a 407 fails with CLIENT_PROXY_AUTH_REQUIRED', async () => {
    const proxy = await startProxy(true);
    const { port } = await echo();
    await expect(connect(`ws://127.0.0.1:${port}/`, { proxy: proxy.url })).rejects.toMatchObject({
      code: 'CLIENT_PROXY_AUTH_REQUIRED',
    });
    expect(proxy.connects).toHaveLength(1);
  });

  it('a proxy that cannot reach the target fails with CLIENT_PROXY_FAILED', async () => {
    const proxy = await startProxy();
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expect(
      connect(`ws://127.0.0.1:${closedPort}/`, { proxy: proxy.url }),
    ).rejects.toMatchObject({ code: 'CLIENT_PROXY_FAILED', step: 3 });
  });

  it('a proxy that answers garbage fails with CLIENT_PROXY_FAILED', async () => {
    const bogus = createServer((s) => {
      s.resume(); // read (and drop) the CONNECT request so the close is seen
      s.end('SSH-2.0-OpenSSH\r\n\r\n');
    });
    bogus.listen(0, '127.0.0.1');
    await once(bogus, 'listening');
    cleanups.push(() => new Promise((r) => bogus.close(r)));
    const port = (bogus.address() as AddressInfo).port;
    await expect(
      connect('ws://127.0.0.1:1/', { proxy: `http://127.0.0.1:${port}` }),
    ).rejects.toMatchObject({ code: 'CLIENT_PROXY_FAILED' });
  });

  it('an unreachable proxy fails with CLIENT_CONNECT_FAILED', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const error = await connect('ws://127.0.0.1:1/', {
      proxy: `http://127.0.0.1:${closedPort}`,
    }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'CLIENT_CONNECT_FAILED', step: 3 });
    expect(String(error)).toContain('proxy');
  });

  it('reads HTTP_PROXY from the environment and honours NO_PROXY', async () => {
    const proxy = await startProxy();
    const { port } = await echo();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    cleanups.push(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    const via = await connect(`ws://127.0.0.1:${port}/`);
    expect(proxy.connects).toHaveLength(1);
    await roundTrip(via);
    process.env.NO_PROXY = 'example.com, 127.0.0.1';
    const direct = await connect(`ws://127.0.0.1:${port}/`);
    expect(proxy.connects).toHaveLength(1);
    await roundTrip(direct);
    // proxy: false wins over the environment.
    delete process.env.NO_PROXY;
    const forced = await connect(`ws://127.0.0.1:${port}/`, { proxy: false });
    expect(proxy.connects).toHaveLength(1);
    await roundTrip(forced);
  });
});

describe('407 in the handshake response itself (5.1 step 33)', () => {
  /**
   * A gatekeeper in front of the echo server: the first request gets a 407; a request carrying
   * the right Proxy-Authorization is passed on byte for byte to the real server.
   */
  async function gatekeeper(alwaysRefuse = false) {
    const { port: echoPort } = await echo();
    const server = await startRawServer((socket, req) => {
      if (alwaysRefuse || req.fields.get('proxy-authorization')?.[0] !== BASIC) {
        socket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="gate"\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      const upstream = netConnect(echoPort, '127.0.0.1', () => {
        upstream.write(Buffer.concat([Buffer.from(`${req.head}\r\n\r\n`, 'latin1'), req.key3]));
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
    });
    cleanups.push(server.close);
    return server;
  }

  it('closes, goes back to step 2 and retries once with Proxy-Authorization', async () => {
    const gate = await gatekeeper();
    const queue = new ConnectQueue();
    const acquired: string[] = [];
    queue.on('acquire', (key) => acquired.push(key));
    const ws = await connect(`ws://127.0.0.1:${gate.port}/`, {
      proxy: false,
      proxyAuth: 'user:s3cret',
      connectQueue: queue,
    });
    expect(gate.requests.map((r) => r.fields.get('proxy-authorization')?.[0])).toEqual([
      undefined,
      BASIC,
    ]);
    // Each try went through step 2's queue again.
    expect(acquired).toEqual(['127.0.0.1', '127.0.0.1']);
    await roundTrip(ws);
  });

  it('a second 407 after the credentials fails with CLIENT_PROXY_AUTH_FAILED', async () => {
    const gate = await gatekeeper(true);
    await expect(
      connect(`ws://127.0.0.1:${gate.port}/`, { proxy: false, proxyAuth: 'user:s3cret' }),
    ).rejects.toMatchObject({ code: 'CLIENT_PROXY_AUTH_FAILED', step: 33 });
    expect(gate.requests).toHaveLength(2);
  });
});
