import { describe, expect, it } from 'vitest';
import { serializeOrigin, validateWebSocketUrl } from '../src/index.js';

describe('serializeOrigin (lowercase ASCII serialization, for 5.1 Origin and 3.3)', () => {
  it('lowercases scheme and host, drops path, keeps a non-default port', () => {
    expect(serializeOrigin('HTTPS://Example.COM:8443/some/path?q')).toBe(
      'https://example.com:8443',
    );
  });
  it('drops the default port', () => {
    expect(serializeOrigin('http://example.com:80')).toBe('http://example.com');
  });
  it('punycodes internationalised hosts through WHATWG URL', () => {
    expect(serializeOrigin('http://Bücher.example')).toBe('http://xn--bcher-kva.example');
  });
  it('keeps "null"', () => {
    expect(serializeOrigin('null')).toBe('null');
  });
  it('its output always passes the 3.3 origin rule', () => {
    const origin = serializeOrigin('HTTP://ÜBER.Example');
    expect(() =>
      validateWebSocketUrl({ host: 'h', port: 80, resourceName: '/', secure: false, origin }),
    ).not.toThrow();
  });
  it('refuses a relative origin with URL_BAD_ORIGIN', () => {
    expect(() => serializeOrigin('example.com')).toThrow(
      expect.objectContaining({ code: 'URL_BAD_ORIGIN' }),
    );
  });
});
