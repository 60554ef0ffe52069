import { CLOSED, CLOSING, EventCollector, OPEN } from '@ws02/protocol';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  Opcode,
  type Rfc6455ErrorCode,
  Rfc6455ServerConnection,
} from '../src/index.js';
import {
  bytes,
  concat,
  hex,
  openClient,
  openServer,
  outgoing,
  SAMPLE_REQUEST,
  summary,
  toHex,
  utf8,
} from './helpers.js';

const KEY = Uint8Array.of(1, 2, 3, 4);

/** A client frame (masked), as a server receives it. */
function masked(
  opcode: number,
  payload: Uint8Array | string = '',
  fin = true,
  rsv = 0,
): Uint8Array {
  return encodeFrame({
    opcode,
    fin,
    rsv,
    payload: typeof payload === 'string' ? utf8(payload) : payload,
    maskKey: KEY,
  });
}

/** The unmasked Close a server sends with `code`. */
function serverClose(code: number): string {
  return toHex(Uint8Array.of(0x88, 0x02, code >> 8, code & 0xff));
}

/** Feeds `wire` to an open server; returns its events and what it queued. */
function serverReads(...chunks: Uint8Array[]) {
  const { server, events } = openServer();
  for (const chunk of chunks) server.receiveData(chunk);
  return { server, events: summary(events.takeEvents()), wire: toHex(outgoing(server)) };
}

describe('failing the connection (RFC 6455 7.1.7): a Close with the code, onError, CLOSED', () => {
  it.each<[string, Uint8Array, Rfc6455ErrorCode, number]>([
    ['5.2: RSV1 set', masked(Opcode.Text, 'x', true, 0b100), 'FRAME_RSV_SET', 1002],
    ['5.2: RSV2 set', masked(Opcode.Text, 'x', true, 0b010), 'FRAME_RSV_SET', 1002],
    ['5.2: RSV3 set on a Ping', masked(Opcode.Ping, '', true, 0b001), 'FRAME_RSV_SET', 1002],
    ['5.2: reserved data opcode 3', masked(3), 'FRAME_RESERVED_OPCODE', 1002],
    ['5.2: reserved data opcode 7', masked(7), 'FRAME_RESERVED_OPCODE', 1002],
    ['5.2: reserved control opcode 0xB', masked(0xb), 'FRAME_RESERVED_OPCODE', 1002],
    ['5.2: reserved control opcode 0xF', masked(0xf), 'FRAME_RESERVED_OPCODE', 1002],
    ['5.1: an unmasked client frame', hex('81 05 48 65 6c 6c 6f'), 'FRAME_NOT_MASKED', 1002],
    [
      '5.5: a Ping of 126 bytes',
      masked(Opcode.Ping, new Uint8Array(126)),
      'FRAME_CONTROL_TOO_LONG',
      1002,
    ],
    ['5.5: a Close without FIN', masked(Opcode.Close, '', false), 'FRAME_CONTROL_FRAGMENTED', 1002],
    [
      '5.4: a continuation with no message',
      masked(Opcode.Continuation, 'x'),
      'FRAME_UNEXPECTED_CONTINUATION',
      1002,
    ],
    [
      '5.4: a Text frame inside a fragmented message',
      concat([masked(Opcode.Text, 'a', false), masked(Opcode.Text, 'b')]),
      'FRAME_INTERLEAVED_DATA',
      1002,
    ],
    [
      "5.2: the 64-bit length's top bit",
      hex('82 ff 80 00 00 00 00 00 00 01 01 02 03 04'),
      'FRAME_LENGTH_HIGH_BIT',
      1002,
    ],
    [
      '5.2: a length of 2^53',
      hex('82 ff 00 20 00 00 00 00 00 00 01 02 03 04'),
      'FRAME_TOO_LARGE',
      1009,
    ],
    [
      '8.1: invalid UTF-8 in a Text frame',
      masked(Opcode.Text, hex('ce ba ed a0 80')),
      'MESSAGE_INVALID_UTF8',
      1007,
    ],
    [
      '8.1: a Text message ending inside a sequence',
      masked(Opcode.Text, hex('41 e2 82')),
      'MESSAGE_INVALID_UTF8',
      1007,
    ],
    [
      '5.5.1: a Close body of one byte',
      masked(Opcode.Close, hex('03')),
      'CLOSE_BODY_ONE_BYTE',
      1002,
    ],
    [
      '7.4: Close code 1005 on the wire',
      masked(Opcode.Close, hex('03 ed')),
      'CLOSE_INVALID_CODE',
      1002,
    ],
    [
      '8.1: a Close reason that is not UTF-8',
      masked(Opcode.Close, hex('03 e8 ff')),
      'CLOSE_INVALID_REASON',
      1007,
    ],
  ])('%s → %s, Close %i', (_, wire, code, closeCode) => {
    const { server, events, wire: out } = serverReads(wire);
    expect(events).toEqual([['error', code]]);
    expect(server.failure).toMatchObject({ code, closeCode, spec: 'RFC 6455' });
    expect(server.state).toBe(CLOSED);
    expect(out).toBe(serverClose(closeCode));
    expect(server.closeSent).toBe(true);
    expect(server.closeReceived).toBe(false);
  });

  it('a client fails a masked frame from the server (5.1) and sends a masked Close 1002', () => {
    const { client, events } = openClient();
    client.receiveData(masked(Opcode.Text, 'x'));
    expect(summary(events.takeEvents())).toEqual([['error', 'FRAME_MASKED']]);
    const close = outgoing(client);
    expect(toHex(close.subarray(0, 2))).toBe('88 82'); // masked, 2 bytes
    const body = close.subarray(6).map((b, i) => b ^ close[2 + (i % 4)]!);
    expect(toHex(body)).toBe('03 ea');
  });

  it('control: valid frames of the same kinds pass (RSV 0, a 125-byte Ping, FIN on Close)', () => {
    const { events, server } = serverReads(
      masked(Opcode.Text, 'x'),
      masked(Opcode.Ping, new Uint8Array(125)),
      masked(Opcode.Text, hex('ce ba ed 9f bf')),
      masked(Opcode.Close, hex('03 e8')),
    );
    expect(events.map((e) => (e as string[])[0])).toEqual(['message', 'ping', 'message', 'close']);
    expect(server.failure).toBe(undefined);
  });

  it("5.2: lengths in a non-minimal encoding are accepted (the project's decision)", () => {
    const hello = hex('7f 9f 4d 51 58'); // "Hello" masked with 37 fa 21 3d
    const { events } = serverReads(
      concat([hex('81 fe 00 05 37 fa 21 3d'), hello]), // 16-bit length for 5 bytes
      concat([hex('81 ff 00 00 00 00 00 00 00 05 37 fa 21 3d'), hello]), // 64-bit
    );
    expect(events).toEqual([
      ['message', 'Hello', false],
      ['message', 'Hello', false],
    ]);
  });

  it('checks come from the header: a too-long control frame fails before its payload arrives', () => {
    const { events, wire } = serverReads(hex('89 fe 00 7e'));
    expect(events).toEqual([['error', 'FRAME_CONTROL_TOO_LONG']]);
    expect(wire).toBe(serverClose(1002));
  });

  it('checks of bytes 0–1 come as soon as both arrive, before the rest of the header', () => {
    const { server, events } = openServer();
    server.receiveData(hex('c1')); // FIN + RSV1 + Text
    expect(events.takeEvents()).toEqual([]);
    server.receiveData(hex('ff')); // MASK, 64-bit length: 12 more header bytes to come
    expect(summary(events.takeEvents())).toEqual([['error', 'FRAME_RSV_SET']]);
  });

  it('nothing is read after a failure, and sending is refused', () => {
    const { server, events } = openServer();
    server.receiveData(concat([masked(Opcode.Text, hex('ff')), masked(Opcode.Text, 'after')]));
    server.receiveData(masked(Opcode.Text, 'later'));
    expect(summary(events.takeEvents())).toEqual([['error', 'MESSAGE_INVALID_UTF8']]);
    expect(() => server.sendText('x')).toThrow(
      expect.objectContaining({ code: 'SEND_AFTER_CLOSE' }),
    );
    expect(server.sendClose()).toBe(false);
  });

  it('a failure after our own Close sends no second Close', () => {
    const { server, events } = openServer();
    server.sendClose(1001);
    expect(server.state).toBe(CLOSING);
    outgoing(server);
    server.receiveData(masked(Opcode.Text, hex('ff')));
    expect(summary(events.takeEvents())).toEqual([['error', 'MESSAGE_INVALID_UTF8']]);
    expect(server.takeOutgoing()).toEqual([]);
    expect(server.state).toBe(CLOSED);
  });

  it('the end of input inside a frame or a fragmented message: STREAM_TRUNCATED, nothing queued', () => {
    const frame = masked(Opcode.Binary, new Uint8Array(10));
    const inFrame = openServer();
    inFrame.server.receiveData(frame.slice(0, 8));
    inFrame.server.receiveEof();
    expect(summary(inFrame.events.takeEvents())).toEqual([['error', 'STREAM_TRUNCATED']]);
    expect(inFrame.server.takeOutgoing()).toEqual([]);
    expect(inFrame.server.failure?.closeCode).toBe(undefined);
    const inHeader = openServer();
    inHeader.server.receiveData(frame.slice(0, 1));
    inHeader.server.receiveEof();
    expect(inHeader.server.failure?.code).toBe('STREAM_TRUNCATED');
    const inMessage = openServer();
    inMessage.server.receiveData(masked(Opcode.Text, 'a', false));
    inMessage.server.receiveEof();
    expect(inMessage.server.failure?.code).toBe('STREAM_TRUNCATED');
    const clean = openServer();
    clean.server.receiveData(masked(Opcode.Text, 'a'));
    clean.server.receiveEof();
    expect(summary(clean.events.takeEvents())).toEqual([['message', 'a', false]]);
    expect(clean.server.state).toBe(CLOSED);
    expect(clean.server.failure).toBe(undefined);
  });
});

describe('UTF-8 fail-fast across chunks and fragments (RFC 6455 8.1, Autobahn 6.4.x)', () => {
  it('a fragmented message fails at the fragment with the bad byte, before the last one arrives', () => {
    const { server, events } = openServer();
    server.receiveData(masked(Opcode.Text, hex('ce ba e1 bd b9 cf 83 ce bc ce b5'), false));
    expect(events.takeEvents()).toEqual([]);
    server.receiveData(masked(Opcode.Continuation, hex('ed a0 80 65 64 69 74 65 64'), false));
    expect(
      events.takeEvents().map((e) => e.type === 'error' && [e.error.code, e.error.detail]),
    ).toEqual([['MESSAGE_INVALID_UTF8', { offset: 12 }]]);
  });

  it('one frame arriving in pieces fails in the piece with the bad byte', () => {
    const { server, events } = openServer();
    const frame = masked(
      Opcode.Text,
      hex('ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64'),
    );
    server.receiveData(frame.slice(0, 12)); // header (6) + 6 payload bytes
    expect(events.takeEvents()).toEqual([]);
    server.receiveData(frame.slice(12, 19)); // payload 6–12: F4 at 11, 90 at 12
    expect(summary(events.takeEvents())).toEqual([['error', 'MESSAGE_INVALID_UTF8']]);
    expect(server.failure?.detail).toEqual({ offset: 12 });
  });

  it('control: a sequence split between fragments or pieces is valid', () => {
    const { server, events } = openServer();
    server.receiveData(masked(Opcode.Text, hex('e2'), false));
    server.receiveData(masked(Opcode.Ping, 'p'));
    server.receiveData(masked(Opcode.Continuation, hex('82 ac')));
    const frame = masked(Opcode.Text, hex('f0 9f 98 80'));
    server.receiveData(frame.slice(0, 8));
    server.receiveData(frame.slice(8));
    expect(summary(events.takeEvents())).toEqual([
      ['ping', '70'],
      ['message', '€', false],
      ['message', '😀', false],
    ]);
  });
});

describe('limits (RFC 6455 10.4), checked from the header: 1009', () => {
  function limited(options: object) {
    const events = new EventCollector();
    const server = new Rfc6455ServerConnection(events, options);
    server.receiveData(bytes(SAMPLE_REQUEST));
    server.accept();
    outgoing(server);
    events.takeEvents();
    return { server, events };
  }

  it('maxFrameSize: exactly the limit passes, one byte more fails before any payload', () => {
    const { server, events } = limited({ maxFrameSize: 10 });
    server.receiveData(masked(Opcode.Binary, new Uint8Array(10)));
    server.receiveData(masked(Opcode.Binary, new Uint8Array(11)).slice(0, 6)); // the header only
    expect(summary(events.takeEvents())).toEqual([
      ['message', '00 00 00 00 00 00 00 00 00 00', true],
      ['error', 'FRAME_TOO_LARGE'],
    ]);
    expect(server.failure).toMatchObject({
      closeCode: 1009,
      detail: { length: 11, maxFrameSize: 10 },
    });
    expect(toHex(outgoing(server))).toBe(serverClose(1009));
  });

  it('maxMessageSize: summed over fragments', () => {
    const { server, events } = limited({ maxMessageSize: 10 });
    server.receiveData(
      concat([
        masked(Opcode.Binary, new Uint8Array(6), false),
        masked(Opcode.Continuation, new Uint8Array(4)),
      ]),
    );
    server.receiveData(
      concat([
        masked(Opcode.Binary, new Uint8Array(6), false),
        masked(Opcode.Continuation, new Uint8Array(5), false),
      ]),
    );
    expect(summary(events.takeEvents()).map((e) => (e as string[])[0])).toEqual([
      'message',
      'error',
    ]);
    expect(server.failure).toMatchObject({ code: 'MESSAGE_TOO_LARGE', closeCode: 1009 });
  });

  it('maxFragments: frames per message', () => {
    const { server, events } = limited({ maxFragments: 3 });
    const three = [
      masked(Opcode.Text, 'a', false),
      masked(Opcode.Continuation, 'b', false),
      masked(Opcode.Continuation, 'c'),
    ];
    server.receiveData(concat(three));
    server.receiveData(
      concat([
        ...three.slice(0, 2),
        masked(Opcode.Continuation, 'c', false),
        masked(Opcode.Continuation, 'd'),
      ]),
    );
    expect(summary(events.takeEvents())).toEqual([
      ['message', 'abc', false],
      ['error', 'MESSAGE_TOO_MANY_FRAGMENTS'],
    ]);
    expect(server.failure?.closeCode).toBe(1009);
  });

  it('rejects limits that are not integers ≥ 0 (maxFragments ≥ 1)', () => {
    expect(() => new Rfc6455ServerConnection(new EventCollector(), { maxFragments: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(
      () => new Rfc6455ServerConnection(new EventCollector(), { maxMessageSize: 1.5 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(
      new Rfc6455ServerConnection(new EventCollector(), { maxFrameSize: Number.POSITIVE_INFINITY })
        .state,
    ).toBe(0);
  });
});

describe('a handler that throws is not a peer failure', () => {
  it('the exception propagates; the connection reads nothing more and queues no Close', () => {
    const { server } = openServer();
    const thrown = new Error('handler bug');
    let calls = 0;
    const s = new Rfc6455ServerConnection({
      onMessage() {
        calls++;
        throw thrown;
      },
    });
    s.receiveData(bytes(SAMPLE_REQUEST));
    outgoing(s);
    expect(() =>
      s.receiveData(concat([masked(Opcode.Text, 'a'), masked(Opcode.Text, 'b')])),
    ).toThrow(thrown);
    s.receiveData(masked(Opcode.Text, 'c'));
    expect(calls).toBe(1);
    expect(s.failure).toBe(undefined);
    expect(s.takeOutgoing()).toEqual([]);
    expect(server.state).toBe(OPEN);
  });

  it("control: a SEND_AFTER_CLOSE a handler lets escape is rethrown, not taken for the peer's", () => {
    const s = new Rfc6455ServerConnection({
      onMessage() {
        s.sendClose();
        s.sendText('too late'); // throws SEND_AFTER_CLOSE
      },
    });
    s.receiveData(bytes(SAMPLE_REQUEST));
    expect(() => s.receiveData(masked(Opcode.Text, 'a'))).toThrow(
      expect.objectContaining({ code: 'SEND_AFTER_CLOSE' }),
    );
    expect(s.failure).toBe(undefined);
  });
});
