import { isWs02Error, Ws02Error } from '@ws02/url';
import { describe, expect, it } from 'vitest';
import { HandshakeError } from '../src/index.js';

describe('HandshakeError', () => {
  it('is a branded Ws02Error with code, section, step, httpStatus and field', () => {
    const e = new HandshakeError('HANDSHAKE_BAD_UPGRADE', '5.1', 'Upgrade is "x"', {
      step: 44,
      field: 'upgrade',
    });
    expect(e).toBeInstanceOf(HandshakeError);
    expect(e).toBeInstanceOf(Ws02Error);
    expect(e).toBeInstanceOf(Error);
    expect(isWs02Error(e, 'HANDSHAKE_BAD_UPGRADE')).toBe(true);
    expect(e.name).toBe('HandshakeError');
    expect([e.code, e.section, e.step, e.httpStatus, e.field]).toEqual([
      'HANDSHAKE_BAD_UPGRADE',
      '5.1',
      44,
      undefined,
      'upgrade',
    ]);
    expect(e.message).toBe('Upgrade is "x" [HANDSHAKE_BAD_UPGRADE; draft-02 section 5.1 step 44]');
  });

  it('carries the suggested HTTP status of a server abort', () => {
    const e = new HandshakeError('HANDSHAKE_HEAD_TOO_LARGE', '5.2.1', 'too large', {
      httpStatus: 431,
    });
    expect(e.httpStatus).toBe(431);
    expect(e.step).toBe(undefined);
  });
});
