import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import { WebSocketServer } from '../src/index.js';
import { buildRequest, CLASSIC, frame, OP } from './raw-client.js';

describe('wss through an https.Server (certificate generated in the test)', () => {
  it('handshakes over TLS with a wss:// Location and echoes', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 86_400_000),
    });
    const https = createServer({ key: pems.private, cert: pems.cert });
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
    const port = await new Promise<number>((resolve) =>
      https.listen(0, '127.0.0.1', () => resolve((https.address() as AddressInfo).port)),
    );
    const socket = connect({ port, host: '127.0.0.1', ca: pems.cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    expect(socket.authorized).toBe(true);
    let inbox = Buffer.alloc(0);
    socket.on('data', (c) => {
      inbox = Buffer.concat([inbox, c]);
    });
    const { head, key3 } = buildRequest({ host: `LocalHost:${port}` });
    socket.write(Buffer.concat([head, key3, frame(OP.TEXT, 'over tls')]));
    const expectedTail = frame(OP.TEXT, 'over tls');
    await until(
      () => inbox.subarray(inbox.length - expectedTail.length).equals(expectedTail),
      'the handshake answer and the echo',
    );
    const text = inbox.toString('latin1');
    expect(text).toMatch(/^HTTP\/1.1 101 WebSocket Protocol Handshake\r\n/);
    expect(text).toContain(`Sec-WebSocket-Location: wss://localhost:${port}/\r\n`);
    const end = inbox.indexOf('\r\n\r\n') + 4;
    expect(inbox.subarray(end, end + 16)).toEqual(CLASSIC.response);
    expect(inbox.subarray(end + 16)).toEqual(expectedTail);
    socket.destroy();
    await wss.close();
    await new Promise((r) => https.close(r));
  });
});
