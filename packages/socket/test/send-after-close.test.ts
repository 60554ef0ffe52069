// Section 7: once a Close has been queued (ours, or the echo of the peer's), no data frame may
// follow. A message and the peer's Close in ONE chunk: the core queues the echoed Close while
// reading the chunk, before the message event reaches the application — a reply sent from that
// handler must be refused with SOCKET_NOT_OPEN, never thrown (it would abort the dispatch and
// the closing handshake with it).
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createConnectionCounters, WebSocketConnection } from '../src/index.js';

async function socketPair(): Promise<{ ours: Socket; peer: Socket; close: () => Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const peer = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [ours] = (await accepted) as [Socket];
  await once(peer, 'connect');
  return {
    ours,
    peer,
    close: async () => {
      peer.destroy();
      ours.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function open(socket: Socket, role: 'server' | 'client'): WebSocketConnection {
  return new WebSocketConnection({
    socket,
    role,
    protocol: '',
    origin: undefined,
    resourceName: '/',
    context: undefined,
    rest: new Uint8Array(0),
    frameOptions: {},
    maxBufferedBytes: 1 << 20,
    closeTimeout: 1000,
    counters: createConnectionCounters(),
  });
}

describe('sending after the peer’s Close arrived in the same chunk (section 7)', () => {
  for (const role of ['server', 'client'] as const) {
    it(`${role}: a reply from the message handler is refused, and the close completes`, async () => {
      const pair = await socketPair();
      try {
        const ws = open(pair.ours, role);
        const results: unknown[] = [];
        ws.on('message', (data) => {
          const sent = ws.send(`echo ${data}`, (error) => results.push(error));
          results.push(sent, ws.ping(), ws.sendFragments(['a', 'b']));
        });
        let inbox = Buffer.alloc(0);
        pair.peer.on('data', (c) => {
          inbox = Buffer.concat([inbox, c]);
        });
        // Text "hi" then Close, one write (4.2 layout: opcode 0x4 Text, 0x1 Close).
        pair.peer.write(Buffer.from([0x04, 0x02, 0x68, 0x69, 0x01, 0x00]));
        const closed = once(ws, 'close');
        if (role === 'client') {
          // A client waits for the server to close TCP (7): do it once the echo arrived.
          const deadline = Date.now() + 5000;
          while (inbox.length < 2 && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 5));
          pair.peer.end();
        }
        const [, wasClean] = await Promise.race([
          closed,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('the closing handshake did not complete')), 5000),
          ),
        ]);
        expect(results.slice(0, 3)).toEqual([false, false, false]);
        await new Promise((r) => setTimeout(r, 10));
        expect(results[3]).toMatchObject({ code: 'SOCKET_NOT_OPEN' });
        expect(wasClean).toBe(true);
        // Only the echoed Close went out: no data frame after it.
        expect([...inbox]).toEqual([0x01, 0x00]);
      } finally {
        await pair.close();
      }
    });
  }
});
