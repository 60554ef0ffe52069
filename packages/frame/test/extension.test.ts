import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  type Frame,
  FrameConnection,
  FrameDecoder,
  FrameError,
  type FrameExtension,
  Opcode,
  Rsv,
} from '../src/index.js';
import { checksumExtension, crc32 } from './checksum-extension.js';
import { concat, hex, oneByOne, toHex, utf8 } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FrameError);
    return (e as FrameError).code;
  }
  return undefined;
}

describe('extensions (section 4.7): a test-only CRC-32 extension end to end', () => {
  it('sends RSV1 + 4 bytes of extension data before the application data', () => {
    const c = new FrameConnection({ extensions: [checksumExtension()] });
    c.sendText('Hello');
    const sum = crc32(utf8('Hello')).toString(16).padStart(8, '0');
    // 0x44 = RSV1 | Text; length 9 = 4 bytes of extension data + 5 of application data.
    expect(toHex(concat(c.takeOutgoing()))).toBe(`4409${sum}48656c6c6f`);
  });

  it('round-trips every kind of frame between two peers, fed one byte at a time', () => {
    const a = new FrameConnection({ extensions: [checksumExtension()] });
    const b = new FrameConnection({ extensions: [checksumExtension()] });
    a.sendText('héllo');
    a.sendBinary(hex('00 01 02'), 2);
    a.sendPing(utf8('p'));
    a.sendClose(utf8('bye'));
    for (const chunk of a.takeOutgoing()) for (const byte of oneByOne(chunk)) b.receiveData(byte);
    expect(b.takeEvents()).toEqual([
      { type: 'message', data: 'héllo', binary: false },
      { type: 'message', data: hex('00 01 02'), binary: true },
      { type: 'ping', data: utf8('p') },
      { type: 'close', body: utf8('bye') },
    ]);
    // b's automatic Pong and Close echo go through the extension too.
    for (const chunk of b.takeOutgoing()) a.receiveData(chunk);
    expect(a.takeEvents()).toEqual([
      { type: 'pong', data: utf8('p') },
      { type: 'close', body: utf8('bye') },
    ]);
  });

  it('a tampered payload fails the connection with FRAME_EXTENSION_FAILED', () => {
    const a = new FrameConnection({ extensions: [checksumExtension()] });
    const b = new FrameConnection({ extensions: [checksumExtension()] });
    a.sendText('Hello');
    const wire = concat(a.takeOutgoing());
    wire[wire.length - 1] = wire[wire.length - 1]! ^ 1;
    b.receiveData(wire);
    expect(b.takeEvents()).toMatchObject([
      { type: 'error', error: { code: 'FRAME_EXTENSION_FAILED', section: '4.7' } },
    ]);
    expect(b.state).toBe('closed');
  });

  it('without the extension the receiver refuses RSV1 (FRAME_RSV_SET)', () => {
    const a = new FrameConnection({ extensions: [checksumExtension()] });
    a.sendText('x');
    const plain = new FrameConnection();
    for (const chunk of a.takeOutgoing()) plain.receiveData(chunk);
    expect(plain.takeEvents()).toMatchObject([{ type: 'error', error: { code: 'FRAME_RSV_SET' } }]);
  });

  it('FRAME_EXTENSION_DATA_OVERFLOW: more extension data claimed than the payload holds', () => {
    const d = new FrameDecoder({ extensions: [checksumExtension()] });
    expect(codeOf(() => d.receiveData(hex('44 03 01 02 03')))).toBe(
      'FRAME_EXTENSION_DATA_OVERFLOW',
    );
  });

  it('two extensions: encode in order, decode in reverse, each sees only its own data', () => {
    const exts = [checksumExtension(Rsv.RSV1, 'first'), checksumExtension(Rsv.RSV2, 'second')];
    const a = new FrameConnection({ extensions: exts });
    const b = new FrameConnection({ extensions: exts });
    a.sendBinary(hex('0a 0b'));
    const wire = concat(a.takeOutgoing());
    expect(wire[0]).toBe(0x60 | Opcode.Binary); // RSV1 | RSV2
    expect(wire[1]).toBe(10); // 4 + 4 bytes of extension data + 2 bytes
    b.receiveData(wire);
    expect(b.takeEvents()).toEqual([{ type: 'message', data: hex('0a 0b'), binary: true }]);
  });

  it('a claimed reserved opcode is accepted and reported as a frame event', () => {
    const heartbeat: FrameExtension = { name: 'heartbeat', opcodes: [0xa] };
    const a = new FrameConnection({ extensions: [heartbeat] });
    const b = new FrameConnection({ extensions: [heartbeat] });
    a.sendFrame({ opcode: 0xa, payload: hex('07') });
    for (const chunk of a.takeOutgoing()) b.receiveData(chunk);
    const frame: Frame = {
      opcode: 0xa,
      more: false,
      rsv: 0,
      extensionData: new Uint8Array(0),
      payload: hex('07'),
    };
    expect(b.takeEvents()).toEqual([{ type: 'frame', frame }]);
    // Unclaimed reserved opcodes still fail.
    b.receiveData(hex('0b 00'));
    expect(b.takeEvents()).toMatchObject([
      { type: 'error', error: { code: 'FRAME_RESERVED_OPCODE' } },
    ]);
  });

  it('an extension frame may arrive between fragments without disturbing the message', () => {
    const d = new FrameDecoder({ extensions: [{ name: 'x', opcodes: [0xf] }] });
    d.receiveData(hex('84 01 61 8f 00 00 01 62'));
    expect(d.takeFrames().map((f) => [f.opcode, f.more])).toEqual([
      [4, true],
      [15, true],
      [0, false],
    ]);
  });

  it('a hook throwing a non-FrameError is wrapped as FRAME_EXTENSION_FAILED', () => {
    const broken: FrameExtension = {
      name: 'broken',
      decode: () => {
        throw new TypeError('oops');
      },
    };
    const d = new FrameDecoder({ extensions: [broken] });
    let error: unknown;
    try {
      d.receiveData(encodeFrame({ opcode: Opcode.Text }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe('FRAME_EXTENSION_FAILED');
    expect((error as FrameError).cause).toBeInstanceOf(TypeError);
  });

  it('FRAME_EXTENSION_CONFLICT: shared RSV bit, shared opcode, non-reserved opcode', () => {
    expect(
      codeOf(() => new FrameDecoder({ extensions: [checksumExtension(), checksumExtension()] })),
    ).toBe('FRAME_EXTENSION_CONFLICT');
    expect(
      codeOf(
        () =>
          new FrameConnection({
            extensions: [
              { name: 'a', opcodes: [0x9] },
              { name: 'b', opcodes: [0x9] },
            ],
          }),
      ),
    ).toBe('FRAME_EXTENSION_CONFLICT');
    expect(
      codeOf(() => new FrameDecoder({ extensions: [{ name: 'c', opcodes: [Opcode.Text] }] })),
    ).toBe('FRAME_EXTENSION_CONFLICT');
    expect(codeOf(() => new FrameDecoder({ extensions: [{ name: 'd', rsv: 0x10 }] }))).toBe(
      'FRAME_INVALID_ARGUMENT',
    );
  });
});

describe('extensions: failing encode hooks', () => {
  it('a throwing encode hook makes the send throw FRAME_EXTENSION_FAILED', () => {
    const c = new FrameConnection({
      extensions: [
        {
          name: 'refuses',
          encode: () => {
            throw new Error('no');
          },
        },
      ],
    });
    expect(codeOf(() => c.sendText('x'))).toBe('FRAME_EXTENSION_FAILED');
  });

  it('an extensionDataLength returning nonsense fails the frame', () => {
    const d = new FrameDecoder({ extensions: [{ name: 'bad', extensionDataLength: () => -1 }] });
    expect(codeOf(() => d.receiveData(hex('04 00')))).toBe('FRAME_EXTENSION_FAILED');
  });
});
