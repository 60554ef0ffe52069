// Which proxy a connection uses (5.1 step 3): the environment variables and NO_PROXY.
import { isWs02Error, Ws02Error } from '@ws02/url';
import { describe, expect, it } from 'vitest';
import { ClientError, noProxyMatches, proxyFromEnvironment } from '../src/index.js';

describe('proxyFromEnvironment', () => {
  it('https_proxy for wss, http_proxy for ws, all_proxy as the fallback; lowercase first', () => {
    const env = {
      https_proxy: 'http://tls-proxy:3128',
      HTTP_PROXY: 'http://plain-proxy:3128',
      ALL_PROXY: 'http://any:1',
    };
    expect(proxyFromEnvironment('example.com', 443, true, env)).toBe('http://tls-proxy:3128');
    expect(proxyFromEnvironment('example.com', 80, false, env)).toBe('http://plain-proxy:3128');
    expect(proxyFromEnvironment('example.com', 80, false, { ALL_PROXY: 'http://any:1' })).toBe(
      'http://any:1',
    );
    expect(
      proxyFromEnvironment('example.com', 80, false, {
        http_proxy: 'http://a:1',
        HTTP_PROXY: 'http://b:1',
      }),
    ).toBe('http://a:1');
    expect(proxyFromEnvironment('example.com', 80, false, {})).toBeUndefined();
  });

  it('NO_PROXY turns the proxy off for matching hosts', () => {
    const env = { HTTP_PROXY: 'http://p:1', NO_PROXY: '.internal,localhost' };
    expect(proxyFromEnvironment('api.internal', 80, false, env)).toBeUndefined();
    expect(proxyFromEnvironment('localhost', 80, false, env)).toBeUndefined();
    expect(proxyFromEnvironment('example.com', 80, false, env)).toBe('http://p:1');
  });
});

describe('noProxyMatches', () => {
  const cases: [string, string, number, boolean][] = [
    ['*', 'anything.example', 80, true],
    ['example.com', 'example.com', 80, true],
    ['example.com', 'www.example.com', 80, true],
    ['example.com', 'notexample.com', 80, false],
    ['.example.com', 'example.com', 80, true],
    ['*.example.com', 'a.b.example.com', 80, true],
    ['EXAMPLE.com', 'example.COM', 80, true],
    ['example.com:8080', 'example.com', 8080, true],
    ['example.com:8080', 'example.com', 80, false],
    ['10.0.0.1', '10.0.0.1', 80, true],
    ['10.0.0.1', '10.0.0.10', 80, false],
    ['::1', '[::1]', 80, true],
    ['[::1]:8080', '[::1]', 8080, true],
    ['[::1]:8080', '[::1]', 80, false],
    ['a.com, b.com  c.com', 'c.com', 80, true],
    ['', 'example.com', 80, false],
  ];
  for (const [list, host, port, expected] of cases) {
    it(`${JSON.stringify(list)} ${expected ? 'matches' : 'does not match'} ${host}:${port}`, () => {
      expect(noProxyMatches(list, host, port)).toBe(expected);
    });
  }
  it('an unset list matches nothing', () => {
    expect(noProxyMatches(undefined, 'example.com', 80)).toBe(false);
  });
});

describe('ClientError', () => {
  it('is a branded Ws02Error with a code, section and step', () => {
    const error = new ClientError('CLIENT_HANDSHAKE_TIMEOUT', '5.1', 'too slow', { step: 31 });
    expect(error).toBeInstanceOf(Ws02Error);
    expect(error).toBeInstanceOf(ClientError);
    expect(isWs02Error(error, 'CLIENT_HANDSHAKE_TIMEOUT')).toBe(true);
    expect(error.name).toBe('ClientError');
    expect(error.message).toBe('too slow [CLIENT_HANDSHAKE_TIMEOUT; draft-02 section 5.1 step 31]');
  });
});
