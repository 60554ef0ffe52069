// Cookies, draft-02 5.1 steps 17–18 (sent), 44 (collected), 49–51 (applied only once
// established, or handed to the caller with the defer cookies flag). Jar: tough-cookie.
import { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, cookieUrl } from '../src/index.js';
import { closed, goodHead, startEcho, startRawServer } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An echo server that sets `setCookies` on every handshake and records each Cookie field. */
async function cookieServer(setCookies: string[]) {
  const seen: (string | undefined)[] = [];
  const started = await startEcho({
    verifyClient: ({ req }) => {
      seen.push(req.headers.cookie);
      return { accept: true, setCookies };
    },
  });
  cleanups.push(() => started.wss.close());
  return { ...started, seen };
}

describe('cookies (5.1 steps 17–18, 44, 49–51)', () => {
  it('round trip: Set-Cookie applied once established, sent on the next connection (HttpOnly too)', async () => {
    const { port, seen } = await cookieServer(['session=abc123; HttpOnly; Path=/', 'theme=dark']);
    const jar = new CookieJar();
    const first = await connect(`ws://127.0.0.1:${port}/app`, { cookieJar: jar });
    // Step 49 comes before step 50: the jar is up to date when `open` has fired.
    expect(await jar.getCookieString(`http://127.0.0.1:${port}/app`)).toBe(
      'session=abc123; theme=dark',
    );
    first.close();
    await closed(first);
    const second = await connect(`ws://127.0.0.1:${port}/app`, { cookieJar: jar });
    expect(seen).toEqual([undefined, 'session=abc123; theme=dark']);
    second.close();
    await closed(second);
  });

  it('sends only the cookies relevant to the resource (path, scheme http for ws)', async () => {
    const { port, seen } = await cookieServer([]);
    const jar = new CookieJar();
    // A non-loopback name (resolved to 127.0.0.1): the jar treats loopback as a secure context.
    const lookup = async () => ({ address: '127.0.0.1', family: 4 });
    const base = `http://chat.test:${port}`;
    jar.setCookieSync('everywhere=1; Path=/', `${base}/`);
    jar.setCookieSync('chat=2; Path=/chat', `${base}/chat`);
    jar.setCookieSync('tls=3; Secure; Path=/', `https://chat.test:${port}/`);
    jar.setCookieSync('elsewhere=4; Path=/', `http://other.test:${port}/`);
    for (const path of ['/chat/room', '/other']) {
      const ws = await connect(`ws://chat.test:${port}${path}`, {
        cookieJar: jar,
        lookup,
        proxy: false,
      });
      ws.close();
      await closed(ws);
    }
    const secure = jar.getCookieStringSync(`https://chat.test:${port}/chat`);
    expect(secure).toContain('tls=3');
    expect(seen).toEqual(['chat=2; everywhere=1', 'everywhere=1']);
  });

  it('each WebSocket has its own jar by default; cookieJar: false sends and keeps none', async () => {
    const { port, seen } = await cookieServer(['k=v']);
    const a = await connect(`ws://127.0.0.1:${port}/`);
    expect(
      await a.cookieJar!.getCookieString(
        cookieUrl({ host: '127.0.0.1', port, resourceName: '/', secure: false }),
      ),
    ).toBe('k=v');
    a.close();
    await closed(a);
    const b = await connect(`ws://127.0.0.1:${port}/`, { cookieJar: false });
    expect(b.cookieJar).toBeUndefined();
    expect(b.cookies).toEqual([]);
    b.close();
    await closed(b);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('deferCookies: the list is handed over in ws.cookies and the jar is left alone (step 51)', async () => {
    const { port, seen } = await cookieServer(['session=xyz; Path=/', 'other=1']);
    const jar = new CookieJar();
    const ws = await connect(`ws://127.0.0.1:${port}/`, { cookieJar: jar, deferCookies: true });
    expect(ws.cookies).toEqual([
      { name: 'set-cookie', value: 'session=xyz; Path=/' },
      { name: 'set-cookie', value: 'other=1' },
    ]);
    expect(await jar.getCookieString(`http://127.0.0.1:${port}/`)).toBe('');
    ws.close();
    await closed(ws);
    const again = await connect(`ws://127.0.0.1:${port}/`, { cookieJar: jar, deferCookies: true });
    again.close();
    await closed(again);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('cookies of a handshake that fails are discarded (step 44: applied only once established)', async () => {
    const server = await startRawServer((socket, req) => {
      socket.end(
        Buffer.concat([
          Buffer.from(goodHead(req, ['Set-Cookie: stolen=1'])),
          Buffer.alloc(16, 0x30), // wrong reply: step 48 fails
        ]),
      );
    });
    cleanups.push(server.close);
    const jar = new CookieJar();
    await expect(
      connect(`ws://127.0.0.1:${server.port}/`, { cookieJar: jar }),
    ).rejects.toMatchObject({ code: 'HANDSHAKE_CHALLENGE_MISMATCH' });
    expect(await jar.getCookieString(`http://127.0.0.1:${server.port}/`)).toBe('');
  });

  it('Set-Cookie2 (unsupported RFC 2965) is ignored by the jar but listed when deferred', async () => {
    const server = await startRawServer((socket, req) => {
      socket.write(
        Buffer.concat([
          Buffer.from(goodHead(req, ['Set-Cookie2: old=1; Version=1', 'Set-Cookie: new=2'])),
          req.answer,
        ]),
      );
    });
    cleanups.push(server.close);
    const jar = new CookieJar();
    const ws = await connect(`ws://127.0.0.1:${server.port}/`, { cookieJar: jar });
    expect(await jar.getCookieString(`http://127.0.0.1:${server.port}/`)).toBe('new=2');
    ws.terminate();
    await closed(ws);
    const deferred = await connect(`ws://127.0.0.1:${server.port}/`, { deferCookies: true });
    expect(deferred.cookies.map((c) => c.name)).toEqual(['set-cookie2', 'set-cookie']);
    deferred.terminate();
    await closed(deferred);
  });
});
