/**
 * A complete draft-02 opening handshake between the client core and the server core, in memory:
 * no sockets, no timers. Run it: `node --import tsx examples/round-trip.ts`.
 * (In an application, import from '@ws02/handshake' instead of '../src/index.js'.)
 */
import {
  ClientHandshakeParser,
  createClientHandshake,
  createServerResponse,
  ServerHandshakeParser,
} from '../src/index.js';

// Client, 5.1: build the request (keys, key_3, random field order) and what to expect back.
const handshake = createClientHandshake({
  url: 'ws://example.com:8080/chat',
  origin: 'http://example.com',
  protocols: ['chat', 'superchat'],
});

// Server, 5.2.1: feed whatever bytes arrive, in any chunks; here the request arrives in two
// pieces with a text frame ("Hello") pipelined right behind key_3.
const frame = Uint8Array.of(0x04, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
const wire = new Uint8Array(handshake.request.length + frame.length);
wire.set(handshake.request, 0);
wire.set(frame, handshake.request.length);

const server = new ServerHandshakeParser({ protocols: ['superchat'] });
let outcome = server.receiveData(wire.subarray(0, 50));
if (outcome.kind === 'need-more') outcome = server.receiveData(wire.subarray(50));
if (outcome.kind !== 'request') throw new Error(`server: ${outcome.kind}`);
console.log('server got', outcome.request.resourceName, 'from', outcome.request.origin);
console.log('selected subprotocol:', outcome.request.protocol);
console.log('bytes after key_3 (for the frame decoder):', outcome.rest);

// Server, 5.2.2: the 101 response with the 16-byte answer.
const response = createServerResponse({ request: outcome.request });

// Client, steps 31–48: check the response; the frame layer takes over with `rest`.
const client = new ClientHandshakeParser(handshake);
const result = client.receiveData(response);
if (result.kind !== 'established') throw new Error(`client: ${result.kind}`);
console.log('client established, subprotocol', result.protocol);
