import { Opcode } from '@ws02/frame';

/** The header fields of one frame as it passed on the wire (draft-02 section 4.2). */
export interface TracedFrameHeader {
  /** MORE (0x80 of byte 0): more fragments of this message follow (4.3). */
  readonly more: boolean;
  /** RSV1–RSV3 (0x40, 0x20, 0x10 of byte 0) and RSV4 (0x80 of byte 1), as 0/1 each. */
  readonly rsv: readonly [number, number, number, number];
  readonly opcode: number;
  /** Declared payload length (extension + application data). */
  readonly length: number;
  /** Bytes of header: 2, 4 or 10. */
  readonly headerSize: number;
}

const OPCODE_NAMES: Record<number, string> = {
  [Opcode.Continuation]: 'Continuation',
  [Opcode.Close]: 'Close',
  [Opcode.Ping]: 'Ping',
  [Opcode.Pong]: 'Pong',
  [Opcode.Text]: 'Text',
  [Opcode.Binary]: 'Binary',
};

/** The draft-02 name of an opcode (0x1 Close … 0x5 Binary), or "reserved". */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? 'reserved';
}

/**
 * Reads frame headers out of a raw byte stream, in a side channel: it never validates (a trace
 * must show a bad frame too, RSV bits and reserved opcodes included), never buffers payloads
 * (it only counts them down), and resumes at any byte.
 */
export class FrameHeaderScanner {
  readonly #head = new Uint8Array(10);
  #fill = 0;
  #skip = 0;

  /** Feeds bytes; `onHeader` runs once per complete header, in order. */
  push(chunk: Uint8Array, onHeader: (header: TracedFrameHeader) => void): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, n - pos);
        this.#skip -= take;
        pos += take;
        continue;
      }
      this.#head[this.#fill++] = chunk[pos++]!;
      if (this.#fill < 2) continue;
      const len7 = this.#head[1]! & 0x7f;
      const size = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (this.#fill < size) continue;
      const h = this.#head;
      let length = len7;
      if (len7 === 126) length = (h[2]! << 8) | h[3]!;
      else if (len7 === 127) {
        // 63-bit big-endian; shown as a JS number (exact up to 2^53).
        const hi = ((h[2]! << 24) >>> 0) + (h[3]! << 16) + (h[4]! << 8) + h[5]!;
        const lo = ((h[6]! << 24) >>> 0) + (h[7]! << 16) + (h[8]! << 8) + h[9]!;
        length = hi * 4294967296 + lo;
      }
      const b0 = h[0]!;
      onHeader({
        more: (b0 & 0x80) !== 0,
        rsv: [(b0 >> 6) & 1, (b0 >> 5) & 1, (b0 >> 4) & 1, (h[1]! >> 7) & 1],
        opcode: b0 & 0x0f,
        length,
        headerSize: size,
      });
      this.#fill = 0;
      this.#skip = length;
    }
  }
}

/** One trace line: `MORE=0 RSV1=0 RSV2=0 RSV3=0 RSV4=0 opcode=0x4 (Text) length=5`. */
export function formatFrameHeader(header: TracedFrameHeader): string {
  const [r1, r2, r3, r4] = header.rsv;
  return (
    `MORE=${header.more ? 1 : 0} RSV1=${r1} RSV2=${r2} RSV3=${r3} RSV4=${r4} ` +
    `opcode=0x${header.opcode.toString(16)} (${opcodeName(header.opcode)}) length=${header.length}`
  );
}
