import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServerSuite, type SuiteReport, selectCases } from '../src/index.js';
import { STEP_TIMEOUT_MS, startWs02Echo } from './helpers/servers.js';

describe('@ws02/server, quick run (server mode)', () => {
  let server: Awaited<ReturnType<typeof startWs02Echo>>;
  let report: SuiteReport;

  beforeAll(async () => {
    server = await startWs02Echo();
    report = await runServerSuite({
      url: server.url,
      agent: '@ws02/server',
      quick: true,
      timeout: STEP_TIMEOUT_MS,
    });
  }, 240_000);
  afterAll(() => server.close());

  it('runs every quick server-mode case', () => {
    expect(report.cases.map((c) => c.id)).toEqual(
      selectCases('server', { quick: true }).map((c) => c.id),
    );
    expect(report.summary).toMatch(/^\d+ passed, \d+ failed$/);
  });

  it('is OK or INFORMATIONAL on every case (a FAILED or NON-STRICT here is a bug of ours)', () => {
    const notOk = report.cases.filter((c) => c.verdict !== 'OK' && c.verdict !== 'INFORMATIONAL');
    expect(Object.fromEntries(notOk.map((c) => [c.id, `${c.verdict}: ${c.reason}`]))).toEqual({});
    expect(report.failed).toBe(0);
  });

  it('records the policies it chose where the draft leaves them open (INFORMATIONAL)', () => {
    const info = Object.fromEntries(
      report.cases.filter((c) => c.verdict === 'INFORMATIONAL').map((c) => [c.id, c.reason]),
    );
    // 6.2: invalid UTF-8 from a client becomes U+FFFD (the project's default policy).
    expect(info['6.3.1']).toMatch(/replaced each invalid sequence with U\+FFFD/);
    // A request without Sec-WebSocket-Draft is refused (SPEC-NOTES decision): OK, not INFORMATIONAL.
    expect(report.cases.find((c) => c.id === '15.2.3')?.verdict).toBe('OK');
  });

  // 7.1.1 found this once: a message and a Close in one TCP read made the echo's send() throw
  // FRAME_SEND_AFTER_CLOSE from the handler (fixed in @ws02/socket, commits a2d6a3d, e71456d).
  it("never made the echo handler's send() throw", () => {
    expect(server.sendErrors).toEqual([]);
  });
});
