import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPackaging } from '../../../scripts/test-utils/packaging.js';

describe('packaging: the packed tarball works for ESM, CommonJS and TypeScript consumers', () => {
  it('imports, requires and type-checks @ws02/rfc6455 from its tarball', () => {
    const result = checkPackaging({
      packages: ['packages/errors', 'packages/url', 'packages/protocol', 'packages/rfc6455'],
      esm: `import { createAcceptValue, Rfc6455ClientConnection, Rfc6455Error } from '@ws02/rfc6455';
console.log(createAcceptValue('dGhlIHNhbXBsZSBub25jZQ=='));
try { new Rfc6455ClientConnection({ onMessage() {} }, { url: 'http://x/' }); } catch (e) { console.log(e instanceof Rfc6455Error, e.code); }
console.log('ok');`,
      cjs: `const { rfc6455Encoder, Rfc6455ServerConnection } = require('@ws02/rfc6455');
console.log(Buffer.from(rfc6455Encoder.encodeMessage('Hello', false)[0]).toString('hex'));
console.log(new Rfc6455ServerConnection({ onMessage() {} }).state);
console.log('ok');`,
      ts: `import { type Rfc6455ErrorCode, Rfc6455ServerConnection, type Rfc6455ServerOptions } from '@ws02/rfc6455';
import type { ServerConnection } from '@ws02/protocol';
const options: Rfc6455ServerOptions = { protocols: ['chat'], maxFrameSize: 1024 };
const connection: ServerConnection = new Rfc6455ServerConnection({ onMessage() {} }, options);
const code: Rfc6455ErrorCode = 'MESSAGE_INVALID_UTF8';
export { connection, code };`,
    });
    expect(result.tarballs).toHaveLength(4);
    expect(result.esmOutput.trim().split('\n')).toEqual([
      's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      'true INVALID_ARGUMENT',
      'ok',
    ]);
    expect(result.cjsOutput.trim().split('\n')).toEqual(['810548656c6c6f', '0', 'ok']);
  });
});

describe('README', () => {
  it('shows examples/echo.ts as it is (with the package import)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/echo.ts', import.meta.url), 'utf8')
      .replace(/^\/\*\*[\s\S]*?\*\/\n/, '')
      .replace("'../src/index.js'", "'@ws02/rfc6455'");
    expect(readme).toContain(example);
  });

  it('documents every error code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('../src/rfc6455-error.ts', import.meta.url), 'utf8');
    const union = source.slice(source.indexOf('export type Rfc6455ErrorCode'));
    const codes = [...union.slice(0, union.indexOf(';')).matchAll(/'([A-Z0-9_]+)'/g)].map(
      (m) => m[1],
    );
    expect(codes.length).toBeGreaterThan(40);
    for (const code of codes) expect(readme, code).toContain(`\`${code}\``);
  });
});
