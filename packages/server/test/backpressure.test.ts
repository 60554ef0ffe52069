import { describe, expect, it } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import { frame, OP, openWebSocket, readFrame } from './raw-client.js';
import { nextConnection, startServer } from './server-fixture.js';

describe('backpressure: a peer that stops reading', () => {
  it('while the server sends 100 MiB, memory stays bounded and the peer is closed with SOCKET_BUFFER_OVERFLOW', async () => {
    const limit = 8 * 1024 * 1024;
    const { wss, port } = await startServer({ maxBufferedBytes: limit });
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    client.socket.pause(); // stops reading: the kernel buffers fill, then ours
    const ws = await accepted;
    const errors: string[] = [];
    ws.on('error', (e: { code: string }) => errors.push(e.code));
    const closed = new Promise<boolean>((resolve) =>
      ws.once('close', (_b: Buffer, clean: boolean) => resolve(clean)),
    );
    const chunk = Buffer.alloc(64 * 1024, 1);
    const rssBefore = process.memoryUsage().rss;
    let sent = 0;
    let peak = 0;
    // Send 100 MiB as fast as the API allows, the way a careless app would, yielding to I/O.
    while (sent < 100 * 1024 * 1024 && ws.readyState === 1) {
      ws.send(chunk);
      sent += chunk.length;
      peak = Math.max(peak, ws.bufferedAmount);
      if (sent % (1024 * 1024) === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await closed).toBe(false);
    expect(errors).toEqual(['SOCKET_BUFFER_OVERFLOW']);
    // Never more than the limit plus one tick's worth of sends is held.
    expect(peak).toBeLessThanOrEqual(limit + 1024 * 1024 + chunk.length);
    expect(sent).toBeLessThan(100 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(96 * 1024 * 1024);
    client.socket.destroy();
    await wss.close();
  });

  it('a well-behaved sender that waits for drain delivers 100 MiB to a slow reader', async () => {
    const { wss, port } = await startServer({ maxBufferedBytes: 4 * 1024 * 1024 });
    const accepted = nextConnection(wss);
    const client = await openWebSocket(port);
    const ws = await accepted;
    let received = 0;
    client.socket.removeAllListeners('data');
    client.socket.on('data', (c) => {
      received += c.length;
    });
    const chunk = Buffer.alloc(256 * 1024, 2);
    const total = 100 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += chunk.length) {
      ws.send(chunk);
      if (ws.bufferedAmount > 1024 * 1024)
        await new Promise<void>((r) => ws.once('drain', () => r()));
    }
    const frames = total / chunk.length;
    const expected = total + frames * 10; // 63-bit length header on each 256 KiB frame
    await until(() => received >= expected, `${expected} bytes on the reading side`);
    expect(received).toBe(expected);
    expect(ws.readyState).toBe(1);
    client.socket.destroy();
    await wss.close();
  });

  it('one message as large as maxBufferedBytes passes on a healthy connection (checked before queuing)', async () => {
    const limit = 1024 * 1024;
    const { wss, port } = await startServer({ maxBufferedBytes: limit, maxFrameSize: limit });
    wss.on('connection', (ws) =>
      ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })),
    );
    const client = await openWebSocket(port);
    const big = Buffer.alloc(limit, 3);
    client.write(frame(OP.BINARY, big));
    const echoed = await readFrame(client);
    expect(echoed.opcode).toBe(OP.BINARY);
    expect(echoed.payload.equals(big)).toBe(true);
    client.socket.destroy();
    await wss.close();
  });
});
