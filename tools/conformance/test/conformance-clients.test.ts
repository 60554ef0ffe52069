import { WebSocket } from '@ws02/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveClient, FuzzingServer, type SuiteReport, selectCases } from '../src/index.js';
import { CoreClient } from './helpers/core-client.js';

/**
 * A known bug of @ws02/client the suite finds (reported to the lead): when a message and the
 * server's Close arrive right after the handshake, inside the tick during which the client holds
 * events back after `open`, the frame core has already queued its Close echo by the time the
 * message is dispatched, so the application's reply is refused (send() returns false) and the
 * echo is lost. Timing decides whether the bytes land in that window, so the case may pass;
 * when it fails, it must fail this way. Remove the entry once fixed.
 */
const WS02_CLIENT_KNOWN: Readonly<Record<string, RegExp>> = {
  '7.1.1': /^expected the echo of message 1 before the Close, received close/,
};

function deviations(report: SuiteReport): Record<string, string> {
  return Object.fromEntries(
    report.cases
      .filter((c) => c.verdict !== 'OK' && c.verdict !== 'INFORMATIONAL')
      .map((c) => [c.id, `${c.verdict}: ${c.reason}`]),
  );
}

describe('@ws02/client, quick run (client mode)', () => {
  let server: FuzzingServer;
  let report: SuiteReport;
  let summary: string;

  beforeAll(async () => {
    server = new FuzzingServer({ port: 0, quick: true, timeout: 6000 });
    const port = await server.listen();
    summary = await driveClient(
      (url) => {
        const ws = new WebSocket(url, undefined, { origin: 'http://localhost' });
        ws.on('error', () => {});
        return ws as never;
      },
      `ws://127.0.0.1:${port}`,
      '@ws02/client',
    );
    report = server.report('@ws02/client')!;
  }, 240_000);
  afterAll(() => server.close());

  it('runs every quick client-mode case and answers the summary on /updateReports', () => {
    expect(report.cases.map((c) => c.id)).toEqual(
      selectCases('client', { quick: true }).map((c) => c.id),
    );
    expect(summary).toBe(report.summary);
    expect(summary).toMatch(/^\d+ passed, \d+ failed$/);
  });

  it('is OK or INFORMATIONAL on every case, but for the known (timing-dependent) bug', () => {
    const found = deviations(report);
    for (const [id, reason] of Object.entries(found)) {
      const known = WS02_CLIENT_KNOWN[id];
      expect(known, `${id} ${reason}`).toBeDefined();
      expect(reason.replace(/^FAILED: /, '')).toMatch(known!);
    }
  });

  it('fails the connection on every malformed response of 16.3 (5.1 steps 31–48)', () => {
    const c = report.cases.filter((r) => r.id.startsWith('16.3.'));
    expect(c.length).toBeGreaterThan(30);
    for (const r of c) expect(r.verdict, `${r.id} ${r.reason}`).toBe('OK');
  });
});

describe('a minimal client built from the cores (client mode: handshake, URLs, UTF-8, closing)', () => {
  let server: FuzzingServer;
  let report: SuiteReport;

  beforeAll(async () => {
    server = new FuzzingServer({
      port: 0,
      quick: true,
      timeout: 6000,
      include: ['6.*', '7.*', '14.*', '16.*'],
    });
    const port = await server.listen();
    await driveClient((url) => new CoreClient(url), `ws://127.0.0.1:${port}`, 'cores');
    report = server.report('cores')!;
  }, 240_000);
  afterAll(() => server.close());

  it('is OK or INFORMATIONAL on every case', () => {
    expect(deviations(report)).toEqual({});
    expect(report.cases.length).toBe(
      selectCases('client', { quick: true, include: ['6.*', '7.*', '14.*', '16.*'] }).length,
    );
  });

  it('replaces invalid UTF-8 with U+FFFD (6.1): OK, not INFORMATIONAL, in client mode', () => {
    expect(report.cases.find((c) => c.id === '6.6.1')?.verdict).toBe('OK');
  });
});
