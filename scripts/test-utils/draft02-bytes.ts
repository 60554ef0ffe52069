// Draft-02 bytes written by hand for tests: the section 1 worked handshake and an unmasked
// frame encoder (4.2). Deliberately independent of every @ws02 package, so the code under test
// is checked against bytes it did not produce. Shared by the server, client and chat tests.

/** The classic request of the draft's section 1 overview and its 16-byte answer (SPEC-NOTES). */
export const CLASSIC = {
  key1: '4 @1  46546xW%0l 1 5',
  key2: '12998 5 Y3 1  .P00',
  key3: Buffer.from('^n:ds[4U', 'latin1'),
  response: Buffer.from("8jKS'y:G*Co,Wxa-", 'latin1'),
};

/** Draft-02 opcodes (4.2; not RFC 6455's numbering). */
export const OP = { CONT: 0, CLOSE: 1, PING: 2, PONG: 3, TEXT: 4, BINARY: 5 } as const;

/** One unmasked draft-02 frame, shortest length form (4.2); `more` sets the MORE bit. */
export function frame(opcode: number, payload: Buffer | string, more = false): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const b0 = (more ? 0x80 : 0) | opcode;
  if (body.length < 126) return Buffer.concat([Buffer.from([b0, body.length]), body]);
  if (body.length < 65536) {
    const h = Buffer.from([b0, 126, 0, 0]);
    h.writeUInt16BE(body.length, 2);
    return Buffer.concat([h, body]);
  }
  const h = Buffer.alloc(10);
  h[0] = b0;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(body.length), 2);
  return Buffer.concat([h, body]);
}
