import { describe, expect, it } from 'vitest';
import { checkPackaging } from '../../../scripts/test-utils/packaging.js';

describe('packaging: the packed tarball works for ESM, CommonJS and TypeScript consumers', () => {
  it('imports, requires and type-checks @ws02/url from its tarball', () => {
    const result = checkPackaging({
      packages: ['packages/errors', 'packages/url'],
      esm: `import { parseWebSocketUrl, WebSocketUrlError } from '@ws02/url';
const u = parseWebSocketUrl('WSS://Example.com/chat');
try { parseWebSocketUrl('http://x/'); } catch (e) { console.log(e instanceof WebSocketUrlError, e.code); }
console.log(JSON.stringify(u));
console.log('ok');`,
      cjs: `const { constructWebSocketUrl, isWs02Error, parseWebSocketUrl } = require('@ws02/url');
console.log(constructWebSocketUrl({ host: 'h', port: 8080, resourceName: '/x', secure: false }));
try { parseWebSocketUrl('ws://h/#f'); } catch (e) { console.log(isWs02Error(e, 'URL_HAS_FRAGMENT')); }
console.log('ok');`,
      ts: `import { parseWebSocketUrl, type WebSocketUrl, type WebSocketUrlErrorCode } from '@ws02/url';
const u: WebSocketUrl = parseWebSocketUrl('ws://h/');
const port: number = u.port;
const code: WebSocketUrlErrorCode = 'URL_BAD_SCHEME';
export { port, code };`,
    });
    expect(result.tarballs).toHaveLength(2);
    expect(result.esmOutput.trim().split('\n')).toEqual([
      'true URL_BAD_SCHEME',
      '{"host":"example.com","port":443,"resourceName":"/chat","secure":true}',
      'ok',
    ]);
    expect(result.cjsOutput.trim().split('\n')).toEqual(['ws://h:8080/x', 'true', 'ok']);
  });
});
