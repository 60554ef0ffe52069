import { describe, expect, it } from 'vitest';
import {
  encodeBinary,
  encodeClose,
  encodeFrame,
  encodeFrameChunks,
  encodeFrameHeader,
  encodePing,
  encodePong,
  encodeText,
  FrameError,
  fragmentMessage,
  frameHeaderSize,
  GATHER_THRESHOLD,
  Opcode,
  Rsv,
} from '../src/index.js';
import { concat, hex, pattern, toHex, utf8 } from './helpers.js';

describe('section 4.6 examples, encoded byte-exact', () => {
  it('single-frame text "Hello": 04 05 48 65 6c 6c 6f', () => {
    expect(toHex(encodeText('Hello'))).toBe('040548656c6c6f');
  });

  it('fragmented text "Hel" + "lo": 84 03 48 65 6c, 00 02 6c 6f', () => {
    const chunks = fragmentMessage(Opcode.Text, 'Hello', 3);
    expect(chunks.map(toHex)).toEqual(['840348656c', '00026c6f']);
  });

  it('ping "Hello" 02 05 … and its pong 03 05 …', () => {
    expect(toHex(encodePing(utf8('Hello')))).toBe('020548656c6c6f');
    expect(toHex(encodePong(utf8('Hello')))).toBe('030548656c6c6f');
  });

  it('256-byte binary: 05 7E 01 00 + 256 bytes', () => {
    const data = pattern(256);
    const out = encodeBinary(data);
    expect(toHex(out.subarray(0, 4))).toBe('057e0100');
    expect(out.subarray(4)).toEqual(data);
  });

  it('64 KiB binary: 05 7F 00 00 00 00 00 01 00 00 + 65536 bytes', () => {
    const data = pattern(65536);
    const out = encodeBinary(data);
    expect(toHex(out.subarray(0, 10))).toBe('057f0000000000010000');
    expect(out.length).toBe(65546);
    expect(out.subarray(10)).toEqual(data);
  });
});

describe('encodeFrame (section 4.2)', () => {
  it('uses the minimal length encoding at every boundary', () => {
    const cases: [number, string][] = [
      [0, '0500'],
      [125, '057d'],
      [126, '057e007e'],
      [65535, '057effff'],
      [65536, '057f0000000000010000'],
    ];
    for (const [n, head] of cases) {
      const out = encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(n) });
      expect(toHex(out.subarray(0, head.length / 2))).toBe(head);
      expect(out.length).toBe(head.length / 2 + n);
      expect(frameHeaderSize(n)).toBe(head.length / 2);
    }
  });

  it('writes the 63-bit length with its top bit clear (largest safe length)', () => {
    const head = encodeFrameHeader({ opcode: Opcode.Binary }, Number.MAX_SAFE_INTEGER);
    expect(toHex(head)).toBe('057f001fffffffffffff');
    expect(head[2]! & 0x80).toBe(0);
  });

  it('places MORE in 0x80 of byte 0, RSV1–3 in 0x70 of byte 0, RSV4 in 0x80 of byte 1', () => {
    expect(toHex(encodeFrame({ opcode: Opcode.Text, more: true }))).toBe('8400');
    expect(toHex(encodeFrame({ opcode: 0, rsv: Rsv.RSV1 }))).toBe('4000');
    expect(toHex(encodeFrame({ opcode: 0, rsv: Rsv.RSV2 }))).toBe('2000');
    expect(toHex(encodeFrame({ opcode: 0, rsv: Rsv.RSV3 }))).toBe('1000');
    expect(toHex(encodeFrame({ opcode: 0, rsv: Rsv.RSV4 }))).toBe('0080');
    expect(toHex(encodeFrame({ opcode: 0xf, more: true, rsv: 0xf, payload: hex('aa') }))).toBe(
      'ff81aa',
    );
  });

  it('puts extension data before application data and counts both in the length', () => {
    const out = encodeFrame({
      opcode: Opcode.Binary,
      extensionData: hex('0102'),
      payload: hex('0304'),
    });
    expect(toHex(out)).toBe('050401020304');
  });

  it('encodes Close with an arbitrary body (no status codes in -02)', () => {
    expect(toHex(encodeClose())).toBe('0100');
    expect(toHex(encodeClose(utf8('bye')))).toBe('0103627965');
  });

  it('rejects an opcode or rsv outside 4 bits with FRAME_INVALID_ARGUMENT', () => {
    expect(() => encodeFrame({ opcode: 16 })).toThrow(FrameError);
    expect(() => encodeFrame({ opcode: 1, rsv: 16 })).toThrow(/FRAME_INVALID_ARGUMENT/);
    expect(() => encodeFrameHeader({ opcode: 4 }, -1)).toThrow(/FRAME_INVALID_ARGUMENT/);
  });
});

describe('encodeFrameChunks (gathered write)', () => {
  it('returns one buffer up to GATHER_THRESHOLD (1 KiB) bytes of payload', () => {
    expect(GATHER_THRESHOLD).toBe(1024);
    const data = pattern(GATHER_THRESHOLD);
    const chunks = encodeFrameChunks({ opcode: Opcode.Binary, payload: data });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toEqual(encodeBinary(data));
  });

  it('returns [header, payload] above it, the payload being the caller’s buffer itself', () => {
    const data = pattern(GATHER_THRESHOLD + 1);
    const chunks = encodeFrameChunks({
      opcode: Opcode.Binary,
      extensionData: hex('ee'),
      payload: data,
    });
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toBe(data);
    expect(toHex(chunks[0]!)).toBe('057e0402ee');
    expect(concat(chunks)).toEqual(
      encodeFrame({ opcode: Opcode.Binary, extensionData: hex('ee'), payload: data }),
    );
  });
});

describe('fragmentMessage (section 4.3)', () => {
  it('fits in one unfragmented frame when the payload is small enough', () => {
    expect(fragmentMessage(Opcode.Binary, hex('0102'), 2).map(toHex)).toEqual(['05020102']);
    expect(fragmentMessage(Opcode.Binary, new Uint8Array(0), 4).map(toHex)).toEqual(['0500']);
  });

  it('first frame opcode + MORE, middle continuations + MORE, last continuation without', () => {
    expect(fragmentMessage(Opcode.Binary, hex('0102030405'), 2).map(toHex)).toEqual([
      '85020102',
      '80020304',
      '000105',
    ]);
  });

  it('does not copy large fragments: they are views of the payload', () => {
    const data = pattern(3 * (GATHER_THRESHOLD + 10));
    const chunks = fragmentMessage(Opcode.Binary, data, GATHER_THRESHOLD + 10);
    expect(chunks).toHaveLength(6);
    expect(chunks[1]!.buffer).toBe(data.buffer);
    expect(chunks[3]!.buffer).toBe(data.buffer);
  });

  it('rejects control opcodes, continuation, and fragment sizes below 1', () => {
    expect(() => fragmentMessage(Opcode.Ping, hex('01'), 1)).toThrow(/FRAME_INVALID_ARGUMENT/);
    expect(() => fragmentMessage(Opcode.Continuation, hex('01'), 1)).toThrow(
      /FRAME_INVALID_ARGUMENT/,
    );
    expect(() => fragmentMessage(Opcode.Text, 'x', 0)).toThrow(/FRAME_INVALID_ARGUMENT/);
  });
});
