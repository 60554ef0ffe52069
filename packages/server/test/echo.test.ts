import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocketServer } from '../src/index.js';
import {
  buildRequest,
  CLASSIC,
  frame,
  OP,
  openWebSocket,
  RawClient,
  readFrame,
} from './raw-client.js';
import { nextConnection, startEcho } from './server-fixture.js';

let wss: WebSocketServer;
let port: number;

beforeAll(async () => {
  ({ wss, port } = await startEcho({ protocols: ['chat'] }));
});
afterAll(async () => {
  await wss.close();
});

describe('5.2.2 the server handshake, byte-exact', () => {
  it('answers the classic request with the 101 head of steps 10–13 and the 16-byte answer', async () => {
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest({
      path: '/demo?x=1',
      host: 'Example.COM',
      origin: 'http://example.com',
    });
    client.write(Buffer.concat([head, key3]));
    const res = await client.readHead();
    expect(res.statusLine).toBe('HTTP/1.1 101 WebSocket Protocol Handshake');
    expect(res.headers.get('upgrade')).toEqual(['WebSocket']);
    expect(res.headers.get('connection')).toEqual(['Upgrade']);
    // Location: ws, lowercase host, default port omitted, the resource name as requested.
    expect(res.headers.get('sec-websocket-location')).toEqual(['ws://example.com/demo?x=1']);
    expect(res.headers.get('sec-websocket-origin')).toEqual(['http://example.com']);
    // No protocol offered: no Sec-WebSocket-Protocol field.
    expect(res.headers.has('sec-websocket-protocol')).toBe(false);
    expect(await client.take(16)).toEqual(CLASSIC.response);
    client.socket.destroy();
  });

  it('selects an offered subprotocol and echoes it (5.2.2)', async () => {
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest({ protocol: 'other chat' });
    client.write(Buffer.concat([head, key3]));
    const res = await client.readHead();
    expect(res.status).toBe(101);
    expect(res.headers.get('sec-websocket-protocol')).toEqual(['chat']);
    client.socket.destroy();
  });

  it('accepts key_3 arriving in a later TCP segment than the head (5.2.1)', async () => {
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest();
    client.write(head);
    await new Promise((r) => setTimeout(r, 50));
    client.write(key3.subarray(0, 3));
    await new Promise((r) => setTimeout(r, 20));
    client.write(key3.subarray(3));
    const res = await client.readHead();
    expect(res.status).toBe(101);
    expect(await client.take(16)).toEqual(CLASSIC.response);
    client.socket.destroy();
  });

  it('does not lose frames pipelined right behind key_3 in the same segment', async () => {
    const client = await RawClient.open(port);
    const { head, key3 } = buildRequest();
    client.write(
      Buffer.concat([head, key3, frame(OP.TEXT, 'early'), frame(OP.BINARY, Buffer.from([1, 2]))]),
    );
    expect((await client.readHead()).status).toBe(101);
    await client.take(16);
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.TEXT,
      payload: Buffer.from('early'),
    });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.BINARY,
      payload: Buffer.from([1, 2]),
    });
    client.socket.destroy();
  });
});

describe('4.2 echo across all length encodings', () => {
  for (const size of [0, 1, 125, 126, 65535, 65536, 300_000]) {
    it(`text and binary of ${size} bytes come back byte-exact`, async () => {
      const client = await openWebSocket(port);
      const text = 'é'.repeat(Math.floor(size / 2)) + 'a'.repeat(size % 2);
      client.write(frame(OP.TEXT, text));
      const t = await readFrame(client);
      expect(t.opcode).toBe(OP.TEXT);
      expect(t.payload.toString('utf8')).toBe(text);
      const bin = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bin[i] = (i * 31) & 0xff;
      client.write(frame(OP.BINARY, bin));
      const b = await readFrame(client);
      expect(b.opcode).toBe(OP.BINARY);
      expect(b.payload.equals(bin)).toBe(true);
      // Minimal length encoding in what the server sends (4.2).
      client.socket.destroy();
    });
  }

  it('the server writes the 4.6 example bytes for "Hello"', async () => {
    const client = await openWebSocket(port);
    client.write(Buffer.from('040548656c6c6f', 'hex'));
    expect((await client.take(7)).toString('hex')).toBe('040548656c6c6f');
    client.socket.destroy();
  });

  it('input fed one byte at a time is reassembled', async () => {
    const client = await openWebSocket(port);
    const bytes = frame(OP.TEXT, 'slow but sure');
    for (const b of bytes) {
      client.write(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect((await readFrame(client)).payload.toString()).toBe('slow but sure');
    client.socket.destroy();
  });
});

describe('4.3 / 4.4 fragmentation with interleaved control frames', () => {
  it('a fragmented text message with pings between fragments: pongs come first, then the whole message', async () => {
    const client = await openWebSocket(port);
    client.write(
      Buffer.concat([
        Buffer.from('84 03 48 65 6c'.replace(/ /g, ''), 'hex'), // "Hel", MORE (4.6)
        frame(OP.PING, 'p1'),
        frame(OP.CONT, 'l', true),
        frame(OP.PING, 'p2'),
        Buffer.from('00 01 6f'.replace(/ /g, ''), 'hex'), // "o", last
      ]),
    );
    expect(await readFrame(client)).toMatchObject({ opcode: OP.PONG, payload: Buffer.from('p1') });
    expect(await readFrame(client)).toMatchObject({ opcode: OP.PONG, payload: Buffer.from('p2') });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.TEXT,
      more: false,
      payload: Buffer.from('Hello'),
    });
    client.socket.destroy();
  });

  it('a 200-byte ping is answered (no 125-byte control limit in -02)', async () => {
    const client = await openWebSocket(port);
    const data = Buffer.alloc(200, 7);
    client.write(frame(OP.PING, data));
    expect(await readFrame(client)).toMatchObject({ opcode: OP.PONG, payload: data });
    client.socket.destroy();
  });

  it('MORE on a control frame fails the connection (4.4 decision): the socket is closed', async () => {
    const client = await openWebSocket(port);
    client.write(frame(OP.PING, 'x', true));
    await client.waitClosed();
  });
});

describe('7 closing handshake', () => {
  it('client-initiated: the server echoes the Close body and closes TCP', async () => {
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const closed = new Promise<[Buffer, boolean]>((resolve) =>
      ws.once('close', (body: Buffer, clean: boolean) => resolve([body, clean])),
    );
    client.write(frame(OP.CLOSE, 'bye'));
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.CLOSE,
      payload: Buffer.from('bye'),
    });
    await client.waitClosed();
    const [body, clean] = await closed;
    expect(body.toString()).toBe('bye');
    expect(clean).toBe(true);
  });

  it('server-initiated: Close sent, data refused after it, the peer answers and TCP closes cleanly', async () => {
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const closed = new Promise<boolean>((resolve) =>
      ws.once('close', (_b: Buffer, clean: boolean) => resolve(clean)),
    );
    ws.close('done');
    expect(ws.readyState).toBe(2);
    const err = await new Promise<Error | undefined>((resolve) => ws.send('late', resolve));
    expect(err).toMatchObject({ code: 'SOCKET_NOT_OPEN' });
    expect(await readFrame(client)).toMatchObject({
      opcode: OP.CLOSE,
      payload: Buffer.from('done'),
    });
    client.write(frame(OP.CLOSE, 'done'));
    await client.waitClosed();
    expect(await closed).toBe(true);
    expect(ws.readyState).toBe(3);
  });

  it('simultaneous close: both send Close, no second echo, clean on both sides', async () => {
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const closed = new Promise<boolean>((resolve) =>
      ws.once('close', (_b: Buffer, clean: boolean) => resolve(clean)),
    );
    client.write(frame(OP.CLOSE, 'c'));
    ws.close('s');
    const f = await readFrame(client);
    expect(f.opcode).toBe(OP.CLOSE);
    await client.waitClosed();
    // Exactly one Close frame came from the server.
    expect(client.inbox.length).toBe(0);
    expect(await closed).toBe(true);
  });

  it('data after the peer Close is discarded (7)', async () => {
    const client = await openWebSocket(port);
    client.write(Buffer.concat([frame(OP.CLOSE, ''), frame(OP.TEXT, 'ignored')]));
    expect((await readFrame(client)).opcode).toBe(OP.CLOSE);
    await client.waitClosed();
    expect(client.inbox.length).toBe(0);
  });

  it('a peer that closes TCP without Close: the server closes at once, not cleanly', async () => {
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    const closed = new Promise<boolean>((resolve) =>
      ws.once('close', (_b: Buffer, clean: boolean) => resolve(clean)),
    );
    client.socket.end();
    expect(await closed).toBe(false);
  });
});
