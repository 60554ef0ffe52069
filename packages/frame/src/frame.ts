/**
 * One frame as it is on the wire (section 4.2), without the length field: the payload length
 * is `extensionData.length + payload.length`.
 */
export interface Frame {
  /** 4-bit opcode; see `Opcode`. Reserved opcodes appear only when an extension claims them. */
  readonly opcode: number;
  /** MORE bit (0x80 of byte 0): more fragments of this message follow (section 4.3). */
  readonly more: boolean;
  /** RSV1–RSV4 as a 4-bit number (see `Rsv`); 0 unless an extension uses them. */
  readonly rsv: number;
  /** Extension data (section 4.7); empty unless an extension is in use. */
  readonly extensionData: Uint8Array;
  /** Application data. */
  readonly payload: Uint8Array;
}

/** Input of the encoder: like `Frame`, every field but `opcode` optional. */
export interface FrameInit {
  readonly opcode: number;
  readonly more?: boolean;
  readonly rsv?: number;
  readonly extensionData?: Uint8Array;
  readonly payload?: Uint8Array;
}

/** What is known of a frame once its header is read, before its payload (extension hooks). */
export interface FrameHeader {
  readonly opcode: number;
  readonly more: boolean;
  readonly rsv: number;
  /** Declared payload length: extension data + application data. */
  readonly length: number;
}
