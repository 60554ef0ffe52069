/**
 * RFC 6455 opcodes (section 5.2, registry 11.8). 3–7 and 0xB–0xF are reserved: received, they
 * fail the connection (no extension is negotiated).
 */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** FIN (5.2): the final fragment of a message. Byte 0 of a header is `FIN | RSV1–3 | opcode`. */
export const FIN = 0x80;
/** MASK (5.2): byte 1's top bit; a masking key follows the length. */
export const MASK = 0x80;

/** Close, Ping, Pong (5.5): opcodes with the top bit of the nibble set. */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** 3–7 and 0xB–0xF (5.2). */
export function isReservedOpcode(opcode: number): boolean {
  return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb;
}

/** Control frames carry at most 125 bytes (5.5). */
export const MAX_CONTROL_PAYLOAD = 125;
