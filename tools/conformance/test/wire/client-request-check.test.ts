import { createClientHandshake } from '@ws02/handshake';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/wire/bytes.js';
import {
  answerFor,
  checkClientRequest,
  checkKeyShape,
  parseClientRequest,
} from '../../src/wire/client-request-check.js';
import { DRAFT_EXAMPLES } from '../../src/wire/handshake-keys.js';

const ex = DRAFT_EXAMPLES.classic;
const HEAD =
  'GET /runCase?case=1&agent=x HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1:9001\r\n' +
  `Origin: http://localhost\r\nSec-WebSocket-Draft: 2\r\nSec-WebSocket-Key1: ${ex.key1}\r\nSec-WebSocket-Key2: ${ex.key2}\r\n\r\n`;
const context = { resource: '/runCase?case=1&agent=x', hostField: '127.0.0.1:9001' };

function parse(head: string, key3: Buffer = ex.key3) {
  const r = parseClientRequest(Buffer.concat([utf8(head), key3]));
  if (r.state !== 'complete') throw new Error(r.state);
  return r.request;
}

describe("a client's request as the fuzzing server reads it", () => {
  it('waits for key_3, then answers with the classic example answer', () => {
    expect(parseClientRequest(utf8(HEAD))).toEqual({ state: 'incomplete' });
    const request = parse(HEAD);
    expect(request.resource).toBe('/runCase?case=1&agent=x');
    expect((answerFor(request) as Buffer).equals(ex.answer)).toBe(true);
  });
  it('finds nothing wrong in a conforming request', () => {
    expect(checkClientRequest(parse(HEAD), context)).toEqual([]);
  });
  it('finds nothing wrong in what @ws02/handshake builds (random order, random keys)', () => {
    for (let i = 0; i < 50; i++) {
      const h = createClientHandshake({
        url: 'ws://127.0.0.1:9001/runCase?case=1&agent=x',
        origin: 'http://localhost',
      });
      const r = parseClientRequest(h.request);
      expect(r.state).toBe('complete');
      if (r.state === 'complete') expect(checkClientRequest(r.request, context)).toEqual([]);
    }
  });
  it.each([
    ['step 6', HEAD.replace('GET /runCase?case=1&agent=x', 'GET /runCase'), 'FAILED'],
    ['step 8', HEAD.replace('Upgrade: WebSocket', 'Upgrade: websocket'), 'NON-STRICT'],
    ['steps 10–13', HEAD.replace('Host: 127.0.0.1:9001', 'Host: 127.0.0.1'), 'FAILED'],
    ['3.3', HEAD.replace('Origin: http://localhost', 'Origin: http://LocalHost'), 'NON-STRICT'],
    ['step 15', HEAD.replace('Draft: 2', 'Draft: 3'), 'FAILED'],
    ['step 18', HEAD.replace('Origin: http', 'Origin:http'), 'NON-STRICT'],
    ['steps 19–26', HEAD.replace(ex.key1, '4 @1 46546xW%0l 1 5'), 'FAILED'],
  ])('flags %s', (step, head, severity) => {
    const findings = checkClientRequest(parse(head), context);
    expect(findings.map((f) => [f.step.replace('5.1 ', ''), f.severity])).toContainEqual([
      step,
      severity,
    ]);
  });
  it('checks key shapes by steps 19–25', () => {
    expect(checkKeyShape(DRAFT_EXAMPLES.client.key1)).toBeUndefined(); // 13 random characters: accepted
    expect(checkKeyShape(' 12 34')).toMatch(/start or end/);
    expect(checkKeyShape('1 2')).toMatch(/no random characters/);
    expect(checkKeyShape('x 1 2 3 4 5 6 7 8 9 0 1 2 3y')).toMatch(/13 spaces/);
  });
  it('tells a plain HTTP GET from a handshake', () => {
    const r = parseClientRequest(utf8('GET /report HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(r).toMatchObject({ state: 'complete', request: { websocket: false } });
  });
});
