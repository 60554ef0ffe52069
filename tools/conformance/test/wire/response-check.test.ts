import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/wire/bytes.js';
import { DRAFT_EXAMPLES } from '../../src/wire/handshake-keys.js';
import { checkResponse } from '../../src/wire/response-check.js';

const answer = DRAFT_EXAMPLES.classic.answer;
const expect0 = { origin: 'http://example.com', location: 'ws://example.com/demo', answer };
const HEAD =
  'HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Origin: http://example.com\r\nSec-WebSocket-Location: ws://example.com/demo\r\n\r\n';

function check(head: string, tail: Buffer = answer, ended = false) {
  return checkResponse(Buffer.concat([utf8(head), tail]), expect0, ended);
}

describe('5.1 steps 31–48, independently', () => {
  it('establishes on the conforming response and counts the consumed bytes', () => {
    const r = check(HEAD, Buffer.concat([answer, Buffer.from([4, 0])]));
    expect(r).toMatchObject({ state: 'established', consumed: utf8(HEAD).length + 16 });
  });
  it('waits while bytes are missing, fails if the connection ended', () => {
    expect(check(HEAD.slice(0, 50), Buffer.alloc(0))).toEqual({ state: 'incomplete' });
    expect(check(HEAD, answer.subarray(0, 10))).toEqual({ state: 'incomplete' });
    expect(check(HEAD, answer.subarray(0, 10), true)).toMatchObject({ state: 'failed', step: 47 });
  });
  it.each([
    ['step 31: shorter than 7 bytes', HEAD.replace(/^[^\r]*/, 'HTTP'), 31],
    ['step 31: LF without CR', HEAD.replace('\r\n', '\n'), 31],
    ['step 31: a stray CR', HEAD.replace('101 Web', '101 W\reb'), 31],
    ['step 31: one space', HEAD.replace(/^[^\r]*/, 'HTTP/1.1 101'), 31],
    ['step 36: CR in a name', HEAD.replace('Upgrade:', 'Upg\rrade:'), 36],
    ['step 36: LF in a name', HEAD.replace('Upgrade:', 'Upg\nrade:'), 36],
    ['step 38: LF in a value', HEAD.replace('WebSocket\r\nConn', 'Web\nSocket\r\nConn'), 38],
    ['step 39: CR without LF', HEAD.replace('Upgrade\r\n', 'Upgrade\rX\r\n'), 39],
    ['step 42: blank line CR without LF', `${HEAD.slice(0, -2)}\rX`, 42],
    ['step 44: no Upgrade', HEAD.replace('Upgrade: WebSocket\r\n', ''), 44],
    ['step 44: two Connection', HEAD.replace('\r\n\r\n', '\r\nConnection: Upgrade\r\n\r\n'), 44],
    [
      'step 44: " WebSocket" (two spaces after the colon)',
      HEAD.replace('Upgrade: WebSocket', 'Upgrade:  WebSocket'),
      44,
    ],
    [
      'step 44: wrong origin case',
      HEAD.replace('Origin: http://example.com', 'Origin: http://Example.com'),
      44,
    ],
    ['step 44: wrong location', HEAD.replace('/demo', '/other'), 44],
    ['step 44: an empty field name', HEAD.replace('\r\n\r\n', '\r\n: x\r\n\r\n'), 44],
  ])('fails: %s', (_name, head, step) => {
    expect(check(head)).toMatchObject({ state: 'failed', step });
  });
  it('fails step 48 on a wrong answer', () => {
    const bad = Buffer.from(answer);
    bad[0] = bad[0]! ^ 1;
    expect(check(HEAD, bad)).toMatchObject({ state: 'failed', step: 48 });
  });
  it('accepts what 5.1 accepts: other case, no space after the colon, other reason phrase, unknown fields', () => {
    const lenient = HEAD.replace('Upgrade: WebSocket', 'uPGRADE:websocket')
      .replace('101 WebSocket Protocol Handshake', '101 Switching Protocols')
      .replace('\r\n\r\n', '\r\nX-Any: κόσμε\r\nSec-WebSocket-Protocol: chat\r\n\r\n');
    expect(check(lenient)).toMatchObject({ state: 'established', protocol: undefined });
  });
  it('reports a non-101 status as a refusal (step 33)', () => {
    expect(check('HTTP/1.1 400 Bad Request\r\n\r\n', Buffer.alloc(0))).toMatchObject({
      state: 'refused',
      code: '400',
    });
  });
  it('requires exactly one offered Sec-WebSocket-Protocol when protocols were offered', () => {
    const withChat = HEAD.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: chat\r\n\r\n');
    const bytes = Buffer.concat([utf8(withChat), answer]);
    expect(checkResponse(bytes, { ...expect0, protocols: ['chat'] })).toMatchObject({
      state: 'established',
      protocol: 'chat',
    });
    expect(checkResponse(bytes, { ...expect0, protocols: ['other'] })).toMatchObject({
      state: 'failed',
      step: 44,
    });
    expect(
      checkResponse(Buffer.concat([utf8(HEAD), answer]), { ...expect0, protocols: ['chat'] }),
    ).toMatchObject({ state: 'failed', step: 44 });
  });
});
