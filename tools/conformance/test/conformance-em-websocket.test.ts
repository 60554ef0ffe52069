import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseResult, runServerSuite, selectCases } from '../src/index.js';
import { STEP_TIMEOUT_MS, startEmWebsocket } from './helpers/servers.js';

/**
 * em-websocket 0.5.1 (Debian ruby-em-websocket) as the independent reference server. Its
 * deviations — every case it does not get OK or INFORMATIONAL on — with the reason for each;
 * docs/CONFORMANCE.md lists the same ids.
 */
export const EM_WEBSOCKET_DEVIATIONS: Readonly<Record<string, string>> = {
  '1.3.11': 'NON-STRICT: ignores the top bit of the 63-bit length (reads only its low 32 bits)',
  '1.3.12': 'FAILED: misreads a 2^53 length as 0 (low 32 bits) and delivers an empty message',
  '3.1': 'NON-STRICT: ignores RSV1',
  '3.2': 'NON-STRICT: ignores RSV2',
  '3.3': 'NON-STRICT: ignores RSV3',
  '3.4': 'NON-STRICT: ignores RSV4',
  '3.5': 'NON-STRICT: ignores all reserved bits',
  '3.6': 'NON-STRICT: ignores RSV2 on a Ping',
  '3.8': 'NON-STRICT: ignores RSV4 on a continuation',
  '4.3.1': 'NON-STRICT: a Close with MORE set is buffered as a fragment, not taken as a Close',
  '4.3.2': 'NON-STRICT: RSV4 + MORE on Close: waits instead of failing',
  '5.1': 'NON-STRICT: accepts a fragmented Ping (MORE on a control frame)',
  '5.2': 'NON-STRICT: accepts a fragmented Pong',
  '5.13': 'NON-STRICT: a Text frame inside a fragmented message is delivered on its own',
  '5.14': 'NON-STRICT: the same with MORE set on the inner Text frame',
  '5.15': 'NON-STRICT: a Binary frame inside a fragmented text message is delivered on its own',
  '7.3.2': 'NON-STRICT: ignores a Close with MORE set',
  '9.9.2': 'FAILED: misreads a 2^62 length as 0 (low 32 bits) and delivers an empty message',
  '14.1.4': "FAILED: Sec-WebSocket-Location keeps the Host's upper case (5.2.2 step 2: lowercase)",
  '14.1.7':
    'NON-STRICT: accepts an absolute URI as the resource name (and builds a broken Location)',
  '15.2.3': 'NON-STRICT: answers a request without Sec-WebSocket-Draft as hixie-76',
  '15.2.4': 'FAILED: checks the part, not the key-number, against 4,294,967,295 (5.2.2 step 4)',
  '15.2.18': 'NON-STRICT: answers a request without Host (Location ws:///)',
  '15.2.20': 'NON-STRICT: accepts LF-only line endings',
  '15.2.21': 'NON-STRICT: accepts a folded (obs-fold) key field',
  '15.2.24': 'NON-STRICT: accepts a duplicate subprotocol list and echoes it',
  '15.3.4': 'NON-STRICT: refuses frame bytes pipelined after key_3 ("Extra bytes after third key")',
};

/** Lanes of cases run side by side (each case has its own connection and seed). */
const LANES = 4;

describe('em-websocket (reference server), quick run', () => {
  let em: Awaited<ReturnType<typeof startEmWebsocket>>;
  const ids = selectCases('server', { quick: true }).map((c) => c.id);
  let cases: CaseResult[];

  beforeAll(async () => {
    em = await startEmWebsocket();
    // em-websocket stays silent on 4.3.2 and, depending on its timing, on up to all 31 cases of
    // 6.6: those wait out the generous step timeout in full (their verdict does not depend on
    // it). Interleaved lanes keep that wait a quarter of what one after another would take.
    const lanes = await Promise.all(
      Array.from({ length: LANES }, (_, lane) =>
        runServerSuite({
          url: em.url,
          agent: 'em-websocket 0.5.1',
          quick: true,
          include: ids.filter((_, i) => i % LANES === lane),
          timeout: STEP_TIMEOUT_MS,
        }),
      ),
    );
    cases = lanes.flatMap((r) => r.cases).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  }, 600_000);
  afterAll(() => em?.stop());

  it('runs every quick server-mode case once', () => {
    expect(cases.map((c) => c.id)).toEqual(ids);
  });

  it('deviates exactly where docs/CONFORMANCE.md says, with those verdicts', () => {
    const deviations = Object.fromEntries(
      cases
        .filter((c) => c.verdict !== 'OK' && c.verdict !== 'INFORMATIONAL')
        .map((c) => [c.id, c.verdict]),
    );
    expect(deviations).toEqual(
      Object.fromEntries(
        Object.entries(EM_WEBSOCKET_DEVIATIONS).map(([id, why]) => [id, why.split(':')[0]]),
      ),
    );
  });

  it('closes the connection on invalid UTF-8 (its 6.2 policy, INFORMATIONAL)', () => {
    const utf8 = cases.filter((c) => c.id.startsWith('6.6.'));
    expect(utf8.length).toBeGreaterThan(20);
    for (const c of utf8) expect(c.reason).toMatch(/failed the connection on invalid UTF-8/);
  });

  it('every deviation is documented in docs/CONFORMANCE.md', () => {
    const doc = readFileSync(new URL('../../../docs/CONFORMANCE.md', import.meta.url), 'utf8');
    for (const id of Object.keys(EM_WEBSOCKET_DEVIATIONS)) expect(doc).toContain(`| ${id} |`);
  });
});
