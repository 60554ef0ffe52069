import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { oneTurn, WAIT_MS } from '../../../scripts/test-utils/wait.js';
import type { WebSocketServer } from '../src/index.js';
import {
  buildRequest,
  frame,
  OP,
  openWebSocket,
  RawClient,
  type RequestOptions,
  readFrame,
} from './raw-client.js';
import { startEcho } from './server-fixture.js';

let wss: WebSocketServer;
let port: number;
const refused: string[] = [];

/**
 * The handshake timeout: WAIT_MS, which no handshake of these tests can run out on a busy
 * machine (a short real timeout could cut off the good clients' handshakes). The timeout tests
 * fake the clock the server takes its timer from and move it themselves.
 */
const HANDSHAKE_TIMEOUT = WAIT_MS;

beforeAll(async () => {
  ({ wss, port } = await startEcho({
    protocols: ['chat'],
    allowedOrigins: ['http://example.com'],
    path: '/ws',
    handshakeTimeout: HANDSHAKE_TIMEOUT,
    maxHeadBytes: 2048,
  }));
  wss.on('refused', (error: { code: string }) => refused.push(error.code));
});
afterAll(async () => {
  await wss.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Fakes setTimeout/clearTimeout (sockets, immediates and the RawClient's event-woken waits stay
 * real): a handshake timer the server arms from now on fires only when the test advances it.
 */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

/** Real turns of the event loop until the fake clock holds a timer: the server armed it. */
async function handshakeTimerArmed(): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (vi.getTimerCount() === 0) {
    if (Date.now() > deadline) throw new Error(`not within ${WAIT_MS} ms: a handshake timer`);
    await oneTurn();
  }
}

/** Sends a request, returns the HTTP status (or 0 when the socket was just closed) and body. */
async function attempt(o: RequestOptions, raw?: Buffer): Promise<{ status: number; body: string }> {
  const client = await RawClient.open(port);
  if (raw) client.write(raw);
  else {
    const { head, key3 } = buildRequest({ path: '/ws', ...o });
    client.write(Buffer.concat([head, key3]));
  }
  await client.waitClosed();
  const text = client.inbox.toString('latin1');
  if (text === '') return { status: 0, body: '' };
  return { status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

/** After every refusal, a good client still gets served. */
async function stillServing(): Promise<void> {
  const client = await openWebSocket(port, { path: '/ws' });
  client.write(frame(OP.TEXT, 'alive'));
  expect((await readFrame(client)).payload.toString()).toBe('alive');
  client.socket.destroy();
}

describe('5.2.1 aborts and section 8 refusals: a plain HTTP response, a closed socket, a server still serving', () => {
  const cases: [string, RequestOptions, number, string][] = [
    ['method other than GET', { method: 'POST' }, 405, 'HANDSHAKE_BAD_METHOD'],
    ['HTTP/1.0', { version: 'HTTP/1.0' }, 505, 'HANDSHAKE_BAD_HTTP_VERSION'],
    ['missing Sec-WebSocket-Key1', { key1: null }, 400, 'HANDSHAKE_MISSING_KEY'],
    ['missing Sec-WebSocket-Key2', { key2: null }, 400, 'HANDSHAKE_MISSING_KEY'],
    ['key without spaces (5.2.2 step 5)', { key1: '12345' }, 400, 'HANDSHAKE_KEY_NO_SPACES'],
    ['key number over 4,294,967,295', { key1: '4294967296 0' }, 400, 'HANDSHAKE_KEY_TOO_LARGE'],
    [
      'key number not a multiple of its spaces',
      { key1: '1 1 1' },
      400,
      'HANDSHAKE_KEY_NOT_MULTIPLE',
    ],
    ['Sec-WebSocket-Draft: 3', { draft: '3' }, 400, 'HANDSHAKE_UNSUPPORTED_DRAFT'],
    ['no Sec-WebSocket-Draft (hixie-76 client)', { draft: null }, 400, 'HANDSHAKE_MISSING_DRAFT'],
    ['origin not allowed (8)', { origin: 'http://evil.example' }, 403, 'SERVER_ORIGIN_REFUSED'],
    [
      'no Origin field (5.2.1: a draft-02 client always sends one)',
      { origin: null },
      400,
      'HANDSHAKE_MISSING_ORIGIN',
    ],
    [
      'unsupported subprotocol (5.2.1)',
      { protocol: 'mqtt' },
      400,
      'HANDSHAKE_UNSUPPORTED_PROTOCOL',
    ],
    ['wrong path', { path: '/other' }, 404, 'SERVER_PATH_MISMATCH'],
    ['oversize head', { extra: [`X-Big: ${'a'.repeat(4000)}`] }, 431, 'HANDSHAKE_HEAD_TOO_LARGE'],
  ];
  for (const [name, options, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const before = refused.length;
      const result = await attempt(options);
      expect(result.status).toBe(status);
      expect(refused.slice(before)).toContain(code);
      expect(result.body).not.toContain('example.com'); // nothing reflected back
      await stillServing();
    });
  }

  it('a plain HTTP request (no Upgrade) gets 426', async () => {
    const result = await attempt({}, Buffer.from('GET /ws HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(result.status).toBe(426);
    await stillServing();
  });

  it('a slowloris handshake is freed by the handshake timeout, without an answer', async () => {
    fakeClock();
    const before = refused.length;
    const client = await RawClient.open(port);
    client.write('GET /ws HTTP/1.1\r\nHost: x\r\n');
    await handshakeTimerArmed();
    // Not a moment before the timeout...
    vi.advanceTimersByTime(HANDSHAKE_TIMEOUT - 1);
    expect(refused.slice(before)).toEqual([]);
    // ...and at it: freed (the refusal is reported synchronously, the socket destroyed).
    vi.advanceTimersByTime(1);
    expect(refused.slice(before)).toEqual(['SERVER_HANDSHAKE_TIMEOUT']);
    await client.waitClosed();
    expect(client.inbox.length).toBe(0);
    await stillServing();
  });

  it('a head whose key_3 never comes is freed by the handshake timeout', async () => {
    fakeClock();
    const before = refused.length;
    const client = await RawClient.open(port);
    client.write(buildRequest({ path: '/ws' }).head);
    await handshakeTimerArmed();
    vi.advanceTimersByTime(HANDSHAKE_TIMEOUT - 1);
    expect(refused.slice(before)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(refused.slice(before)).toEqual(['SERVER_HANDSHAKE_TIMEOUT']);
    await client.waitClosed();
    expect(client.inbox.length).toBe(0);
    await stillServing();
  });

  it('the counters record each refusal by code', () => {
    expect(wss.counters.handshakesRefused).toBeGreaterThanOrEqual(cases.length);
    expect(wss.counters.errors.SERVER_ORIGIN_REFUSED).toBe(1);
    expect(wss.counters.errors.HANDSHAKE_MISSING_KEY).toBe(2);
  });
});
