import { describe, expect, it } from 'vitest';
import { isControlOpcode, isDataOpcode, isReservedOpcode, Opcode, Rsv } from '../src/index.js';

describe('opcodes (section 4.2, draft-02 numbering)', () => {
  it('numbers control frames first, data frames after', () => {
    expect(Opcode).toEqual({
      Continuation: 0,
      Close: 1,
      Ping: 2,
      Pong: 3,
      Text: 4,
      Binary: 5,
    });
  });

  it('classifies all sixteen opcodes', () => {
    const kinds = Array.from({ length: 16 }, (_, op) =>
      isControlOpcode(op) ? 'c' : isDataOpcode(op) ? 'd' : isReservedOpcode(op) ? 'r' : '?',
    ).join('');
    expect(kinds).toBe('dcccddrrrrrrrrrr');
  });

  it('orders the RSV bits RSV1 (high) … RSV4 (low)', () => {
    expect([Rsv.RSV1, Rsv.RSV2, Rsv.RSV3, Rsv.RSV4]).toEqual([8, 4, 2, 1]);
  });
});
