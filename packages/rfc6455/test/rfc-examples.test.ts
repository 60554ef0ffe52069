import { CLOSED, EventCollector, OPEN } from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
import {
  createAcceptValue,
  encodeFrame,
  Opcode,
  Rfc6455ClientConnection,
  Rfc6455ServerConnection,
} from '../src/index.js';
import {
  AcceptingCollector,
  bytes,
  concat,
  fixedRandom,
  hex,
  latin1,
  openClient,
  openServer,
  outgoing,
  pattern,
  RFC_MASK,
  SAMPLE_ACCEPT,
  SAMPLE_KEY,
  SAMPLE_NONCE,
  SAMPLE_REQUEST,
  SAMPLE_RESPONSE,
  sameBytes,
  summary,
  toHex,
} from './helpers.js';

describe('RFC 6455 1.3 / 4.2.2: the sample key and accept value', () => {
  it('dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', () => {
    expect(createAcceptValue(SAMPLE_KEY)).toBe(SAMPLE_ACCEPT);
  });

  it('4.1: the client writes the sample request byte for byte (key from the random source)', () => {
    const client = new Rfc6455ClientConnection(new EventCollector(), {
      url: 'ws://server.example.com/chat',
      origin: 'http://example.com',
      protocols: ['chat', 'superchat'],
      random: fixedRandom(SAMPLE_NONCE),
    });
    expect(client.key).toBe(SAMPLE_KEY);
    expect(latin1(outgoing(client))).toBe(SAMPLE_REQUEST);
    expect(client.state).toBe(0);
  });

  it('4.2.2: the server answers the sample request with the sample response byte for byte', () => {
    const events = new AcceptingCollector();
    const server = new Rfc6455ServerConnection(events, { protocols: ['chat'] });
    events.connection = server;
    server.receiveData(bytes(SAMPLE_REQUEST));
    expect(latin1(outgoing(server))).toBe(SAMPLE_RESPONSE);
    expect(server.state).toBe(OPEN);
    expect(server.protocol).toBe('chat');
    expect(summary(events.takeEvents())).toEqual([['request', '/chat'], ['open']]);
  });

  it('4.1: the client accepts the sample response (the control: another key must not)', () => {
    const { client } = openClient();
    expect(client.response?.protocol).toBe('chat');
    const other = new Rfc6455ClientConnection(new EventCollector(), {
      url: 'ws://server.example.com/chat',
      protocols: ['chat'],
      random: fixedRandom(utf8Of('another nonce!!!')),
    });
    other.receiveData(bytes(SAMPLE_RESPONSE));
    expect(other.state).toBe(CLOSED);
    expect(other.failure?.code).toBe('HANDSHAKE_BAD_ACCEPT');
  });
});

function utf8Of(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

describe('RFC 6455 5.7 examples', () => {
  it('a single-frame unmasked text message: 81 05 48 65 6c 6c 6f ("Hello"), server → client', () => {
    const { server } = openServer();
    server.sendText('Hello');
    expect(toHex(outgoing(server))).toBe('81 05 48 65 6c 6c 6f');
    const { client, events } = openClient();
    client.receiveData(hex('81 05 48 65 6c 6c 6f'));
    expect(summary(events.takeEvents())).toEqual([['message', 'Hello', false]]);
  });

  it('a single-frame masked text message: 81 85 37 fa 21 3d 7f 9f 4d 51 58, client → server', () => {
    const { client } = openClient(); // Its next masking key is 37 fa 21 3d.
    client.sendText('Hello');
    expect(toHex(outgoing(client))).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const { server, events } = openServer();
    server.receiveData(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(summary(events.takeEvents())).toEqual([['message', 'Hello', false]]);
    expect(
      toHex(
        encodeFrame({
          opcode: Opcode.Text,
          payload: utf8Of('Hello'),
          maskKey: Uint8Array.from(RFC_MASK),
        }),
      ),
    ).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
  });

  it('a fragmented unmasked text message: 01 03 48 65 6c ("Hel"), 80 02 6c 6f ("lo")', () => {
    const { server } = openServer();
    server.sendFragment('Hel', false);
    server.sendFragment('lo', true);
    expect(toHex(outgoing(server))).toBe('01 03 48 65 6c 80 02 6c 6f');
    const { client, events } = openClient();
    client.receiveData(hex('01 03 48 65 6c'));
    expect(events.takeEvents()).toEqual([]);
    client.receiveData(hex('80 02 6c 6f'));
    expect(summary(events.takeEvents())).toEqual([['message', 'Hello', false]]);
  });

  it('an unmasked Ping and the masked Pong answering it: 89 05 Hello → 8a 85 37 fa 21 3d …', () => {
    const { server } = openServer();
    server.sendPing(utf8Of('Hello'));
    expect(toHex(outgoing(server))).toBe('89 05 48 65 6c 6c 6f');
    const { client, events } = openClient();
    client.receiveData(hex('89 05 48 65 6c 6c 6f'));
    expect(summary(events.takeEvents())).toEqual([['ping', '48 65 6c 6c 6f']]);
    expect(toHex(outgoing(client))).toBe('8a 85 37 fa 21 3d 7f 9f 4d 51 58'); // autoPong, 5.5.2
  });

  it('256 bytes of binary data in a single unmasked frame: 82 7e 01 00 …', () => {
    const data = pattern(256);
    const { server } = openServer();
    server.sendBinary(data);
    const wire = outgoing(server);
    expect(toHex(wire.subarray(0, 4))).toBe('82 7e 01 00');
    expect(wire.subarray(4)).toEqual(data);
    const { client, events } = openClient();
    client.receiveData(concat([hex('82 7e 01 00'), data]));
    const [event] = events.takeEvents();
    expect(event).toEqual({ type: 'message', data, binary: true });
  });

  it('64 KiB of binary data in a single unmasked frame: 82 7f 00 00 00 00 00 01 00 00 …', () => {
    const data = pattern(65536, 7);
    const { server } = openServer();
    server.sendBinary(data);
    const wire = outgoing(server);
    expect(toHex(wire.subarray(0, 10))).toBe('82 7f 00 00 00 00 00 01 00 00');
    expect(sameBytes(wire.subarray(10), data)).toBe(true);
    const { client, events } = openClient();
    client.receiveData(concat([hex('82 7f 00 00 00 00 00 01 00 00'), data]));
    const [event] = events.takeEvents();
    expect(
      event?.type === 'message' && event.binary && sameBytes(event.data as Uint8Array, data),
    ).toBe(true);
  });
});
