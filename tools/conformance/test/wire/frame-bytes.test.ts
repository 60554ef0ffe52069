import { describe, expect, it } from 'vitest';
import { binaryPattern, fromHex, toHex } from '../../src/wire/bytes.js';
import { fragments, frameBytes, OP, RSV, textFrame } from '../../src/wire/frame-bytes.js';

const hex = (b: Uint8Array) => toHex(b, 1 << 20);

describe('the hand encoder against the 4.6 examples and the 4.2 diagram', () => {
  it('text "Hello" = 04 05 48 65 6c 6c 6f', () => {
    expect(hex(textFrame('Hello'))).toBe('04 05 48 65 6c 6c 6f');
  });
  it('fragmented "Hello" = 84 03 Hel, 00 02 lo', () => {
    expect(fragments(OP.TEXT, Buffer.from('Hello'), 3).map(hex)).toEqual([
      '84 03 48 65 6c',
      '00 02 6c 6f',
    ]);
  });
  it('ping 02 05 Hello; 256-byte binary 05 7e 01 00; 64 KiB binary 05 7f 00…01 00 00', () => {
    expect(hex(frameBytes({ op: OP.PING, payload: 'Hello' }))).toBe('02 05 48 65 6c 6c 6f');
    expect(hex(frameBytes({ op: OP.BINARY, payload: binaryPattern(256) }).subarray(0, 4))).toBe(
      '05 7e 01 00',
    );
    expect(hex(frameBytes({ op: OP.BINARY, payload: binaryPattern(65536) }).subarray(0, 10))).toBe(
      '05 7f 00 00 00 00 00 01 00 00',
    );
  });
  it('places RSV1–RSV3 in byte 0 and RSV4 in byte 1', () => {
    expect(hex(frameBytes({ op: OP.TEXT, rsv: RSV.RSV1 }))).toBe('44 00');
    expect(hex(frameBytes({ op: OP.TEXT, rsv: RSV.RSV2 }))).toBe('24 00');
    expect(hex(frameBytes({ op: OP.TEXT, rsv: RSV.RSV3 }))).toBe('14 00');
    expect(hex(frameBytes({ op: OP.TEXT, rsv: RSV.RSV4 }))).toBe('04 80');
  });
  it('writes non-minimal and lying lengths on request', () => {
    expect(hex(frameBytes({ op: OP.TEXT, payload: 'Hello', lengthForm: 16 }))).toBe(
      '04 7e 00 05 48 65 6c 6c 6f',
    );
    expect(hex(frameBytes({ op: OP.TEXT, payload: 'Hi', lengthForm: 63 }))).toBe(
      '04 7f 00 00 00 00 00 00 00 02 48 69',
    );
    expect(hex(frameBytes({ op: OP.BINARY, declaredLength: 1n << 30n }))).toBe(
      '05 7f 00 00 00 00 40 00 00 00',
    );
    expect(() => frameBytes({ op: OP.TEXT, payload: Buffer.alloc(200), lengthForm: 7 })).toThrow(
      RangeError,
    );
  });
  it('fromHex refuses non-hex', () => {
    expect(fromHex('04 05')).toEqual(Buffer.from([4, 5]));
    expect(() => fromHex('0g')).toThrow(TypeError);
  });
});
