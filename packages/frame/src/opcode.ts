/**
 * Draft-02 opcodes (section 4.2). This is NOT RFC 6455's numbering: in -02 the control frames
 * come first (Close 0x1, Ping 0x2, Pong 0x3) and the data frames after them (Text 0x4,
 * Binary 0x5); 0x6–0xF are reserved for extensions (section 4.7).
 */
export const Opcode = {
  Continuation: 0x0,
  Close: 0x1,
  Ping: 0x2,
  Pong: 0x3,
  Text: 0x4,
  Binary: 0x5,
} as const;

export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * The four reserved bits as one 4-bit number, in wire order: RSV1 (0x40 of byte 0) is the
 * highest bit, RSV4 (0x80 of byte 1, new in the -01/-02 layout) the lowest (section 4.2).
 */
export const Rsv = {
  RSV1: 0b1000,
  RSV2: 0b0100,
  RSV3: 0b0010,
  RSV4: 0b0001,
} as const;

/** Close, Ping, Pong (section 4.4). */
export function isControlOpcode(opcode: number): boolean {
  return opcode >= 0x1 && opcode <= 0x3;
}

/** Text, Binary, and Continuation which carries their fragments (sections 4.3, 4.5). */
export function isDataOpcode(opcode: number): boolean {
  return opcode === 0x0 || opcode === 0x4 || opcode === 0x5;
}

/** 0x6–0xF: reserved for extensions (section 4.7). */
export function isReservedOpcode(opcode: number): boolean {
  return opcode >= 0x6 && opcode <= 0xf;
}
