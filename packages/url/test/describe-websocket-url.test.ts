import { describe, expect, it } from 'vitest';
import { describeWebSocketUrl, formatWebSocketUrlReport } from '../src/index.js';

describe('describeWebSocketUrl (the section 3 breakdown used by the CLIs)', () => {
  it('reports parts, the constructed URL and validity', () => {
    const r = describeWebSocketUrl('WS://Example.com:80/a?b');
    expect(r).toEqual({
      input: 'WS://Example.com:80/a?b',
      valid: true,
      parts: { host: 'example.com', port: 80, resourceName: '/a?b', secure: false },
      url: 'ws://example.com/a?b',
    });
    expect(formatWebSocketUrlReport(r)).toContain('constructed    ws://example.com/a?b');
  });
  it('keeps the parsed parts when only 3.3 fails', () => {
    const r = describeWebSocketUrl('ws://h/', { protocols: ['a', 'a'] });
    expect(r.valid).toBe(false);
    expect(r.parts?.host).toBe('h');
    expect(r.error?.code).toBe('URL_PROTOCOL_DUPLICATE');
  });
  it('reports a 3.1 failure without parts', () => {
    const r = describeWebSocketUrl('http://h/');
    expect(r).toMatchObject({
      valid: false,
      error: { code: 'URL_BAD_SCHEME', section: '3.1', step: 3 },
    });
    expect(r.parts).toBeUndefined();
    expect(formatWebSocketUrlReport(r)).toContain('valid          no:');
  });
});
