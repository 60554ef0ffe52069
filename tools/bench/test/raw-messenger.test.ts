import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { lengthPrefixed, RawMessenger } from '../src/index.js';

/** A messenger reading from a PassThrough, so a test decides exactly how bytes are chunked. */
function readerOver(chunks: readonly Buffer[]): Buffer[] {
  const stream = new PassThrough();
  const messenger = new RawMessenger(stream as unknown as Socket);
  const got: Buffer[] = [];
  messenger.onMessage = (data) => got.push(Buffer.from(data));
  for (const c of chunks) stream.emit('data', c);
  return got;
}

describe('RawMessenger: receiving length-prefixed messages', () => {
  const messages = [Buffer.from('hello'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('x')];
  const stream = Buffer.concat(messages.map(lengthPrefixed));

  it('reads messages from one chunk', () => {
    expect(readerOver([stream])).toEqual(messages);
  });

  it('reads messages split at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(readerOver([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(messages);
    }
  });

  it('reads messages fed one byte at a time', () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(readerOver(bytes)).toEqual(messages);
  });
});

describe('RawMessenger over real sockets', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  });

  it('echoes small and large messages in order, coalesced per tick', async () => {
    server = createServer((socket) => {
      const peer = new RawMessenger(socket);
      peer.onMessage = (data) => peer.send(data);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const client = new RawMessenger(socket);
    const sent = [
      Buffer.alloc(32, 1),
      Buffer.alloc(1024, 2),
      Buffer.alloc(1024 * 1024, 3),
      Buffer.alloc(0),
      Buffer.from('end'),
    ];
    const got: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      client.onMessage = (data) => {
        got.push(Buffer.from(data));
        if (got.length === sent.length + 1) resolve();
      };
    });
    for (const m of sent) client.send(m);
    client.sendEncoded(lengthPrefixed(Buffer.from('pre-encoded')));
    await done;
    const expected = [...sent, Buffer.from('pre-encoded')];
    expect(got.map((b) => b.length)).toEqual(expected.map((b) => b.length));
    // Buffer.equals: a deep toEqual of 1 MiB is slow.
    expect(got.every((b, i) => b.equals(expected[i]!))).toBe(true);
    socket.destroy();
  });
});
