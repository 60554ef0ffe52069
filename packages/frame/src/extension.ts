import { EMPTY_BYTES } from '@ws02/protocol';
import type { Frame, FrameHeader } from './frame.js';
import { FrameError } from './frame-error.js';

/**
 * An extension (section 4.7). -02 has no negotiation: both peers must be configured with the
 * same extensions, in the same order. An extension may:
 * - claim RSV bits (`rsv`, a mask over `Rsv`) and reserved opcodes 0x6–0xF (`opcodes`): the
 *   decoder then accepts frames using them instead of failing;
 * - declare extension data, the first `extensionDataLength(header)` bytes of a received frame's
 *   payload (the payload length counts extension data + application data, section 4.2);
 * - transform each frame: `encode` on the way out (set rsv bits, extension data, rewrite the
 *   payload), `decode` on the way in (check and strip them).
 *
 * With several extensions, `encode` hooks run in array order, `decode` hooks in reverse, and the
 * extension data on the wire is each extension's own data concatenated in array order; each
 * `decode` sees only its own part as `frame.extensionData`.
 *
 * `decode` may change `rsv`, `extensionData` and `payload`, not `opcode` or `more` (the frame
 * sequence was validated on the wire values). Hooks reject a frame by throwing; a `FrameError`
 * passes through, anything else becomes `FRAME_EXTENSION_FAILED`. Limits (`maxFrameSize`, …)
 * apply to wire bytes: an extension that expands payloads must bound its own output.
 */
export interface FrameExtension {
  readonly name: string;
  /** RSV bits claimed (a mask over `Rsv`). */
  readonly rsv?: number;
  /** Reserved opcodes claimed (each 0x6–0xF). */
  readonly opcodes?: readonly number[];
  /** Bytes of this extension's data at the start of a received frame's payload (default 0). */
  extensionDataLength?(header: FrameHeader): number;
  /** Inbound transform; gets the frame with `extensionData` = this extension's part. */
  decode?(frame: Frame): Frame;
  /** Outbound transform; gets the frame with empty `extensionData`, returns its own data. */
  encode?(frame: Frame): Frame;
}

function wrap(ext: FrameExtension, error: unknown): FrameError {
  if (error instanceof FrameError) return error;
  return new FrameError(
    'FRAME_EXTENSION_FAILED',
    '4.7',
    `extension ${ext.name} failed: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

/** @internal The configured extensions, validated, with their claims as bit masks. */
export class ExtensionSet {
  readonly list: readonly FrameExtension[];
  /** Union of claimed RSV bits. */
  readonly rsvMask: number;
  /** Bit `n` set when opcode `n` is claimed. */
  readonly opcodeMask: number;
  readonly hasEncode: boolean;

  constructor(list: readonly FrameExtension[]) {
    let rsvMask = 0;
    let opcodeMask = 0;
    for (const ext of list) {
      const rsv = ext.rsv ?? 0;
      if (!Number.isInteger(rsv) || rsv < 0 || rsv > 0xf) {
        throw new FrameError('FRAME_INVALID_ARGUMENT', '4.7', `${ext.name}: rsv mask ${rsv}`);
      }
      if ((rsv & rsvMask) !== 0) {
        throw new FrameError(
          'FRAME_EXTENSION_CONFLICT',
          '4.7',
          `${ext.name} claims an RSV bit another extension already claims`,
        );
      }
      rsvMask |= rsv;
      for (const op of ext.opcodes ?? []) {
        if (!Number.isInteger(op) || op < 0x6 || op > 0xf) {
          throw new FrameError(
            'FRAME_EXTENSION_CONFLICT',
            '4.7',
            `${ext.name} claims opcode ${op}, which is not a reserved opcode 0x6–0xF`,
          );
        }
        if ((opcodeMask >> op) & 1) {
          throw new FrameError(
            'FRAME_EXTENSION_CONFLICT',
            '4.7',
            `${ext.name} claims opcode ${op}, already claimed by another extension`,
          );
        }
        opcodeMask |= 1 << op;
      }
    }
    this.list = list;
    this.rsvMask = rsvMask;
    this.opcodeMask = opcodeMask;
    this.hasEncode = list.some((e) => e.encode !== undefined);
  }

  /** Splits extension data off a received payload and runs the decode hooks (last first). */
  decode(opcode: number, more: boolean, rsv: number, data: Uint8Array): Frame {
    const list = this.list;
    const header: FrameHeader = { opcode, more, rsv, length: data.length };
    const lengths: number[] = [];
    let extTotal = 0;
    for (const ext of list) {
      let n = 0;
      if (ext.extensionDataLength !== undefined) {
        try {
          n = ext.extensionDataLength(header);
        } catch (error) {
          throw wrap(ext, error);
        }
        if (!Number.isSafeInteger(n) || n < 0) {
          throw new FrameError(
            'FRAME_EXTENSION_FAILED',
            '4.7',
            `extension ${ext.name} returned extension data length ${n}`,
          );
        }
      }
      lengths.push(n);
      extTotal += n;
    }
    if (extTotal > data.length) {
      throw new FrameError(
        'FRAME_EXTENSION_DATA_OVERFLOW',
        '4.7',
        `extensions claim ${extTotal} bytes of extension data in a ${data.length}-byte payload`,
      );
    }
    let frame: Frame = {
      opcode,
      more,
      rsv,
      extensionData: extTotal === 0 ? EMPTY_BYTES : data.subarray(0, extTotal),
      payload: extTotal === 0 ? data : data.subarray(extTotal),
    };
    let end = extTotal;
    for (let i = list.length - 1; i >= 0; i--) {
      const ext = list[i]!;
      const start = end - lengths[i]!;
      const own = data.subarray(start, end);
      end = start;
      if (ext.decode === undefined) continue;
      try {
        const out = ext.decode({ ...frame, extensionData: own });
        frame = {
          opcode,
          more,
          rsv: out.rsv,
          extensionData: out.extensionData,
          payload: out.payload,
        };
      } catch (error) {
        throw wrap(ext, error);
      }
    }
    return frame;
  }

  /**
   * Runs the encode hooks (first first) and concatenates their extension data in order. A hook
   * that throws makes the sending call throw (`FRAME_EXTENSION_FAILED` unless a FrameError).
   */
  encode(frame: Frame): Frame {
    const parts: Uint8Array[] = [];
    let current = frame;
    let extTotal = 0;
    for (const ext of this.list) {
      if (ext.encode === undefined) continue;
      let out: Frame;
      try {
        out = ext.encode({ ...current, extensionData: EMPTY_BYTES });
      } catch (error) {
        throw wrap(ext, error);
      }
      parts.push(out.extensionData);
      extTotal += out.extensionData.length;
      current = out;
    }
    let extensionData = EMPTY_BYTES;
    if (extTotal > 0) {
      extensionData = new Uint8Array(extTotal);
      let off = 0;
      for (const p of parts) {
        extensionData.set(p, off);
        off += p.length;
      }
    }
    return { ...current, extensionData };
  }
}
