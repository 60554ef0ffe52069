import { describe, expect, it } from 'vitest';
import { createRefusalResponse, HandshakeError, ServerHandshakeParser } from '../src/index.js';
import { bytes, text } from './helpers.js';

const refusal = (data: string) => {
  const r = new ServerHandshakeParser().receiveData(bytes(data));
  if (r.kind !== 'failed') throw new Error(r.kind);
  return text(createRefusalResponse(r.error));
};

describe('createRefusalResponse', () => {
  it('uses the suggested status, closes, and echoes nothing of the request', () => {
    expect(refusal('GET / HTTP/1.0\r\n')).toBe(
      'HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    expect(refusal('GET / HTTP/1.1\r\nX\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('405 carries Allow: GET', () => {
    expect(refusal('POST / HTTP/1.1\r\n')).toBe(
      'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('falls back to 400 for an error without a (known) status', () => {
    const e = new HandshakeError('HANDSHAKE_BAD_STATUS_LINE', '5.1', 'x', { step: 31 });
    expect(text(createRefusalResponse(e))).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const odd = new HandshakeError('HANDSHAKE_BAD_HOST', '5.2.1', 'x', { httpStatus: 418 });
    expect(text(createRefusalResponse(odd))).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
