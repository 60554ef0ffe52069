import { describe, expect, it } from 'vitest';
import { isWs02Error, Ws02Error } from '../src/index.js';

class DemoError extends Ws02Error<'DEMO_CODE'> {
  static override readonly kind = 'DemoError';
}

describe('Ws02Error (branded base error)', () => {
  it('carries code, section, step and names them in the message', () => {
    const e = new DemoError('DEMO_CODE', '5.1', 'demo failure', { step: 36 });
    expect(e.code).toBe('DEMO_CODE');
    expect(e.section).toBe('5.1');
    expect(e.step).toBe(36);
    expect(e.spec).toBe('draft-02');
    expect(e.name).toBe('DemoError');
    expect(e.message).toBe('demo failure [DEMO_CODE; draft-02 section 5.1 step 36]');
    expect(e.reason).toBe('demo failure');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(Ws02Error);
    expect(e).toBeInstanceOf(DemoError);
    expect(isWs02Error(e, 'DEMO_CODE')).toBe(true);
    expect(isWs02Error(e, 'OTHER')).toBe(false);
  });

  it('carries structured detail, the HTTP status of a refusal and the specification', () => {
    const e = new DemoError('DEMO_CODE', '4.2.1', 'key is not 16 bytes', {
      spec: 'RFC 6455',
      detail: { field: 'sec-websocket-key', decodedBytes: 15 },
      httpStatus: 400,
    });
    expect(e.message).toBe('key is not 16 bytes [DEMO_CODE; RFC 6455 section 4.2.1]');
    expect(e.detail).toEqual({ field: 'sec-websocket-key', decodedBytes: 15 });
    expect(e.httpStatus).toBe(400);
    // Without them: an empty frozen detail, no status.
    const plain = new DemoError('DEMO_CODE', '3', 'x');
    expect(plain.detail).toEqual({});
    expect(Object.isFrozen(plain.detail)).toBe(true);
    expect(plain.httpStatus).toBeUndefined();
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new DemoError('DEMO_CODE', '3', 'outer', { cause }).cause).toBe(cause);
  });

  it('is recognised across duplicate installs through its registered-symbol brand', () => {
    // A second copy of the package would define its own classes; emulate one by branding a
    // plain object the way that copy's constructor would.
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('@ws02/error'), {
      value: ['DemoError', 'Ws02Error'],
    });
    expect(foreign instanceof Ws02Error).toBe(true);
    expect(foreign instanceof DemoError).toBe(true);
    expect(new Error('plain') instanceof Ws02Error).toBe(false);
    expect(new Ws02Error('X', '3', 'other') instanceof DemoError).toBe(false);
    expect(isWs02Error(null)).toBe(false);
  });
});
