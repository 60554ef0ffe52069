import { type Frame, FrameError, type FrameExtension, Rsv } from '../src/index.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE), test-only. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A test-only extension (section 4.7): every frame it sends has RSV1 set and 4 bytes of
 * extension data holding the CRC-32 of its application data; on receipt it checks and strips
 * them. `bit` lets a test run two of them side by side.
 */
export function checksumExtension(bit: number = Rsv.RSV1, name = 'crc32'): FrameExtension {
  return {
    name,
    rsv: bit,
    extensionDataLength: (header) => (header.rsv & bit ? 4 : 0),
    encode(frame: Frame): Frame {
      const sum = crc32(frame.payload);
      const extensionData = Uint8Array.of(
        sum >>> 24,
        (sum >>> 16) & 255,
        (sum >>> 8) & 255,
        sum & 255,
      );
      return { ...frame, rsv: frame.rsv | bit, extensionData };
    },
    decode(frame: Frame): Frame {
      if ((frame.rsv & bit) === 0) {
        throw new FrameError('FRAME_EXTENSION_FAILED', '4.7', `${name}: frame without checksum`);
      }
      const e = frame.extensionData;
      const sent = ((e[0]! << 24) | (e[1]! << 16) | (e[2]! << 8) | e[3]!) >>> 0;
      if (sent !== crc32(frame.payload)) {
        throw new FrameError('FRAME_EXTENSION_FAILED', '4.7', `${name}: checksum mismatch`);
      }
      return { ...frame, rsv: frame.rsv & ~bit, extensionData: new Uint8Array(0) };
    },
  };
}
