import { describe, expect, it } from 'vitest';
import {
  validateWebSocketUrl,
  type WebSocketUrlErrorCode,
  type WebSocketUrlValidationInput,
} from '../src/index.js';

const base = { host: 'example.com', port: 80, resourceName: '/chat', secure: false };

describe('section 3.3 validateWebSocketUrl — valid', () => {
  const cases: [string, WebSocketUrlValidationInput][] = [
    ['plain URL', base],
    [
      'every printable ASCII character in the resource name',
      { ...base, resourceName: '/!"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~' },
    ],
    ['lowercase origin', { ...base, origin: 'http://example.com' }],
    ['null origin', { ...base, origin: 'null' }],
    ['distinct printable protocols', { ...base, protocols: ['chat', 'superchat.v2', '~!'] }],
    ['empty protocol list', { ...base, protocols: [] }],
    ['host with U+007E', { ...base, host: 'a~b' }],
  ];
  for (const [name, input] of cases) {
    it(name, () => {
      expect(() => validateWebSocketUrl(input)).not.toThrow();
    });
  }
});

describe('section 3.3 validateWebSocketUrl — invalid, one code per rule', () => {
  const cases: [string, WebSocketUrlValidationInput, WebSocketUrlErrorCode][] = [
    ['host not punycoded', { ...base, host: 'bücher.de' }, 'URL_HOST_NOT_ASCII'],
    ['host with U+007F (above U+007E)', { ...base, host: 'a\u007fb' }, 'URL_HOST_NOT_ASCII'],
    ['origin with A-Z', { ...base, origin: 'http://Example.com' }, 'URL_ORIGIN_UPPERCASE'],
    ['empty resource name', { ...base, resourceName: '' }, 'URL_RESOURCE_EMPTY'],
    [
      'resource name not starting with /',
      { ...base, resourceName: 'chat' },
      'URL_RESOURCE_NOT_ABSOLUTE',
    ],
    [
      'resource name with a space (U+0020)',
      { ...base, resourceName: '/a b' },
      'URL_RESOURCE_BAD_CHAR',
    ],
    ['resource name with U+007F', { ...base, resourceName: '/a\u007f' }, 'URL_RESOURCE_BAD_CHAR'],
    [
      'resource name with a control character',
      { ...base, resourceName: '/a\tb' },
      'URL_RESOURCE_BAD_CHAR',
    ],
    ['resource name with non-ASCII', { ...base, resourceName: '/é' }, 'URL_RESOURCE_BAD_CHAR'],
    ['empty protocol', { ...base, protocols: ['chat', ''] }, 'URL_PROTOCOL_EMPTY'],
    ['protocol with a space', { ...base, protocols: ['a b'] }, 'URL_PROTOCOL_BAD_CHAR'],
    ['protocol with non-ASCII', { ...base, protocols: ['ché'] }, 'URL_PROTOCOL_BAD_CHAR'],
    [
      'duplicate protocols',
      { ...base, protocols: ['chat', 'x', 'chat'] },
      'URL_PROTOCOL_DUPLICATE',
    ],
  ];
  for (const [name, input, code] of cases) {
    it(`${name} → ${code}`, () => {
      expect(() => validateWebSocketUrl(input)).toThrow(
        expect.objectContaining({ code, section: '3.3' }),
      );
    });
  }
});
