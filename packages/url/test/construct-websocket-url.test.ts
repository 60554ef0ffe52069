import { describe, expect, it } from 'vitest';
import { constructWebSocketUrl } from '../src/index.js';

describe('section 3.2 constructWebSocketUrl', () => {
  const cases: [string, Parameters<typeof constructWebSocketUrl>[0], string][] = [
    [
      'step 1: ws:// when not secure; step 3: port 80 omitted',
      { host: 'h', port: 80, resourceName: '/', secure: false },
      'ws://h/',
    ],
    [
      'step 1: wss:// when secure; step 3: port 443 omitted',
      { host: 'h', port: 443, resourceName: '/', secure: true },
      'wss://h/',
    ],
    [
      'step 4: non-default port appended',
      { host: 'h', port: 8080, resourceName: '/c', secure: false },
      'ws://h:8080/c',
    ],
    [
      'step 4: 443 is not the default for ws',
      { host: 'h', port: 443, resourceName: '/', secure: false },
      'ws://h:443/',
    ],
    [
      'step 4: 80 is not the default for wss',
      { host: 'h', port: 80, resourceName: '/', secure: true },
      'wss://h:80/',
    ],
    [
      'step 5: resource name with query',
      { host: 'h', port: 80, resourceName: '/a?b=c', secure: false },
      'ws://h/a?b=c',
    ],
    [
      'step 2: IPv6 host as given',
      { host: '[::1]', port: 9, resourceName: '/', secure: false },
      'ws://[::1]:9/',
    ],
  ];
  for (const [name, parts, expected] of cases) {
    it(name, () => {
      expect(constructWebSocketUrl(parts)).toBe(expected);
    });
  }
});
