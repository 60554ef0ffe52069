import { CLOSED, CLOSING, OPEN } from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
import { encodeFrame, MAX_CLOSE_REASON, Opcode, Rfc6455ServerConnection } from '../src/index.js';
import {
  bytes,
  concat,
  openPair,
  openServer,
  outgoing,
  pump,
  SAMPLE_REQUEST,
  summary,
  toHex,
  utf8,
} from './helpers.js';

const KEY = Uint8Array.of(9, 8, 7, 6);
function masked(opcode: number, payload: Uint8Array | string = ''): Uint8Array {
  return encodeFrame({
    opcode,
    payload: typeof payload === 'string' ? utf8(payload) : payload,
    maskKey: KEY,
  });
}
function closeBody(code: number, reason = ''): Uint8Array {
  return concat([Uint8Array.of(code >> 8, code & 0xff), utf8(reason)]);
}

describe('the closing handshake (RFC 6455 7.1.2, 5.5.1)', () => {
  it('client-initiated: CLOSING until the echo, then both CLOSED with the code and reason', () => {
    const { client, server, clientEvents, serverEvents } = openPair();
    expect(clientEvents.takeEvents()).toEqual([]);
    expect(client.sendClose(4001, 'bye')).toBe(true);
    expect(client.state).toBe(CLOSING);
    expect(client.closeSent).toBe(true);
    pump(client, server);
    expect(summary(serverEvents.takeEvents())).toEqual([['close', 4001, 'bye']]);
    expect(server.state).toBe(CLOSED); // The echo is queued: the server closes TCP first (7.1.1).
    pump(server, client); // The code echoed, no reason.
    expect(summary(clientEvents.takeEvents())).toEqual([['close', 4001, '']]);
    expect(client.state).toBe(CLOSED);
    expect(server.sendClose()).toBe(false); // Harmless once closed.
  });

  it('server-initiated, answered by the client', () => {
    const { client, server, clientEvents, serverEvents } = openPair();
    server.sendClose(1001, 'shutting down');
    pump(server, client);
    expect(summary(clientEvents.takeEvents())).toEqual([['close', 1001, 'shutting down']]);
    expect(client.state).toBe(CLOSED);
    expect(server.state).toBe(CLOSING);
    pump(client, server);
    expect(summary(serverEvents.takeEvents())).toEqual([['close', 1001, '']]);
    expect(server.state).toBe(CLOSED);
    expect(server.takeOutgoing()).toEqual([]); // No second Close.
  });

  it('simultaneous close: each Close answers the other, nothing is sent twice', () => {
    const { client, server, clientEvents, serverEvents } = openPair();
    client.sendClose(1000, 'a');
    server.sendClose(1001, 'b');
    pump(client, server);
    pump(server, client);
    expect(summary(serverEvents.takeEvents())).toEqual([['close', 1000, 'a']]);
    expect(summary(clientEvents.takeEvents())).toEqual([['close', 1001, 'b']]);
    expect([client.state, server.state]).toEqual([CLOSED, CLOSED]);
    expect(client.takeOutgoing()).toEqual([]);
    expect(server.takeOutgoing()).toEqual([]);
  });

  it('a Close with no body is reported as 1005 and answered with an empty Close', () => {
    const { server, events } = openServer();
    server.receiveData(masked(Opcode.Close));
    expect(summary(events.takeEvents())).toEqual([['close', 1005, '']]);
    expect(toHex(outgoing(server))).toBe('88 00');
  });

  it('sendClose(1005) sends a Close with no body; sendClose() sends 1000', () => {
    const a = openServer();
    a.server.sendClose(1005);
    expect(toHex(outgoing(a.server))).toBe('88 00');
    const b = openServer();
    b.server.sendClose();
    expect(toHex(outgoing(b.server))).toBe('88 02 03 e8');
  });

  it.each([
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
  ])('received code %i is valid (7.4) and echoed', (code) => {
    const { server, events } = openServer();
    server.receiveData(masked(Opcode.Close, closeBody(code, 'r')));
    expect(summary(events.takeEvents())).toEqual([['close', code, 'r']]);
    expect(toHex(outgoing(server))).toBe(toHex(Uint8Array.of(0x88, 2, code >> 8, code & 0xff)));
  });

  it.each([
    0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535,
  ])('received code %i is a protocol error (1002)', (code) => {
    const { server, events } = openServer();
    server.receiveData(masked(Opcode.Close, closeBody(code)));
    expect(summary(events.takeEvents())).toEqual([['error', 'CLOSE_INVALID_CODE']]);
    expect(toHex(outgoing(server))).toBe('88 02 03 ea');
  });

  it('sendClose refuses codes that may not be sent and reasons over 123 bytes', () => {
    const { server } = openServer();
    for (const code of [0, 999, 1004, 1006, 1015, 1016, 2999, 5000, 1000.5]) {
      expect(() => server.sendClose(code)).toThrow(
        expect.objectContaining({ code: 'CLOSE_CODE_NOT_SENDABLE' }),
      );
    }
    expect(() => server.sendClose(1005, 'reason')).toThrow(
      expect.objectContaining({ code: 'CLOSE_CODE_NOT_SENDABLE' }),
    );
    expect(() => server.sendClose(1000, 'x'.repeat(MAX_CLOSE_REASON + 1))).toThrow(
      expect.objectContaining({ code: 'CLOSE_REASON_TOO_LONG' }),
    );
    expect(() => server.sendClose(1000, 'é'.repeat(62))).toThrow(
      expect.objectContaining({ code: 'CLOSE_REASON_TOO_LONG' }),
    ); // 124 bytes
    expect(() => server.sendClose(1000, Uint8Array.of(0xff))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(server.state).toBe(OPEN);
    expect(server.takeOutgoing()).toEqual([]);
    expect(server.sendClose(1000, 'x'.repeat(MAX_CLOSE_REASON))).toBe(true);
    expect(outgoing(server).length).toBe(2 + 125);
    expect(server.sendClose(1000)).toBe(false); // Sent already.
  });

  it('after sending Close: no data frames (SEND_AFTER_CLOSE), control frames still, data still received', () => {
    const { server, events } = openServer();
    server.sendFragment('part', false);
    server.sendClose();
    expect(() => server.sendText('x')).toThrow(
      expect.objectContaining({ code: 'SEND_AFTER_CLOSE' }),
    );
    expect(() => server.sendBinary(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'SEND_AFTER_CLOSE' }),
    );
    expect(() => server.sendFragment('rest', true)).toThrow(
      expect.objectContaining({ code: 'SEND_AFTER_CLOSE' }),
    );
    server.sendPing(utf8('still'));
    server.receiveData(masked(Opcode.Text, 'late data'));
    expect(summary(events.takeEvents())).toEqual([['message', 'late data', false]]);
    server.receiveData(masked(Opcode.Close, closeBody(1000)));
    expect(server.state).toBe(CLOSED);
    expect(() => server.sendPing()).toThrow(expect.objectContaining({ code: 'SEND_AFTER_CLOSE' }));
  });

  it("everything after the peer's Close is discarded, including a message in progress", () => {
    const { server, events } = openServer();
    server.receiveData(
      concat([
        masked(Opcode.Text, 'part'),
        encodeFrame({ opcode: Opcode.Text, fin: false, payload: utf8('x'), maskKey: KEY }),
        masked(Opcode.Close, closeBody(1000)),
        masked(Opcode.Text, 'after'),
      ]),
    );
    server.receiveData(masked(Opcode.Ping));
    expect(summary(events.takeEvents())).toEqual([
      ['message', 'part', false],
      ['close', 1000, ''],
    ]);
    expect(toHex(outgoing(server))).toBe('88 02 03 e8');
  });

  it('7.1.1: a reply to a message in the same chunk as the Close is queued before the echo', () => {
    const server = new Rfc6455ServerConnection({
      onMessage(data) {
        server.sendText(`re: ${data as string}`);
      },
    });
    server.receiveData(bytes(SAMPLE_REQUEST));
    outgoing(server);
    server.receiveData(concat([masked(Opcode.Text, 'hi'), masked(Opcode.Close, closeBody(1000))]));
    expect(toHex(outgoing(server))).toBe(
      `${toHex(concat([Uint8Array.of(0x81, 6), utf8('re: hi')]))} 88 02 03 e8`,
    );
    // Control: the same order as when the Close comes in a later chunk.
    const later = new Rfc6455ServerConnection({
      onMessage(data) {
        later.sendText(`re: ${data as string}`);
      },
    });
    later.receiveData(bytes(SAMPLE_REQUEST));
    outgoing(later);
    later.receiveData(masked(Opcode.Text, 'hi'));
    later.receiveData(masked(Opcode.Close, closeBody(1000)));
    expect(toHex(outgoing(later))).toBe(
      toHex(concat([Uint8Array.of(0x81, 6), utf8('re: hi'), Uint8Array.of(0x88, 2, 3, 0xe8)])),
    );
  });

  it('a Ping before the Close in the same chunk is answered before the echo; none after it', () => {
    const { server } = openServer();
    server.receiveData(
      concat([
        masked(Opcode.Ping, 'a'),
        masked(Opcode.Close, closeBody(1000)),
        masked(Opcode.Ping, 'b'),
      ]),
    );
    expect(toHex(outgoing(server))).toBe('8a 01 61 88 02 03 e8');
  });

  it("an end of input after our Close, without the peer's: CLOSED, no error (the driver reports 1006)", () => {
    const { server, events } = openServer();
    server.sendClose();
    server.receiveEof();
    expect(server.state).toBe(CLOSED);
    expect(server.closeReceived).toBe(false);
    expect(events.takeEvents()).toEqual([]);
  });
});
