import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type Frame,
  FrameDecoder,
  type FrameDecoderOptions,
  FrameError,
  type FrameErrorCode,
  Opcode,
  Rsv,
} from '../src/index.js';
import { concat, hex, oneByOne, pattern, toHex, utf8 } from './helpers.js';

function decodeAll(chunks: readonly Uint8Array[], options?: FrameDecoderOptions): Frame[] {
  const d = new FrameDecoder(options);
  for (const c of chunks) d.receiveData(c);
  return d.takeFrames();
}

/** Feeds `bytes` and returns the FrameError thrown (fails the test if none). */
function failure(bytes: Uint8Array, options?: FrameDecoderOptions): FrameError {
  const d = new FrameDecoder(options);
  try {
    d.receiveData(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return error as FrameError;
  }
  throw new Error('expected a FrameError');
}

function expectCode(bytes: Uint8Array, code: FrameErrorCode, section: string, o?: object) {
  const e = failure(bytes, o);
  expect(e.code).toBe(code);
  expect(e.section).toBe(section);
  expect(e.message).toContain(`draft-02 section ${section}`);
}

describe('section 4.6 examples, decoded', () => {
  it('single-frame text "Hello"', () => {
    const [f] = decodeAll([hex('04 05 48 65 6c 6c 6f')]);
    expect(f).toMatchObject({ opcode: Opcode.Text, more: false, rsv: 0 });
    expect(f!.payload).toEqual(utf8('Hello'));
    expect(f!.extensionData.length).toBe(0);
  });

  it('fragmented text "Hel" + "lo"', () => {
    const frames = decodeAll([hex('84 03 48 65 6c 00 02 6c 6f')]);
    expect(frames.map((f) => [f.opcode, f.more, toHex(f.payload)])).toEqual([
      [Opcode.Text, true, '48656c'],
      [Opcode.Continuation, false, '6c6f'],
    ]);
  });

  it('ping and pong "Hello"', () => {
    const frames = decodeAll([hex('02 05 48 65 6c 6c 6f 03 05 48 65 6c 6c 6f')]);
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.Ping, Opcode.Pong]);
    expect(frames[1]!.payload).toEqual(utf8('Hello'));
  });

  it('256-byte binary (16-bit length) and 64 KiB binary (63-bit length)', () => {
    const small = pattern(256);
    const big = pattern(65536, 7);
    const frames = decodeAll([
      concat([hex('05 7E 01 00'), small, hex('05 7F 00 00 00 00 00 01 00 00'), big]),
    ]);
    expect(frames).toHaveLength(2);
    expect(frames[0]!.payload).toEqual(small);
    expect(frames[1]!.payload).toEqual(big);
  });
});

describe('FrameDecoder: incremental and zero-copy', () => {
  it('decodes the same frames fed one byte at a time', () => {
    const wire = concat([hex('84 03 48 65 6c 02 00 00 02 6c 6f 05 7E 01 00'), pattern(256)]);
    const whole = decodeAll([wire]);
    const bytewise = decodeAll(oneByOne(wire));
    expect(bytewise).toEqual(whole);
    expect(bytewise).toHaveLength(4);
  });

  it('returns a payload inside one chunk as a view of that chunk (no copy)', () => {
    const chunk = concat([hex('05 03 01 02 03'), hex('05 7e 01 00'), pattern(256)]);
    const frames = decodeAll([chunk]);
    expect(frames[0]!.payload.buffer).toBe(chunk.buffer);
    expect(frames[0]!.payload.byteOffset).toBe(2);
    expect(frames[1]!.payload.buffer).toBe(chunk.buffer);
  });

  it('is zero-copy too when only the header spans chunks', () => {
    const tail = concat([hex('01 00'), pattern(256)]);
    const frames = decodeAll([hex('05 7e'), tail]);
    expect(frames[0]!.payload.buffer).toBe(tail.buffer);
    expect(frames[0]!.payload).toEqual(pattern(256));
  });

  it('joins a payload spanning chunks into one new buffer', () => {
    const data = pattern(100_000);
    const wire = concat([hex('05 7f 00 00 00 00 00 01 86 a0'), data]);
    const chunks = [wire.subarray(0, 5), wire.subarray(5, 40_000), wire.subarray(40_000)];
    const [f] = decodeAll(chunks);
    expect(f!.payload).toEqual(data);
    expect(f!.payload.buffer).not.toBe(wire.buffer);
  });

  it('accepts non-minimal length encodings (-02 does not require the shortest form)', () => {
    const frames = decodeAll([hex('05 7e 00 02 aa bb'), hex('05 7f 00 00 00 00 00 00 00 01 cc')]);
    expect(frames.map((f) => toHex(f.payload))).toEqual(['aabb', 'cc']);
  });

  it('accepts control frames between fragments (project decision, section 4.4)', () => {
    const frames = decodeAll([hex('85 01 01 02 01 09 01 00 03 00 00 01 02')]);
    expect(frames.map((f) => f.opcode)).toEqual([5, 2, 1, 3, 0]);
  });

  it('accepts control frames over 125 bytes (no control size limit in -02)', () => {
    const [f] = decodeAll([concat([hex('02 7e 00 c8'), pattern(200)])]);
    expect(f!.payload.length).toBe(200);
  });

  it('calls onFrame synchronously instead of queueing when given', () => {
    const seen: number[] = [];
    const d = new FrameDecoder({ onFrame: (f) => seen.push(f.opcode) });
    d.receiveData(hex('04 00 05 00'));
    expect(seen).toEqual([4, 5]);
    expect(d.takeFrames()).toEqual([]);
  });

  it('stop() discards the rest of the input, even mid-chunk', () => {
    const d: FrameDecoder = new FrameDecoder({
      onFrame: (f) => {
        if (f.opcode === Opcode.Close) d.stop();
      },
    });
    d.receiveData(hex('01 00 ff ff ff'));
    d.receiveData(hex('ff'));
    expect(d.error).toBeUndefined();
  });

  it('tracks frameOpen/messageOpen, and ends cleanly on EOF between messages', () => {
    const d = new FrameDecoder();
    d.receiveData(hex('84 01 61 00'));
    expect(d.messageOpen).toBe(true);
    expect(d.frameOpen).toBe(true);
    d.receiveData(hex('01 62'));
    expect(d.messageOpen).toBe(false);
    expect(d.frameOpen).toBe(false);
    expect(() => d.receiveEof()).not.toThrow();
  });

  it('documents its default limits', () => {
    const d = new FrameDecoder();
    expect(d.maxFrameSize).toBe(DEFAULT_MAX_FRAME_SIZE);
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(16 * 1024 * 1024);
    expect(d.maxMessageSize).toBe(DEFAULT_MAX_MESSAGE_SIZE);
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(64 * 1024 * 1024);
    expect(d.maxFragments).toBe(DEFAULT_MAX_FRAGMENTS);
    expect(DEFAULT_MAX_FRAGMENTS).toBe(65536);
  });
});

describe('FrameDecoder: every failure rule', () => {
  it.each([
    ['RSV1', '44 00'],
    ['RSV2', '24 00'],
    ['RSV3', '14 00'],
    ['RSV4', '04 80'],
  ])('FRAME_RSV_SET (4.2): %s set with no extension', (_, bytes) => {
    expectCode(hex(bytes), 'FRAME_RSV_SET', '4.2');
  });

  it.each([
    6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  ])('FRAME_RESERVED_OPCODE (4.2): opcode 0x%s with no extension', (op) => {
    expectCode(Uint8Array.of(op, 0), 'FRAME_RESERVED_OPCODE', '4.2');
  });

  it('FRAME_LENGTH_HIGH_BIT (4.2): the 63-bit length has its top bit set', () => {
    expectCode(hex('05 7f 80 00 00 00 00 00 00 01'), 'FRAME_LENGTH_HIGH_BIT', '4.2');
  });

  it('FRAME_CONTROL_FRAGMENTED (4.4): MORE on Close, Ping and Pong', () => {
    expectCode(hex('81 00'), 'FRAME_CONTROL_FRAGMENTED', '4.4');
    expectCode(hex('82 00'), 'FRAME_CONTROL_FRAGMENTED', '4.4');
    expectCode(hex('83 00'), 'FRAME_CONTROL_FRAGMENTED', '4.4');
  });

  it('FRAME_UNEXPECTED_CONTINUATION (4.3): continuation with no message started', () => {
    expectCode(hex('00 01 61'), 'FRAME_UNEXPECTED_CONTINUATION', '4.3');
    // …and after a message has ended.
    expectCode(hex('84 01 61 00 01 62 00 00'), 'FRAME_UNEXPECTED_CONTINUATION', '4.3');
  });

  it('FRAME_INTERLEAVED_DATA (4.3): a new data frame inside a fragmented message', () => {
    expectCode(hex('84 01 61 05 00'), 'FRAME_INTERLEAVED_DATA', '4.3');
    expectCode(hex('85 01 61 84 00'), 'FRAME_INTERLEAVED_DATA', '4.3');
  });

  it('FRAME_TOO_LARGE (4.2): fails after the header bytes alone, allocating nothing', () => {
    // A frame declaring 1 GiB: only its 10 header bytes are ever fed.
    const d = new FrameDecoder({ maxFrameSize: 1024 * 1024 });
    let error: unknown;
    try {
      for (const b of oneByOne(hex('05 7f 00 00 00 00 40 00 00 00'))) d.receiveData(b);
    } catch (e) {
      error = e;
    }
    expect((error as FrameError).code).toBe('FRAME_TOO_LARGE');
    expect((error as FrameError).message).toContain('1073741824');
    expect(d.frameOpen).toBe(false);
  });

  it('FRAME_TOO_LARGE (4.2): the default limit rejects 1 GiB from the header too', () => {
    expectCode(hex('05 7f 00 00 00 00 40 00 00 00'), 'FRAME_TOO_LARGE', '4.2');
  });

  it('FRAME_TOO_LARGE (4.2): lengths beyond 2^53 − 1 fail even with no limit', () => {
    expectCode(hex('05 7f 00 20 00 00 00 00 00 00'), 'FRAME_TOO_LARGE', '4.2', {
      maxFrameSize: Number.POSITIVE_INFINITY,
    });
  });

  it('FRAME_TOO_LARGE applies to control frames as well', () => {
    expectCode(hex('02 7e 01 00'), 'FRAME_TOO_LARGE', '4.2', { maxFrameSize: 255 });
  });

  it('FRAME_MESSAGE_TOO_LARGE (4.3): the sum of fragments, checked from each header', () => {
    const o = { maxMessageSize: 10 };
    expect(decodeAll([hex('84 05'), utf8('abcde'), hex('00 05'), utf8('fghij')], o)).toHaveLength(
      2,
    );
    // The third header pushes the total to 11: it fails before its payload arrives.
    expectCode(
      hex('84 05 61 61 61 61 61 80 05 61 61 61 61 61 00 01'),
      'FRAME_MESSAGE_TOO_LARGE',
      '4.3',
      o,
    );
    expectCode(hex('04 0b'), 'FRAME_MESSAGE_TOO_LARGE', '4.3', o);
  });

  it('FRAME_TOO_MANY_FRAGMENTS (4.3): a flood of empty fragments', () => {
    const o = { maxFragments: 3 };
    expect(decodeAll([hex('84 00 80 00 00 00')], o)).toHaveLength(3);
    expectCode(hex('84 00 80 00 80 00 00 00'), 'FRAME_TOO_MANY_FRAGMENTS', '4.3', o);
  });

  it('FRAME_TRUNCATED (4.2 / 4.3): end of input inside a frame or a message', () => {
    const d1 = new FrameDecoder();
    d1.receiveData(hex('05 7e 01'));
    expect(() => d1.receiveEof()).toThrow(/FRAME_TRUNCATED; draft-02 section 4\.2/);
    const d2 = new FrameDecoder();
    d2.receiveData(hex('05 05 01'));
    expect(() => d2.receiveEof()).toThrow(/FRAME_TRUNCATED; draft-02 section 4\.2/);
    const d3 = new FrameDecoder();
    d3.receiveData(hex('85 01 01'));
    expect(() => d3.receiveEof()).toThrow(/FRAME_TRUNCATED; draft-02 section 4\.3/);
  });

  it('FRAME_INVALID_ARGUMENT: limits must be non-negative integers (maxFragments ≥ 1)', () => {
    expect(() => new FrameDecoder({ maxFrameSize: -1 })).toThrow(/FRAME_INVALID_ARGUMENT/);
    expect(() => new FrameDecoder({ maxMessageSize: 1.5 })).toThrow(/FRAME_INVALID_ARGUMENT/);
    expect(() => new FrameDecoder({ maxFragments: 0 })).toThrow(/FRAME_INVALID_ARGUMENT/);
  });

  it('delivers the frames before the bad one, then stays failed on later input', () => {
    const d = new FrameDecoder();
    expect(() => d.receiveData(hex('04 01 61 44 00'))).toThrow(FrameError);
    expect(d.takeFrames()).toHaveLength(1);
    expect(d.error?.code).toBe('FRAME_RSV_SET');
    expect(() => d.receiveData(hex('04 00'))).toThrow(d.error);
    expect(d.takeFrames()).toHaveLength(0);
  });

  it('detects a violation in a header split across chunks', () => {
    const d = new FrameDecoder({ maxFrameSize: 100 });
    d.receiveData(hex('05'));
    expect(() => d.receiveData(hex('7e 01 00'))).toThrow(/FRAME_TOO_LARGE/);
  });

  it('reserved bits claimed by an extension are accepted (see extension tests)', () => {
    const frames = decodeAll([hex('44 00 04 80')], {
      extensions: [{ name: 'bits', rsv: Rsv.RSV1 | Rsv.RSV4 }],
    });
    expect(frames.map((f) => f.rsv)).toEqual([Rsv.RSV1, Rsv.RSV4]);
  });
});
