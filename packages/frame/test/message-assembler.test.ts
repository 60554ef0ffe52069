import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  type Frame,
  FrameDecoder,
  FrameError,
  MessageAssembler,
  type MessageAssemblerOptions,
  type TextPolicy,
} from '../src/index.js';
import { hex, utf8 } from './helpers.js';
import { referenceDecode } from './utf8-reference.js';

function run(wire: Uint8Array, options?: MessageAssemblerOptions): ConnectionEvent[] {
  const d = new FrameDecoder();
  const a = new MessageAssembler(options);
  const events: ConnectionEvent[] = [];
  d.receiveData(wire);
  for (const f of d.takeFrames()) {
    const e = a.push(f);
    if (e) events.push(e);
  }
  return events;
}

function textFrame(bytes: Uint8Array): Uint8Array {
  return Uint8Array.of(0x04, bytes.length, ...bytes);
}

/** Invalid UTF-8 and what the WHATWG decoder (one U+FFFD per maximal subpart) makes of it. */
const INVALID: [string, string, string][] = [
  ['overlong 2-byte "/"', 'c0 af', '\ufffd\ufffd'],
  ['overlong 3-byte "/"', 'e0 80 af', '\ufffd\ufffd\ufffd'],
  ['overlong 4-byte "/"', 'f0 80 80 af', '\ufffd\ufffd\ufffd\ufffd'],
  ['surrogate U+D800', 'ed a0 80', '\ufffd\ufffd\ufffd'],
  ['surrogate U+DFFF', 'ed bf bf', '\ufffd\ufffd\ufffd'],
  ['truncated 3-byte at end', '61 e2 82', 'a\ufffd'],
  ['truncated 4-byte at end', 'f0 9f 98', '\ufffd'],
  ['truncated then ASCII', 'e2 82 41', '\ufffdA'],
  ['above U+10FFFF (F4 90)', 'f4 90 80 80', '\ufffd\ufffd\ufffd\ufffd'],
  ['lead byte F5', 'f5 80 80 80', '\ufffd\ufffd\ufffd\ufffd'],
  ['stray continuation', '61 80 62', 'a\ufffdb'],
  ['FE and FF', 'fe ff', '\ufffd\ufffd'],
];

describe('MessageAssembler: text policies (section 6)', () => {
  it.each(INVALID)('replace: %s → WHATWG replacement', (_, bytes, expected) => {
    const [e] = run(textFrame(hex(bytes)));
    expect(e).toEqual({ type: 'message', data: expected, binary: false });
    expect(referenceDecode(hex(bytes))).toBe(expected);
  });

  it.each(INVALID)('fail: %s → FRAME_INVALID_UTF8 (section 6)', (_, bytes) => {
    let error: unknown;
    try {
      run(textFrame(hex(bytes)), { textPolicy: 'fail' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe('FRAME_INVALID_UTF8');
    expect((error as FrameError).section).toBe('6');
  });

  it.each(INVALID)('raw: %s → the bytes, unchanged, flagged as text', (_, bytes) => {
    const [e] = run(textFrame(hex(bytes)), { textPolicy: 'raw' });
    expect(e).toEqual({ type: 'message', data: hex(bytes), binary: false });
  });

  it('valid UTF-8 decodes the same under replace and fail; a leading BOM is kept', () => {
    const text = '\ufeffHé € 😀';
    for (const textPolicy of ['replace', 'fail'] as const) {
      const [e] = run(textFrame(utf8(text)), { textPolicy });
      expect(e).toEqual({ type: 'message', data: text, binary: false });
    }
  });

  it('a sequence split across fragments is decoded from the assembled message', () => {
    // "€" = E2 82 AC, split after its first byte.
    const valid = hex('84 01 e2 00 02 82 ac');
    expect(run(valid)).toEqual([{ type: 'message', data: '€', binary: false }]);
    expect(run(valid, { textPolicy: 'fail' })).toEqual([
      { type: 'message', data: '€', binary: false },
    ]);
    // E2 then "A": the split sequence is invalid as a whole.
    const invalid = hex('84 01 e2 00 01 41');
    expect(run(invalid)).toEqual([{ type: 'message', data: '\ufffdA', binary: false }]);
    expect(() => run(invalid, { textPolicy: 'fail' })).toThrow(/FRAME_INVALID_UTF8/);
  });

  it('rejects an unknown policy with FRAME_INVALID_ARGUMENT', () => {
    expect(() => new MessageAssembler({ textPolicy: 'lenient' as TextPolicy })).toThrow(
      /FRAME_INVALID_ARGUMENT/,
    );
  });

  it('property: replace equals an independent WHATWG decoder; fail throws exactly when it does', () => {
    const bytesArb = fc.uint8Array({ maxLength: 40 }).chain((raw) =>
      // Bias toward the interesting region: lead and continuation bytes.
      fc.constant(raw.map((b) => (b & 1 ? 0x80 | (b & 0x7f) : b))),
    );
    fc.assert(
      fc.property(bytesArb, fc.integer({ min: 0, max: 40 }), (bytes, cut) => {
        // Split into two fragments at a random place, possibly inside a sequence.
        const at = Math.min(cut, bytes.length);
        const wire = Uint8Array.of(
          0x84,
          at,
          ...bytes.subarray(0, at),
          0x00,
          bytes.length - at,
          ...bytes.subarray(at),
        );
        const replaced = run(wire)[0] as { data: string };
        expect(replaced.data).toBe(referenceDecode(bytes));
        const strict = referenceDecode(bytes, true);
        if (strict === null) expect(() => run(wire, { textPolicy: 'fail' })).toThrow(FrameError);
        else expect((run(wire, { textPolicy: 'fail' })[0] as { data: string }).data).toBe(strict);
        expect((run(wire, { textPolicy: 'raw' })[0] as { data: Uint8Array }).data).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('MessageAssembler: messages and control events', () => {
  it('binary messages are bytes; fragmented ones are joined', () => {
    expect(run(hex('05 02 01 02 85 01 0a 80 00 00 02 0b 0c'))).toEqual([
      { type: 'message', data: hex('01 02'), binary: true },
      { type: 'message', data: hex('0a 0b 0c'), binary: true },
    ]);
  });

  it('control frames become ping / pong / close events, also between fragments', () => {
    expect(run(hex('84 01 61 02 01 70 03 00 00 01 62 01 02 68 69'))).toEqual([
      { type: 'ping', data: hex('70') },
      { type: 'pong', data: new Uint8Array(0) },
      { type: 'message', data: 'ab', binary: false },
      { type: 'close', body: utf8('hi') },
    ]);
  });

  it('a frame with an extension opcode is reported as a frame event', () => {
    const a = new MessageAssembler();
    const frame: Frame = {
      opcode: 0xa,
      more: false,
      rsv: 0,
      extensionData: new Uint8Array(0),
      payload: hex('01'),
    };
    expect(a.push(frame)).toEqual({ type: 'frame', frame });
  });

  it('checks the fragment sequence itself when fed frames not from a decoder', () => {
    const a = new MessageAssembler();
    expect(() => a.data(0, false, hex('01'))).toThrow(/FRAME_UNEXPECTED_CONTINUATION/);
    a.data(4, true, hex('61'));
    expect(a.messageOpen).toBe(true);
    expect(() => a.data(5, false, hex('01'))).toThrow(/FRAME_INTERLEAVED_DATA/);
    a.reset();
    expect(a.messageOpen).toBe(false);
  });

  it('keeps no view of small fragments: their chunks can be reused afterwards', () => {
    const a = new MessageAssembler();
    const chunk = hex('61 62');
    a.data(4, true, chunk.subarray(0, 1));
    chunk[0] = 0x7a; // The caller's buffer changes after the fragment was handed over.
    const e = a.data(0, false, chunk.subarray(1, 2));
    expect(e).toEqual({ type: 'message', data: 'ab', binary: false });
  });
});

describe('MessageAssembler: streaming mode', () => {
  it('delivers each fragment as it arrives, text decoded across the splits', () => {
    const events = run(hex('84 01 e2 80 01 82 00 02 ac 41'), { streaming: true });
    expect(events).toEqual([
      { type: 'fragment', data: '', binary: false, first: true, last: false },
      { type: 'fragment', data: '', binary: false, first: false, last: false },
      { type: 'fragment', data: '€A', binary: false, first: false, last: true },
    ]);
  });

  it('flushes an incomplete sequence at the end of the message (replace / fail)', () => {
    const wire = hex('84 01 61 00 01 e2');
    expect(run(wire, { streaming: true }).map((e) => (e as { data: string }).data)).toEqual([
      'a',
      '\ufffd',
    ]);
    expect(() => run(wire, { streaming: true, textPolicy: 'fail' })).toThrow(/FRAME_INVALID_UTF8/);
  });

  it('binary fragments are views; unfragmented messages stay message events', () => {
    expect(run(hex('85 01 01 00 01 02 05 01 03'), { streaming: true })).toEqual([
      { type: 'fragment', data: hex('01'), binary: true, first: true, last: false },
      { type: 'fragment', data: hex('02'), binary: true, first: false, last: true },
      { type: 'message', data: hex('03'), binary: true },
    ]);
  });

  it('raw text fragments are bytes', () => {
    expect(run(hex('84 01 e2 00 01 41'), { streaming: true, textPolicy: 'raw' })).toEqual([
      { type: 'fragment', data: hex('e2'), binary: false, first: true, last: false },
      { type: 'fragment', data: hex('41'), binary: false, first: false, last: true },
    ]);
  });

  it('reset() forgets a half-decoded sequence', () => {
    const a = new MessageAssembler({ streaming: true });
    a.data(4, true, hex('e2'));
    a.reset();
    expect(a.data(4, true, hex('41'))).toMatchObject({ data: 'A' });
  });
});

describe('text policy defaults', () => {
  it('replace is the default policy', () => {
    expect(new MessageAssembler().textPolicy).toBe('replace' satisfies TextPolicy);
  });
});
