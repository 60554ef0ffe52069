/**
 * An RFC 6455 client and an echo server, both sans-I/O cores, wired together in memory: no
 * sockets, no timers. Run it: `node --import tsx examples/echo.ts`.
 * (In an application, import from '@ws02/rfc6455' instead of '../src/index.js'.)
 */
import type { ConnectionHandler, OpeningRequest } from '@ws02/protocol';
import { Rfc6455ClientConnection, Rfc6455ServerConnection } from '../src/index.js';

// The server: decide on the request (4.2.1 checks passed), then echo every message.
const server: Rfc6455ServerConnection = new Rfc6455ServerConnection(
  {
    onRequest(request: OpeningRequest) {
      if (request.origin === 'https://evil.example') server.reject(403, 'Forbidden');
      else server.accept({ headers: { 'X-Powered-By': 'ws02' } });
    },
    onMessage(data, binary) {
      if (binary) server.sendBinary(data as Uint8Array);
      else server.sendText(`echo: ${data as string}`);
    },
    onClose(code) {
      console.log(`server: the client closed with ${code}`);
    },
  },
  { protocols: ['chat'] },
);

// The client: its request is queued at construction (a fresh key, 4.1).
const clientHandler: ConnectionHandler = {
  onOpen() {
    console.log(`client: open, subprotocol ${client.protocol}`);
    client.sendText('Hello');
  },
  onMessage(data) {
    console.log(`client: ${data as string}`);
    client.sendClose(1000, 'done');
  },
  onClose(code, reason) {
    console.log(`client: closed, ${code} ${new TextDecoder().decode(reason)}`);
  },
};
const client = new Rfc6455ClientConnection(clientHandler, {
  url: 'ws://example.com/chat',
  origin: 'https://example.com',
  protocols: ['chat', 'superchat'],
});

// The "network": what one side queued is what the other receives. A socket delivers fresh
// chunks; the server unmasks in place, so hand it copies of the client's shared blocks.
function flush(from: { takeOutgoing(): Uint8Array[] }, to: { receiveData(b: Uint8Array): void }) {
  for (const chunk of from.takeOutgoing()) to.receiveData(chunk.slice());
}
while (client.outgoingBytes > 0 || server.outgoingBytes > 0) {
  flush(client, server);
  flush(server, client);
}
console.log(`states: client ${client.state}, server ${server.state}`); // 3 and 3: CLOSED
