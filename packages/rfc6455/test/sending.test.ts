import { CLOSED, EventCollector } from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
import { Rfc6455ClientConnection, Rfc6455ServerConnection, rfc6455Encoder } from '../src/index.js';
import {
  concat,
  openClient,
  openPair,
  openServer,
  outgoing,
  pattern,
  pump,
  sameBytes,
  summary,
  toHex,
  utf8,
} from './helpers.js';

describe('sending (RFC 6455 5.2, 5.4, 5.5)', () => {
  it('minimal lengths at the 7/16/64-bit boundaries (125, 126, 65535, 65536)', () => {
    const { server } = openServer();
    for (const [n, head] of [
      [125, '82 7d'],
      [126, '82 7e 00 7e'],
      [65535, '82 7e ff ff'],
      [65536, '82 7f 00 00 00 00 00 01 00 00'],
    ] as const) {
      server.sendBinary(pattern(n));
      const wire = outgoing(server);
      expect(toHex(wire.subarray(0, head.split(' ').length))).toBe(head);
      expect(wire.length).toBe(head.split(' ').length + n);
    }
  });

  it('text: a string is UTF-8-encoded; bytes are sent as given', () => {
    const { server } = openServer();
    server.sendText('é€😀');
    expect(toHex(outgoing(server))).toBe(`81 09 ${toHex(utf8('é€😀'))}`);
    server.sendText(utf8('ok'));
    expect(toHex(outgoing(server))).toBe('81 02 6f 6b');
    server.sendText('x'.repeat(20_000)); // beyond the header reserved for a short text
    const wire = outgoing(server);
    expect(toHex(wire.subarray(0, 4))).toBe('81 7e 4e 20');
  });

  it('a large server payload goes out uncopied, behind its header', () => {
    const { server } = openServer();
    const data = pattern(5000);
    server.sendBinary(data);
    const chunks = server.takeOutgoing();
    expect(chunks.at(-1)).toBe(data);
    expect(server.outgoingBytes).toBe(0);
  });

  it('outgoingBytes counts what is queued', () => {
    const { client } = openClient();
    client.sendText('Hello');
    client.sendBinary(pattern(20_000));
    expect(client.outgoingBytes).toBe(11 + 4 + 4 + 20_000);
    expect(concat(client.takeOutgoing()).length).toBe(11 + 4 + 4 + 20_000);
  });

  it('fragments: a new message during a fragmented one is refused (SEND_INTERLEAVED), control frames pass', () => {
    const { server } = openServer();
    server.sendFragment('a', false);
    expect(() => server.sendText('b')).toThrow(
      expect.objectContaining({ code: 'SEND_INTERLEAVED' }),
    );
    expect(() => server.sendBinary(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'SEND_INTERLEAVED' }),
    );
    expect(() => server.sendEncoded(rfc6455Encoder.encodeMessage('x', false))).toThrow(
      expect.objectContaining({ code: 'SEND_INTERLEAVED' }),
    );
    server.sendPing();
    server.sendFragment(Uint8Array.of(0x62), true);
    expect(toHex(outgoing(server))).toBe('01 01 61 89 00 80 01 62');
    server.sendText('c');
    expect(toHex(outgoing(server))).toBe('81 01 63');
  });

  it('control payloads are at most 125 bytes (CONTROL_PAYLOAD_TOO_LONG)', () => {
    const { server } = openServer();
    server.sendPing(new Uint8Array(125));
    expect(() => server.sendPing(new Uint8Array(126))).toThrow(
      expect.objectContaining({ code: 'CONTROL_PAYLOAD_TOO_LONG' }),
    );
    expect(() => server.sendPong(new Uint8Array(126))).toThrow(
      expect.objectContaining({ code: 'CONTROL_PAYLOAD_TOO_LONG' }),
    );
  });

  it('autoPong off: the Ping is only reported', () => {
    const { client, server, serverEvents } = openPair({}, { autoPong: false });
    client.sendPing(utf8('hb'));
    pump(client, server);
    expect(summary(serverEvents.takeEvents())).toEqual([['ping', '68 62']]);
    expect(server.takeOutgoing()).toEqual([]);
  });

  it('an unsolicited Pong is reported, never answered (5.5.3)', () => {
    const { client, server, serverEvents } = openPair();
    client.sendPong(utf8('hb'));
    pump(client, server);
    expect(summary(serverEvents.takeEvents())).toEqual([['pong', '68 62']]);
    expect(server.takeOutgoing()).toEqual([]);
  });
});

describe('rfc6455Encoder: a server message encoded once for a broadcast', () => {
  it('small: one buffer; large: [header, the payload itself]', () => {
    expect(rfc6455Encoder.encodeMessage('Hello', false).map(toHex)).toEqual([
      '81 05 48 65 6c 6c 6f',
    ]);
    const data = pattern(2000);
    const [head, payload] = rfc6455Encoder.encodeMessage(data, true);
    expect(toHex(head!)).toBe('82 7e 07 d0');
    expect(payload).toBe(data);
  });

  it('the same frames on many server connections, each client reads the message', () => {
    const frames = rfc6455Encoder.encodeMessage('news €', false);
    const big = rfc6455Encoder.encodeMessage(pattern(3000), true);
    for (let i = 0; i < 3; i++) {
      const { client, server, clientEvents } = openPair();
      server.sendEncoded(frames);
      server.sendEncoded(big);
      pump(server, client);
      const events = clientEvents.takeEvents();
      expect(events[0]).toEqual({ type: 'message', data: 'news €', binary: false });
      expect(
        events[1]?.type === 'message' && sameBytes(events[1].data as Uint8Array, pattern(3000)),
      ).toBe(true);
    }
  });

  it('a client cannot send encoded frames (it must mask): INVALID_STATE', () => {
    const { client } = openClient();
    expect(() => client.sendEncoded(rfc6455Encoder.encodeMessage('x', false))).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });
});

describe('the Connection interface', () => {
  it('wireProtocol, role, and the allocator option for large buffers', () => {
    const sizes: number[] = [];
    const allocate = (n: number) => {
      sizes.push(n);
      return new Uint8Array(n);
    };
    const { client, server, serverEvents } = openPair({ allocate }, { allocate });
    expect([client.wireProtocol, client.role, server.wireProtocol, server.role]).toEqual([
      'rfc6455',
      'client',
      'rfc6455',
      'server',
    ]);
    client.sendBinary(pattern(20_000)); // masked into a copy of its own (> 16 KiB)
    const chunks = client.takeOutgoing().map((c) => c.slice());
    for (const c of chunks) {
      server.receiveData(c.subarray(0, 10)); // The payload spans chunks: joined in a new buffer.
      server.receiveData(c.subarray(10));
    }
    expect(sizes).toContain(20_000);
    expect(serverEvents.takeEvents()).toHaveLength(1);
  });

  it('a closed connection ignores input', () => {
    const server = new Rfc6455ServerConnection(new EventCollector());
    server.receiveData(utf8('GET / HTTP/1.0\r\n\r\n'));
    expect(server.state).toBe(CLOSED);
    server.receiveData(utf8('more'));
    server.receiveEof();
    expect(server.state).toBe(CLOSED);
    const client = new Rfc6455ClientConnection(new EventCollector(), { url: 'ws://h/' });
    client.receiveEof();
    expect(client.failure?.code).toBe('HANDSHAKE_UNEXPECTED_EOF');
  });
});
