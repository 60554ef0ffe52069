// Draft-02 5.1 steps 31–48 from the client's side: a raw `net` server (no @ws02 code) answers
// each wrong way, and the client fails with the core's HandshakeError for that step — or, for
// the right answers, opens without losing a byte.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectQueue, connect, type HandshakeError, WebSocket } from '../src/index.js';
import {
  closed,
  failure,
  frame,
  goodHead,
  nextEvent,
  OP,
  oneTurn,
  type RawRequest,
  startRawServer,
  until,
  waitFor,
} from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function raw(onRequest: (socket: Socket, req: RawRequest, index: number) => void) {
  const server = await startRawServer(onRequest);
  cleanups.push(server.close);
  return server;
}

/** Standard head lines with `edit` applied (to drop, replace or add fields). */
function head(req: RawRequest, edit: (lines: string[]) => string[]): string {
  const lines = goodHead(req).split('\r\n').slice(0, -2);
  return `${edit(lines).join('\r\n')}\r\n\r\n`;
}

const without = (name: string) => (lines: string[]) =>
  lines.filter((l) => !l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
const replace = (name: string, line: string) => (lines: string[]) =>
  lines.map((l) => (l.toLowerCase().startsWith(`${name.toLowerCase()}:`) ? line : l));
const add =
  (...extra: string[]) =>
  (lines: string[]) => [...lines, ...extra];

interface Case {
  readonly name: string;
  readonly code: string;
  readonly step?: number;
  readonly respond: (req: RawRequest) => Buffer | string;
  readonly protocols?: string[];
}

const cases: Case[] = [
  {
    name: 'status line without its second space',
    code: 'HANDSHAKE_BAD_STATUS_LINE',
    step: 31,
    respond: () => 'HTTP/1.1 101\r\n\r\n',
  },
  {
    name: 'status line ending in LF only',
    code: 'HANDSHAKE_BAD_STATUS_LINE',
    step: 31,
    respond: () => 'HTTP/1.1 101 WebSocket Protocol Handshake\n',
  },
  {
    name: 'status line with a stray CR',
    code: 'HANDSHAKE_BAD_STATUS_LINE',
    step: 31,
    respond: () => 'HTTP/1.1 101 Web\rSocket\r\n',
  },
  {
    name: 'status line shorter than seven bytes',
    code: 'HANDSHAKE_BAD_STATUS_LINE',
    step: 31,
    respond: () => 'H 1 \r\n',
  },
  {
    name: 'status 200 instead of 101',
    code: 'HANDSHAKE_UNEXPECTED_STATUS',
    step: 33,
    respond: () => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
  },
  {
    name: 'status 403 (a refusing server)',
    code: 'HANDSHAKE_UNEXPECTED_STATUS',
    step: 33,
    respond: () => 'HTTP/1.1 403 Forbidden\r\n\r\n',
  },
  {
    name: 'a CR inside a field name',
    code: 'HANDSHAKE_BAD_FIELD_NAME',
    step: 36,
    respond: (req) => head(req, add('X-Odd\rName: 1')),
  },
  {
    name: 'an LF inside a field name',
    code: 'HANDSHAKE_BAD_FIELD_NAME',
    step: 36,
    respond: (req) => head(req, add('X-Odd\nName: 1')),
  },
  {
    name: 'an LF inside a field value',
    code: 'HANDSHAKE_BAD_FIELD_VALUE',
    step: 38,
    respond: (req) => head(req, add('X-Odd: a\nb')),
  },
  {
    name: 'a field value CR not followed by LF',
    code: 'HANDSHAKE_BAD_LINE_ENDING',
    step: 39,
    respond: (req) => head(req, add('X-Odd: a\rb')),
  },
  {
    name: 'the blank line CR not followed by LF',
    code: 'HANDSHAKE_BAD_LINE_ENDING',
    step: 42,
    respond: (req) => `${goodHead(req).slice(0, -2)}\rX`,
  },
  {
    name: 'a field with an empty name',
    code: 'HANDSHAKE_EMPTY_FIELD_NAME',
    step: 44,
    respond: (req) => head(req, add(': nameless')),
  },
  {
    name: 'no Upgrade field',
    code: 'HANDSHAKE_MISSING_UPGRADE',
    step: 44,
    respond: (req) => head(req, without('upgrade')),
  },
  {
    name: 'two Upgrade fields',
    code: 'HANDSHAKE_DUPLICATE_FIELD',
    step: 44,
    respond: (req) => head(req, add('Upgrade: WebSocket')),
  },
  {
    name: 'Upgrade other than WebSocket',
    code: 'HANDSHAKE_BAD_UPGRADE',
    step: 44,
    respond: (req) => head(req, replace('upgrade', 'Upgrade: h2c')),
  },
  {
    name: 'no Connection field',
    code: 'HANDSHAKE_MISSING_CONNECTION',
    step: 44,
    respond: (req) => head(req, without('connection')),
  },
  {
    name: 'Connection other than Upgrade',
    code: 'HANDSHAKE_BAD_CONNECTION',
    step: 44,
    respond: (req) => head(req, replace('connection', 'Connection: keep-alive')),
  },
  {
    name: 'no Sec-WebSocket-Origin',
    code: 'HANDSHAKE_MISSING_ORIGIN',
    step: 44,
    respond: (req) => head(req, without('sec-websocket-origin')),
  },
  {
    name: 'Sec-WebSocket-Origin not the origin sent',
    code: 'HANDSHAKE_ORIGIN_MISMATCH',
    step: 44,
    respond: (req) =>
      head(req, replace('sec-websocket-origin', 'Sec-WebSocket-Origin: http://evil.example')),
  },
  {
    name: 'Sec-WebSocket-Origin differing only in case',
    code: 'HANDSHAKE_ORIGIN_MISMATCH',
    step: 44,
    respond: (req) =>
      head(
        req,
        replace(
          'sec-websocket-origin',
          `Sec-WebSocket-Origin: ${req.fields.get('origin')![0]!.toUpperCase()}`,
        ),
      ),
  },
  {
    name: 'no Sec-WebSocket-Location',
    code: 'HANDSHAKE_MISSING_LOCATION',
    step: 44,
    respond: (req) => head(req, without('sec-websocket-location')),
  },
  {
    name: 'Sec-WebSocket-Location for another resource',
    code: 'HANDSHAKE_LOCATION_MISMATCH',
    step: 44,
    respond: (req) =>
      head(
        req,
        replace(
          'sec-websocket-location',
          `Sec-WebSocket-Location: ws://${req.fields.get('host')![0]}/other`,
        ),
      ),
  },
  {
    name: 'Sec-WebSocket-Location with the wrong scheme',
    code: 'HANDSHAKE_LOCATION_MISMATCH',
    step: 44,
    respond: (req) =>
      head(
        req,
        replace(
          'sec-websocket-location',
          `Sec-WebSocket-Location: wss://${req.fields.get('host')![0]}/`,
        ),
      ),
  },
  {
    name: 'protocols offered but no Sec-WebSocket-Protocol',
    code: 'HANDSHAKE_MISSING_PROTOCOL',
    step: 44,
    protocols: ['chat'],
    respond: (req) => head(req, (l) => l),
  },
  {
    name: 'a Sec-WebSocket-Protocol that was not offered',
    code: 'HANDSHAKE_PROTOCOL_MISMATCH',
    step: 44,
    protocols: ['chat'],
    respond: (req) => head(req, add('Sec-WebSocket-Protocol: superchat')),
  },
  {
    name: 'a wrong 16-byte reply',
    code: 'HANDSHAKE_CHALLENGE_MISMATCH',
    step: 48,
    respond: (req) => Buffer.concat([Buffer.from(goodHead(req)), Buffer.alloc(16, 0x41)]),
  },
  {
    name: 'the reply cut after 8 bytes, then the connection closed',
    code: 'HANDSHAKE_UNEXPECTED_EOF',
    step: 47,
    respond: (req) => Buffer.concat([Buffer.from(goodHead(req)), req.answer.subarray(0, 8)]),
  },
  {
    name: 'the connection closed inside the fields',
    code: 'HANDSHAKE_UNEXPECTED_EOF',
    respond: () => 'HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: Web',
  },
];

describe('5.1 steps 31–48: every wrong answer fails with its step', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.code}${c.step === undefined ? '' : ` (step ${c.step})`}`, async () => {
      const server = await raw((socket, req) => {
        socket.end(c.respond(req));
      });
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, c.protocols ?? [], {
        connectQueue: new ConnectQueue(),
      });
      const error = (await failure(ws)) as HandshakeError;
      expect(error.name).toBe('HandshakeError');
      expect(error.code).toBe(c.code);
      if (c.step !== undefined) expect(error.step).toBe(c.step);
      expect(error.section).toBe('5.1');
      expect(ws.readyState).toBe(WebSocket.CLOSED);
    });
  }

  it('a response head beyond maxHeadBytes fails with HANDSHAKE_HEAD_TOO_LARGE', async () => {
    const server = await raw((socket, req) => {
      socket.write(head(req, add(`X-Big: ${'x'.repeat(4000)}`)));
    });
    const error = await connect(`ws://127.0.0.1:${server.port}/`, { maxHeadBytes: 1024 }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ name: 'HandshakeError', code: 'HANDSHAKE_HEAD_TOO_LARGE' });
  });

  it('a 407 in the handshake response with no credentials fails with CLIENT_PROXY_AUTH_REQUIRED (step 33)', async () => {
    const server = await raw((socket) => {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\n\r\n',
      );
    });
    await expect(connect(`ws://127.0.0.1:${server.port}/`, { proxy: false })).rejects.toMatchObject(
      {
        name: 'ClientError',
        code: 'CLIENT_PROXY_AUTH_REQUIRED',
        step: 33,
      },
    );
  });

  it('a server that never answers fails with CLIENT_HANDSHAKE_TIMEOUT (step 31)', async () => {
    let requested!: () => void;
    const request = new Promise<void>((resolve) => {
      requested = resolve;
    });
    const server = await raw(() => requested()); // the request arrives; no answer, ever
    // The client's timers are fake: the timeout fires when the test moves the clock, exactly
    // then, and never because the machine was slow to deliver the request.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pending = connect(`ws://127.0.0.1:${server.port}/`, { handshakeTimeout: 200 });
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await request;
    vi.advanceTimersByTime(199);
    await oneTurn();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(pending).rejects.toMatchObject({
      name: 'ClientError',
      code: 'CLIENT_HANDSHAKE_TIMEOUT',
      step: 31,
    });
    vi.useRealTimers();
    await until(
      () => server.sockets[0]!.destroyed || server.sockets[0]!.readableEnded,
      'the timed-out connection closed',
    );
  });

  it('a connection reset during the handshake fails with CLIENT_SOCKET_ERROR', async () => {
    const server = await raw((socket) => {
      socket.resetAndDestroy();
    });
    await expect(connect(`ws://127.0.0.1:${server.port}/`)).rejects.toMatchObject({
      name: 'ClientError',
      code: 'CLIENT_SOCKET_ERROR',
    });
  });
});

describe('5.1 steps 27–30: the request', () => {
  it('is one write — head then key_3 — with every field, and no frame before the answer', async () => {
    const chunks: Buffer[] = [];
    const server = await raw((socket, req) => {
      socket.write(
        Buffer.concat([Buffer.from(goodHead(req, ['Sec-WebSocket-Protocol: chat'])), req.answer]),
      );
    });
    server.server.on('connection', (s) => s.on('data', (c) => chunks.push(c)));
    const ws = await connect(`ws://127.0.0.1:${server.port}/chat?room=1`, {
      protocols: ['chat', 'v2'],
      origin: 'http://example.com',
    });
    const req = server.requests[0]!;
    // One write: the first chunk already held the whole request (em-websocket refuses a key_3
    // that arrives in a segment of its own).
    expect(chunks[0]!.length).toBe(req.head.length + 4 + 8);
    expect(req.requestLine).toBe('GET /chat?room=1 HTTP/1.1');
    expect(req.fields.get('upgrade')).toEqual(['WebSocket']);
    expect(req.fields.get('connection')).toEqual(['Upgrade']);
    expect(req.fields.get('host')).toEqual([`127.0.0.1:${server.port}`]);
    expect(req.fields.get('origin')).toEqual(['http://example.com']);
    expect(req.fields.get('sec-websocket-draft')).toEqual(['2']);
    expect(req.fields.get('sec-websocket-protocol')).toEqual(['chat v2']);
    for (const name of ['sec-websocket-key1', 'sec-websocket-key2']) {
      const key = req.fields.get(name)![0]!;
      expect(key).toMatch(/^[^ ].*[^ ]$/); // steps 24–25: spaces never first or last
      expect(key).toMatch(/ /);
    }
    expect(req.key3.length).toBe(8);
    expect(ws.protocol).toBe('chat');
    ws.terminate();
    await closed(ws);
  });

  it('sends the fields in a random order (step 27)', async () => {
    const orders = new Set<string>();
    const server = await raw((socket, req) => {
      orders.add([...req.fields.keys()].join(','));
      socket.destroy();
    });
    const queue = new ConnectQueue();
    for (let i = 0; i < 12 && orders.size < 2; i++) {
      await connect(`ws://127.0.0.1:${server.port}/`, { connectQueue: queue }).catch(() => {});
    }
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('5.1 steps 31–48: answers that must be accepted', () => {
  it('frames in the same chunk as the 16-byte reply are delivered, none lost', async () => {
    const server = await raw((socket, req) => {
      socket.write(
        Buffer.concat([
          Buffer.from(goodHead(req)),
          req.answer,
          frame(OP.TEXT, 'early'),
          frame(OP.BINARY, Buffer.from([1, 2])),
          frame(OP.TEXT, 'fr', true),
          frame(OP.CONT, 'ag'),
        ]),
      );
    });
    const ws = await connect(`ws://127.0.0.1:${server.port}/`);
    const got: unknown[] = [];
    ws.on('message', (data, isBinary) =>
      got.push([isBinary, isBinary ? [...(data as Buffer)] : data]),
    );
    await waitFor(() => got.length === 3);
    expect(got).toEqual([
      [false, 'early'],
      [true, [1, 2]],
      [false, 'frag'],
    ]);
    ws.terminate();
    await closed(ws);
  });

  it('an answer split into 1-byte chunks, case-insensitive values, unknown fields, no space after the colon', async () => {
    const server = await raw(async (socket, req) => {
      const bytes = Buffer.concat([
        Buffer.from(
          [
            'HTTP/1.1 101 Switching',
            'X-Powered-By: test',
            'UPGRADE:websocket',
            'connection: UPGRADE',
            `sec-websocket-origin: ${req.fields.get('origin')![0]}`,
            `SEC-WEBSOCKET-LOCATION: ws://${req.fields.get('host')![0]}/`,
            '',
            '',
          ].join('\r\n'),
        ),
        req.answer,
        frame(OP.TEXT, 'ok'),
      ]);
      for (const byte of bytes) {
        if (socket.destroyed) return;
        socket.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    const [data] = await nextEvent<[string]>(ws, 'message');
    expect(data).toBe('ok');
    ws.terminate();
    await closed(ws);
  });

  it('invalid UTF-8 in a Text message becomes U+FFFD (6.1), also split across fragments', async () => {
    const server = await raw((socket, req) => {
      socket.write(
        Buffer.concat([
          Buffer.from(goodHead(req)),
          req.answer,
          frame(OP.TEXT, Buffer.from([0x48, 0xff, 0x49])),
          frame(OP.TEXT, Buffer.from([0x61, 0xe2, 0x82]), true), // "a" + first 2 bytes of €
          frame(OP.CONT, Buffer.from([0xac, 0xc3])), // last byte of €, then a truncated sequence
        ]),
      );
    });
    const ws = await connect(`ws://127.0.0.1:${server.port}/`);
    const got: string[] = [];
    ws.on('message', (d) => got.push(d as string));
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['H\uFFFDI', 'a€\uFFFD']);
    ws.terminate();
    await closed(ws);
  });
});

describe('section 7 from the client side', () => {
  it('closes TCP itself when the server answers Close but never closes the connection', async () => {
    const server = await raw((socket, req) => {
      socket.write(Buffer.concat([Buffer.from(goodHead(req)), req.answer]));
      socket.on('data', (chunk) => {
        // Echo the Close (opcode 1) and keep the TCP connection open.
        if ((chunk[0]! & 0x0f) === OP.CLOSE) socket.write(frame(OP.CLOSE, chunk.subarray(2)));
      });
    });
    let closeRead!: () => void;
    const serverClose = new Promise<void>((resolve) => {
      closeRead = resolve;
    });
    const ws = await connect(`ws://127.0.0.1:${server.port}/`, {
      closeTimeout: 300,
      // The only frame the server sends is its Close.
      tap: (direction, bytes) => {
        if (direction === 'in' && (bytes[0]! & 0x0f) === OP.CLOSE) closeRead();
      },
    });
    // The close timer is fake: it fires when the test moves the clock, after the server's Close
    // has been read, however slowly that happened.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const done = closed(ws);
    ws.close('done');
    await serverClose;
    await oneTurn();
    expect(ws.readyState).toBe(WebSocket.CLOSING); // waiting for the server to close TCP
    vi.advanceTimersByTime(299);
    await oneTurn();
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    vi.advanceTimersByTime(1);
    const [body, wasClean] = await done;
    vi.useRealTimers();
    expect(String(body)).toBe('done');
    expect(wasClean).toBe(false);
    expect(ws.closeError).toMatchObject({ code: 'SOCKET_CLOSE_TIMEOUT' });
    await waitFor(() => server.sockets[0]!.readableEnded || server.sockets[0]!.destroyed);
  });

  it('a server that drops TCP without a Close frame ends the connection uncleanly', async () => {
    const server = await raw((socket, req) => {
      socket.write(Buffer.concat([Buffer.from(goodHead(req)), req.answer]), () => socket.destroy());
    });
    const ws = await connect(`ws://127.0.0.1:${server.port}/`);
    const [, wasClean] = await closed(ws);
    expect(wasClean).toBe(false);
  });

  it('a protocol violation from the server fails the connection with its FrameError', async () => {
    const server = await raw((socket, req) => {
      // RSV1 set with no extension (4.2).
      socket.write(
        Buffer.concat([Buffer.from(goodHead(req)), req.answer, Buffer.from([0x44, 0x00])]),
      );
    });
    const ws = await connect(`ws://127.0.0.1:${server.port}/`);
    const error = await failure(ws);
    expect(error).toMatchObject({ name: 'FrameError', code: 'FRAME_RSV_SET' });
  });
});
