import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  FrameConnection,
  FrameError,
  GATHER_THRESHOLD,
  Opcode,
} from '../src/index.js';
import { concat, hex, oneByOne, pattern, toHex, utf8 } from './helpers.js';

function wireOf(c: FrameConnection): string {
  return toHex(concat(c.takeOutgoing()));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FrameError);
    return (e as FrameError).code;
  }
  return undefined;
}

describe('FrameConnection: receiving', () => {
  it('delivers messages, text as strings and binary as bytes (sections 4.5, 4.6)', () => {
    const c = new FrameConnection();
    c.receiveData(hex('04 05 48 65 6c 6c 6f 05 02 01 02'));
    expect(c.takeEvents()).toEqual([
      { type: 'message', data: 'Hello', binary: false },
      { type: 'message', data: hex('01 02'), binary: true },
    ]);
    expect(c.takeEvents()).toEqual([]);
  });

  it('answers a Ping with a Pong carrying identical data (section 4.4, 4.6 example)', () => {
    const c = new FrameConnection();
    c.receiveData(hex('02 05 48 65 6c 6c 6f'));
    expect(c.takeEvents()).toEqual([{ type: 'ping', data: utf8('Hello') }]);
    expect(wireOf(c)).toBe('030548656c6c6f');
  });

  it('with autoPong: false, reports the Ping and queues nothing', () => {
    const c = new FrameConnection({ autoPong: false });
    c.receiveData(hex('02 01 61'));
    expect(c.takeEvents()).toHaveLength(1);
    expect(c.takeOutgoing()).toEqual([]);
  });

  it('only reports a Pong (an unsolicited Pong is allowed)', () => {
    const c = new FrameConnection();
    c.receiveData(hex('03 01 61'));
    expect(c.takeEvents()).toEqual([{ type: 'pong', data: hex('61') }]);
    expect(c.takeOutgoing()).toEqual([]);
  });

  it('calls onEvent synchronously, and lets it send (an echo)', () => {
    const seen: ConnectionEvent[] = [];
    const c: FrameConnection = new FrameConnection({
      onEvent: (e) => {
        seen.push(e);
        if (e.type === 'message' && typeof e.data === 'string') c.sendText(e.data);
      },
    });
    for (const b of oneByOne(hex('04 02 68 69 04 01 21'))) c.receiveData(b);
    expect(seen.map((e) => e.type)).toEqual(['message', 'message']);
    expect(c.takeEvents()).toEqual([]);
    expect(wireOf(c)).toBe('04026869' + '040121');
  });

  it('raw text policy delivers text as bytes flagged binary: false', () => {
    const c = new FrameConnection({ textPolicy: 'raw' });
    c.receiveData(hex('04 02 c0 af'));
    expect(c.takeEvents()).toEqual([{ type: 'message', data: hex('c0 af'), binary: false }]);
  });

  it('streaming mode delivers fragments as they arrive', () => {
    const c = new FrameConnection({ streaming: true });
    c.receiveData(hex('85 01 01'));
    expect(c.takeEvents()).toEqual([
      { type: 'fragment', data: hex('01'), binary: true, first: true, last: false },
    ]);
    c.receiveData(hex('00 01 02'));
    expect(c.takeEvents()).toEqual([
      { type: 'fragment', data: hex('02'), binary: true, first: false, last: true },
    ]);
  });
});

describe('FrameConnection: failing (section 7)', () => {
  it('emits one error event, closes, and ignores further input', () => {
    const c = new FrameConnection();
    c.receiveData(hex('04 01 61 44 00 04 01 62'));
    const events = c.takeEvents();
    expect(events.map((e) => e.type)).toEqual(['message', 'error']);
    const error = (events[1] as { error: FrameError }).error;
    expect(error.code).toBe('FRAME_RSV_SET');
    expect(c.error).toBe(error);
    expect(c.state).toBe('closed');
    c.receiveData(hex('04 01 63'));
    c.receiveEof();
    expect(c.takeEvents()).toEqual([]);
    expect(c.takeOutgoing()).toEqual([]); // Failing closes the transport: no Close frame.
  });

  it('FRAME_INVALID_UTF8 under the fail policy becomes an error event', () => {
    const c = new FrameConnection({ textPolicy: 'fail' });
    c.receiveData(hex('04 02 c0 af'));
    const [e] = c.takeEvents();
    expect(e).toMatchObject({ type: 'error', error: { code: 'FRAME_INVALID_UTF8' } });
  });

  it('limits from the options apply: a 1 GiB header fails at once', () => {
    const c = new FrameConnection({ maxFrameSize: 1 << 20 });
    c.receiveData(hex('05 7f 00 00 00 00 40 00 00 00'));
    expect(c.takeEvents()).toMatchObject([{ type: 'error', error: { code: 'FRAME_TOO_LARGE' } }]);
  });

  it('FRAME_TRUNCATED when input ends inside a frame or a message', () => {
    const c = new FrameConnection();
    c.receiveData(hex('84 01 61'));
    c.receiveEof();
    expect(c.takeEvents()).toMatchObject([{ type: 'error', error: { code: 'FRAME_TRUNCATED' } }]);
    expect(c.state).toBe('closed');
  });

  it('a clean end of input between messages is no error, and closes', () => {
    const c = new FrameConnection();
    c.receiveData(hex('04 00'));
    c.receiveEof();
    expect(c.takeEvents().map((e) => e.type)).toEqual(['message']);
    expect(c.state).toBe('closed');
    expect(codeOf(() => c.sendText('x'))).toBe('FRAME_SEND_AFTER_CLOSE');
  });

  it('an exception thrown by onEvent propagates and closes the connection', () => {
    const c = new FrameConnection({
      onEvent: () => {
        throw new RangeError('app bug');
      },
    });
    expect(() => c.receiveData(hex('04 00'))).toThrow(RangeError);
    expect(c.state).toBe('closed');
  });
});

describe('FrameConnection: closing handshake (section 7)', () => {
  it('open → closing (our Close sent) → closed (theirs received)', () => {
    const c = new FrameConnection();
    expect(c.state).toBe('open');
    expect(c.sendClose(utf8('bye'))).toBe(true);
    expect(c.state).toBe('closing');
    expect(c.closeSent).toBe(true);
    expect(wireOf(c)).toBe('0103627965');
    // Data the peer sent before seeing our Close is still delivered.
    c.receiveData(hex('04 01 61'));
    c.receiveData(hex('01 00'));
    expect(c.takeEvents()).toEqual([
      { type: 'message', data: 'a', binary: false },
      { type: 'close', body: new Uint8Array(0) },
    ]);
    expect(c.closeReceived).toBe(true);
    expect(c.state).toBe('closed');
    expect(c.takeOutgoing()).toEqual([]); // No second Close.
  });

  it('in closing state, refuses data with FRAME_SEND_AFTER_CLOSE but allows Ping/Pong', () => {
    const c = new FrameConnection();
    c.sendClose();
    c.takeOutgoing();
    expect(codeOf(() => c.sendText('x'))).toBe('FRAME_SEND_AFTER_CLOSE');
    expect(codeOf(() => c.sendBinary(hex('01')))).toBe('FRAME_SEND_AFTER_CLOSE');
    expect(codeOf(() => c.sendFragment('x', true))).toBe('FRAME_SEND_AFTER_CLOSE');
    expect(codeOf(() => c.sendFrame({ opcode: Opcode.Binary }))).toBe('FRAME_SEND_AFTER_CLOSE');
    expect(codeOf(() => c.sendFrame({ opcode: Opcode.Close }))).toBe('FRAME_SEND_AFTER_CLOSE');
    c.sendPing(hex('01'));
    c.sendPong();
    expect(wireOf(c)).toBe('020101' + '0300');
    expect(c.sendClose()).toBe(false);
  });

  it('on receiving Close, echoes its body, reports it, and discards what follows', () => {
    const c = new FrameConnection();
    c.receiveData(hex('01 02 68 69 04 01 61 44 00'));
    expect(c.takeEvents()).toEqual([{ type: 'close', body: utf8('hi') }]);
    expect(wireOf(c)).toBe('01026869');
    expect(c.state).toBe('closed');
    c.receiveData(hex('04 01 62'));
    expect(c.takeEvents()).toEqual([]);
    expect(codeOf(() => c.sendPing())).toBe('FRAME_SEND_AFTER_CLOSE');
    expect(codeOf(() => c.sendPong())).toBe('FRAME_SEND_AFTER_CLOSE');
    expect(c.sendClose()).toBe(false);
  });

  it('a Close between fragments drops the message in progress', () => {
    const c = new FrameConnection();
    c.receiveData(hex('84 01 61 01 00 00 01 62'));
    expect(c.takeEvents()).toEqual([{ type: 'close', body: new Uint8Array(0) }]);
  });

  it('simultaneous close: each side sends one Close and both end closed', () => {
    const a = new FrameConnection();
    const b = new FrameConnection();
    a.sendClose(utf8('a'));
    b.sendClose(utf8('b'));
    const fromA = a.takeOutgoing();
    const fromB = b.takeOutgoing();
    for (const chunk of fromB) a.receiveData(chunk);
    for (const chunk of fromA) b.receiveData(chunk);
    expect(a.state).toBe('closed');
    expect(b.state).toBe('closed');
    expect(a.takeOutgoing()).toEqual([]);
    expect(b.takeOutgoing()).toEqual([]);
    expect(a.takeEvents()).toEqual([{ type: 'close', body: utf8('b') }]);
  });

  it('peer-initiated close end to end: the initiator gets its own body echoed', () => {
    const client = new FrameConnection();
    const server = new FrameConnection();
    client.sendClose(utf8('done'));
    for (const c of client.takeOutgoing()) server.receiveData(c);
    for (const c of server.takeOutgoing()) client.receiveData(c);
    expect(client.takeEvents()).toEqual([{ type: 'close', body: utf8('done') }]);
    expect(client.state).toBe('closed');
    expect(server.state).toBe('closed');
  });
});

describe('FrameConnection: sending', () => {
  it('encodes text and binary with minimal lengths (4.6 examples)', () => {
    const c = new FrameConnection();
    c.sendText('Hello');
    c.sendBinary(pattern(256));
    const wire = concat(c.takeOutgoing());
    expect(toHex(wire.subarray(0, 11))).toBe('040548656c6c6f057e0100');
    expect(wire.subarray(11)).toEqual(pattern(256));
  });

  it('encodes non-ASCII and long text with the shortest length form', () => {
    const c = new FrameConnection();
    c.sendText('é€😀');
    c.sendText('x'.repeat(100)); // Worst case 300 bytes, actual 100: 7-bit length.
    c.sendText('é'.repeat(100)); // 200 bytes: 16-bit length.
    c.sendText('\ud800'); // A lone surrogate is encoded as U+FFFD.
    const wire = concat(c.takeOutgoing());
    const expected = concat([
      hex('04 09 c3 a9 e2 82 ac f0 9f 98 80'),
      hex('04 64'),
      utf8('x'.repeat(100)),
      hex('04 7e 00 c8'),
      utf8('é'.repeat(100)),
      hex('04 03 ef bf bd'),
    ]);
    expect(toHex(wire)).toBe(toHex(expected));
  });

  it('coalesces small frames into one chunk per takeOutgoing', () => {
    const c = new FrameConnection();
    for (let i = 0; i < 100; i++) c.sendText('hi');
    expect(c.outgoingBytes).toBe(400);
    const chunks = c.takeOutgoing();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.length).toBe(400);
    expect(c.outgoingBytes).toBe(0);
    c.sendText('again');
    expect(c.takeOutgoing()[0]!.buffer).toBe(chunks[0]!.buffer); // Same block, later region.
    expect(toHex(chunks[0]!.subarray(0, 4))).toBe('04026869'); // Earlier region untouched.
  });

  it('never copies a large payload: header chunk, then the caller’s buffer', () => {
    const c = new FrameConnection();
    const big = pattern(GATHER_THRESHOLD + 1);
    c.sendText('a');
    c.sendBinary(big);
    c.sendText('b');
    const chunks = c.takeOutgoing();
    expect(chunks).toHaveLength(3);
    expect(toHex(chunks[0]!)).toBe('040161' + '057e0401');
    expect(chunks[1]).toBe(big);
    expect(toHex(chunks[2]!)).toBe('040162');
  });

  it('sends a long text (over the gather threshold) correctly', () => {
    const c = new FrameConnection();
    const text = 'ab€'.repeat(10000);
    c.sendText(text);
    const peer = new FrameConnection();
    for (const chunk of c.takeOutgoing()) peer.receiveData(chunk);
    expect(peer.takeEvents()).toEqual([{ type: 'message', data: text, binary: false }]);
  });

  it('fragments on request (4.6 fragmented example)', () => {
    const c = new FrameConnection();
    c.sendText('Hello', 3);
    expect(wireOf(c)).toBe('840348656c' + '00026c6f');
    expect(codeOf(() => c.sendBinary(hex('01'), 0))).toBe('FRAME_INVALID_ARGUMENT');
  });

  it('sendFragment streams a message; control frames may go in between', () => {
    const c = new FrameConnection();
    c.sendFragment('Hel', false);
    c.sendPing();
    c.sendFragment(utf8('lo'), true);
    c.sendFragment(hex('01'), false);
    c.sendFragment(hex('02'), true);
    c.sendFragment('x', true, true);
    expect(wireOf(c)).toBe('840348656c' + '0200' + '00026c6f' + '850101' + '000102' + '050178');
  });

  it('FRAME_SEND_INTERLEAVED: a new message while a fragmented one is unfinished', () => {
    const c = new FrameConnection();
    c.sendFragment('a', false);
    expect(codeOf(() => c.sendText('b'))).toBe('FRAME_SEND_INTERLEAVED');
    expect(codeOf(() => c.sendBinary(hex('01')))).toBe('FRAME_SEND_INTERLEAVED');
    c.sendFragment('c', true);
    c.sendText('d');
  });

  it('sendFrame writes raw frames and validates its arguments', () => {
    const c = new FrameConnection();
    c.sendFrame({ opcode: 0xa, rsv: 0b1000, payload: hex('01') });
    expect(wireOf(c)).toBe('4a0101');
    expect(codeOf(() => c.sendFrame({ opcode: 16 }))).toBe('FRAME_INVALID_ARGUMENT');
    c.sendFrame({ opcode: Opcode.Close });
    expect(c.closeSent).toBe(true);
    expect(c.state).toBe('closing');
  });
});
