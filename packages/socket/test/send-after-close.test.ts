// Section 7 and a message that arrives in the same chunk as the peer's Close: the reply to the
// message goes out before the echoed Close (as if the Close had come in a later chunk), and
// once the echo is queued nothing can follow it — sends are refused with SOCKET_NOT_OPEN, never
// thrown (a throw would abort the dispatch and the closing handshake with it).
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { nextEvent, until, WAIT_MS } from '../../../scripts/test-utils/wait.js';
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
    protocol: '',
    origin: undefined,
    resourceName: '/',
    context: undefined,
    rest: new Uint8Array(0),
    settings: {
      role,
      frameOptions: {},
      maxBufferedBytes: 1 << 20,
      // The tests wait for a clean end of the closing handshake: a timer that a stalled
      // scheduler could run out first would cut it off (and make it unclean).
      closeTimeout: WAIT_MS,
      counters: createConnectionCounters(),
    },
  });
}

async function collect(peer: Socket): Promise<() => Buffer> {
  let inbox = Buffer.alloc(0);
  peer.on('data', (c) => {
    inbox = Buffer.concat([inbox, c]);
  });
  return () => inbox;
}

/** `wasClean` of the connection's `close` event. */
async function closeOf(ws: WebSocketConnection): Promise<boolean> {
  const [, wasClean] = await nextEvent<[Buffer, boolean]>(ws, 'close');
  return wasClean;
}

// Text "hi" then Close, one write (4.2 layout: opcode 0x4 Text, 0x1 Close).
const TEXT_THEN_CLOSE = Buffer.from([0x04, 0x02, 0x68, 0x69, 0x01, 0x00]);

describe('a message and the peer’s Close in one chunk (section 7)', () => {
  for (const role of ['server', 'client'] as const) {
    it(`${role}: the handler's reply leaves before the echoed Close`, async () => {
      const pair = await socketPair();
      try {
        const ws = open(pair.ours, role);
        const results: unknown[] = [];
        ws.on('message', (data) => results.push(ws.send(`re:${data}`)));
        ws.on('close', () => results.push(ws.send('too late')));
        const inbox = await collect(pair.peer);
        pair.peer.write(TEXT_THEN_CLOSE);
        const closed = closeOf(ws);
        if (role === 'client') {
          // A client waits for the server to close TCP (7): do it once the echo arrived.
          await until(() => inbox().length >= 7, 'the reply and the echoed Close');
          pair.peer.end();
        }
        expect(await closed).toBe(true);
        expect(results).toEqual([true, false]);
        // Text "re:hi", then the echoed Close — and nothing after it.
        expect([...inbox()]).toEqual([0x04, 0x05, ...Buffer.from('re:hi'), 0x01, 0x00]);
      } finally {
        await pair.close();
      }
    });
  }

  it('paused mid-chunk: a message held back past the Close cannot be answered (refused, not thrown)', async () => {
    const pair = await socketPair();
    try {
      const ws = open(pair.ours, 'server');
      const results: unknown[] = [];
      ws.on('message', (data) => {
        if (String(data) === 'a') {
          // Holds back the rest of the chunk ("b" and the Close, which the core has answered).
          ws.pause();
          setTimeout(() => ws.resume(), 30);
          return;
        }
        results.push(
          ws.send('reply', (error) => results.push(error)),
          ws.ping(),
          ws.sendFragments(['x']),
        );
      });
      const inbox = await collect(pair.peer);
      pair.peer.write(Buffer.from([0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x01, 0x00]));
      expect(await closeOf(ws)).toBe(true);
      await until(() => results.length >= 4, 'the refused send’s callback');
      expect(results.slice(0, 3)).toEqual([false, false, false]);
      expect(results[3]).toMatchObject({ code: 'SOCKET_NOT_OPEN' });
      expect([...inbox()]).toEqual([0x01, 0x00]);
    } finally {
      await pair.close();
    }
  });

  it('a handler that throws does not break the connection: the exception surfaces outside', async () => {
    const pair = await socketPair();
    const uncaught: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const ws = open(pair.ours, 'server');
      const got: string[] = [];
      ws.on('message', (data) => {
        got.push(String(data));
        if (got.length === 1) throw new Error('handler bug');
      });
      // Two messages in one chunk: the second is still delivered after the first handler threw.
      pair.peer.write(Buffer.from([0x04, 0x01, 0x61, 0x04, 0x01, 0x62]));
      await until(
        () => got.length >= 2 && uncaught.length >= 1,
        'both messages and the uncaught exception',
      );
      expect(got).toEqual(['a', 'b']);
      expect(uncaught).toEqual([expect.objectContaining({ message: 'handler bug' })]);
      expect(ws.readyState).toBe(WebSocketConnection.OPEN);
      ws.terminate();
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
      await pair.close();
    }
  });
});
