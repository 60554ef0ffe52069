import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from '@ws02/server';
import { describe, expect, it } from 'vitest';
import { runServerSuite } from '../src/index.js';

describe('server mode over wss:// (TLS, self-signed certificate from openssl)', () => {
  it('runs cases with a wss Location, refusing the certificate unless --insecure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws02-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    const https = createServer({
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
    });
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
    const port = await new Promise<number>((resolve) =>
      https.listen(0, '127.0.0.1', () => resolve((https.address() as AddressInfo).port)),
    );
    try {
      const url = `wss://localhost:${port}/`;
      await expect(runServerSuite({ url, include: ['1.1.1'] })).rejects.toMatchObject({
        code: 'CONFORMANCE_UNREACHABLE',
      });
      const report = await runServerSuite({
        url,
        insecure: true,
        include: ['1.1.1', '2.2', '14.1.1', '15.1.1'],
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
