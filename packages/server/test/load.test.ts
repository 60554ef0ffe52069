import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import { buildRequest, CLASSIC, frame, OP } from './raw-client.js';
import { startEcho } from './server-fixture.js';

/**
 * 2,000 concurrent connections, each exchanging messages; then a graceful close() with all of
 * them open. Minimal clients (a handshake and a frame counter each) so the test measures the
 * server, not the test harness.
 */
describe('2,000 concurrent connections', () => {
  it('each exchanges 5 messages; close() then ends every one with a closing handshake', async () => {
    const { wss, port } = await startEcho({ maxPendingHandshakes: 5000 });
    const N = 2000;
    const MESSAGES = 5;
    const request = Buffer.concat([buildRequest().head, CLASSIC.key3]);
    const sockets: Socket[] = [];
    let echoed = 0;
    let closeFrames = 0;
    const handshakes: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      handshakes.push(
        new Promise<void>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          let buffered = Buffer.alloc(0);
          let open = false;
          socket.on('error', reject);
          socket.on('connect', () => socket.write(request));
          socket.on('data', (chunk) => {
            buffered = Buffer.concat([buffered, chunk]);
            if (!open) {
              const end = buffered.indexOf('\r\n\r\n');
              if (end === -1 || buffered.length < end + 4 + 16) return;
              buffered = buffered.subarray(end + 4 + 16);
              open = true;
              resolve();
            }
            // Count whole frames (all short: 2-byte headers).
            while (buffered.length >= 2 && buffered.length >= 2 + (buffered[1]! & 0x7f)) {
              const op = buffered[0]! & 0x0f;
              const len = buffered[1]! & 0x7f;
              if (op === OP.TEXT) echoed++;
              if (op === OP.CLOSE) {
                closeFrames++;
                socket.write(frame(OP.CLOSE, ''));
              }
              buffered = buffered.subarray(2 + len);
            }
          });
        }),
      );
    }
    await Promise.all(handshakes);
    expect(wss.clients?.size).toBe(N);
    for (let m = 0; m < MESSAGES; m++) {
      for (let i = 0; i < N; i++) sockets[i]!.write(frame(OP.TEXT, `c${i}m${m}`));
    }
    await until(() => echoed >= N * MESSAGES, `${N * MESSAGES} echoes`);
    expect(echoed).toBe(N * MESSAGES);
    await wss.close();
    expect(closeFrames).toBe(N);
    expect(wss.clients?.size).toBe(0);
    for (const s of sockets) s.destroy();
  });
});
