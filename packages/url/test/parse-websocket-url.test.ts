import { describe, expect, it } from 'vitest';
import { parseWebSocketUrl, type WebSocketUrlErrorCode } from '../src/index.js';

describe('section 3.1 parseWebSocketUrl — accepted', () => {
  const cases: [
    string,
    string,
    { host: string; port: number; resourceName: string; secure: boolean },
  ][] = [
    [
      'step 5: ws is not secure; step 8: default port 80',
      'ws://example.com/chat',
      { host: 'example.com', port: 80, resourceName: '/chat', secure: false },
    ],
    [
      'step 5: wss is secure; step 8: default port 443',
      'wss://example.com/chat',
      { host: 'example.com', port: 443, resourceName: '/chat', secure: true },
    ],
    [
      'step 3: scheme is ASCII case-insensitive',
      'WsS://example.com/',
      { host: 'example.com', port: 443, resourceName: '/', secure: true },
    ],
    [
      'step 6: host lowercased',
      'ws://ExAmPlE.COM/',
      { host: 'example.com', port: 80, resourceName: '/', secure: false },
    ],
    [
      'step 7: explicit port',
      'ws://example.com:8080/x',
      { host: 'example.com', port: 8080, resourceName: '/x', secure: false },
    ],
    [
      'step 7: explicit default port is still the port',
      'ws://example.com:80/x',
      { host: 'example.com', port: 80, resourceName: '/x', secure: false },
    ],
    [
      'step 7: explicit 80 on wss is not the default',
      'wss://example.com:80/x',
      { host: 'example.com', port: 80, resourceName: '/x', secure: true },
    ],
    [
      'step 10: empty path becomes /',
      'ws://example.com',
      { host: 'example.com', port: 80, resourceName: '/', secure: false },
    ],
    [
      'step 11: query kept in the resource name',
      'ws://example.com/chat?room=a&b=1',
      { host: 'example.com', port: 80, resourceName: '/chat?room=a&b=1', secure: false },
    ],
    [
      'step 11: an empty query is still a query',
      'ws://example.com/chat?',
      { host: 'example.com', port: 80, resourceName: '/chat?', secure: false },
    ],
    [
      'step 10+11: query with an empty path',
      'ws://example.com?x',
      { host: 'example.com', port: 80, resourceName: '/?x', secure: false },
    ],
    [
      'step 6: IPv6 literal kept bracketed',
      'ws://[::1]:9000/',
      { host: '[::1]', port: 9000, resourceName: '/', secure: false },
    ],
    [
      'step 6: IPv6 literal canonicalised by the URL parser',
      'ws://[0:0:0:0:0:0:0:1]/',
      { host: '[::1]', port: 80, resourceName: '/', secure: false },
    ],
    [
      'step 6: IPv4 literal',
      'ws://127.0.0.1:1/',
      { host: '127.0.0.1', port: 1, resourceName: '/', secure: false },
    ],
    [
      'step 2: internationalised host becomes punycode via WHATWG URL',
      'ws://Bücher.example/',
      { host: 'xn--bcher-kva.example', port: 80, resourceName: '/', secure: false },
    ],
    [
      'step 2: dot segments resolved',
      'ws://h/a/../b/./c',
      { host: 'h', port: 80, resourceName: '/b/c', secure: false },
    ],
    [
      'step 2: spaces percent-encoded (UTF-8)',
      'ws://h/a b?c é',
      { host: 'h', port: 80, resourceName: '/a%20b?c%20%C3%A9', secure: false },
    ],
    [
      'user information is ignored',
      'ws://user:pw@h/',
      { host: 'h', port: 80, resourceName: '/', secure: false },
    ],
    [
      'surrounding whitespace is stripped as by WHATWG URL',
      '  ws://h/x \n',
      { host: 'h', port: 80, resourceName: '/x', secure: false },
    ],
    ['highest port', 'ws://h:65535/', { host: 'h', port: 65535, resourceName: '/', secure: false }],
  ];
  for (const [name, input, expected] of cases) {
    it(`${name}: ${JSON.stringify(input)}`, () => {
      expect(parseWebSocketUrl(input)).toEqual(expected);
    });
  }
});

describe('section 3.1 parseWebSocketUrl — refused', () => {
  const cases: [string, string, WebSocketUrlErrorCode, number][] = [
    ['step 1: relative path', '/chat', 'URL_NOT_ABSOLUTE', 1],
    ['step 1: relative, scheme-less authority', '//example.com/chat', 'URL_NOT_ABSOLUTE', 1],
    ['step 1: empty string', '', 'URL_NOT_ABSOLUTE', 1],
    ['step 1: no // authority (ws:host)', 'ws:example.com', 'URL_NOT_ABSOLUTE', 1],
    ['step 1: unparseable host', 'ws://exa mple.com/', 'URL_NOT_ABSOLUTE', 1],
    ['step 3: http scheme', 'http://example.com/', 'URL_BAD_SCHEME', 3],
    ['step 3: https scheme', 'https://example.com/', 'URL_BAD_SCHEME', 3],
    ['step 3: wsx scheme', 'wsx://example.com/', 'URL_BAD_SCHEME', 3],
    ['step 4: fragment', 'ws://example.com/#frag', 'URL_HAS_FRAGMENT', 4],
    ['step 4: empty fragment', 'ws://example.com/chat#', 'URL_HAS_FRAGMENT', 4],
    ['step 4: fragment after query', 'ws://example.com/?q#f', 'URL_HAS_FRAGMENT', 4],
    ['step 6: no host', 'ws:///chat', 'URL_MISSING_HOST', 6],
    ['step 6: nothing after //', 'ws://', 'URL_MISSING_HOST', 6],
    ['step 6: query where the host should be', 'ws://?x', 'URL_MISSING_HOST', 6],
    ['step 7: port over 65535', 'ws://h:65536/', 'URL_NOT_ABSOLUTE', 1],
    ['step 7: port 0', 'ws://h:0/', 'URL_BAD_PORT', 7],
    ['step 7: non-numeric port', 'ws://h:http/', 'URL_NOT_ABSOLUTE', 1],
  ];
  for (const [name, input, code, step] of cases) {
    it(`${name}: ${JSON.stringify(input)} → ${code}`, () => {
      let caught: unknown;
      try {
        parseWebSocketUrl(input);
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ name: 'WebSocketUrlError', code, section: '3.1', step });
      expect((caught as Error).message).toContain('draft-02 section 3.1');
    });
  }
});
