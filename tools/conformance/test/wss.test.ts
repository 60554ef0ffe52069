import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from '@ws02/server';
import { describe, expect, it } from 'vitest';
import { runServerSuite } from '../src/index.js';
import { STEP_TIMEOUT_MS } from './helpers/servers.js';

// A self-signed certificate for CN=localhost, valid until 2126, for tests only (made once with
// `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost`).
const FIXTURE = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('server mode over wss:// (TLS, self-signed test certificate)', () => {
  it('runs cases with a wss Location, refusing the certificate unless --insecure', async () => {
    const https = createServer({
      key: readFileSync(FIXTURE('localhost-key.pem')),
      cert: readFileSync(FIXTURE('localhost-cert.pem')),
    });
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
    const port = await new Promise<number>((resolve) =>
      https.listen(0, '127.0.0.1', () => resolve((https.address() as AddressInfo).port)),
    );
    try {
      const url = `wss://localhost:${port}/`;
      await expect(
        runServerSuite({ url, include: ['1.1.1'], timeout: STEP_TIMEOUT_MS }),
      ).rejects.toMatchObject({
        code: 'CONFORMANCE_UNREACHABLE',
      });
      const report = await runServerSuite({
        url,
        insecure: true,
        include: ['1.1.1', '2.2', '14.1.1', '15.1.1'],
        timeout: STEP_TIMEOUT_MS,
      });
      expect(report.cases.map((c) => `${c.id} ${c.verdict}`)).toEqual([
        '1.1.1 OK',
        '2.2 OK',
        '14.1.1 OK',
        '15.1.1 OK',
      ]);
    } finally {
      await wss.close();
      await new Promise((r) => https.close(r));
    }
  });
});
