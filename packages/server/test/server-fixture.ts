import type { AddressInfo } from 'node:net';
import { WAIT_MS } from '../../../scripts/test-utils/wait.js';
import { WebSocketServer } from '../src/index.js';
import type { WebSocketServerOptions } from '../src/server-options.js';

/**
 * Starts a server on 127.0.0.1 and an ephemeral port; resolves once it listens. Its handshake
 * and close timeouts default to WAIT_MS, not the product's 10 s and 5 s: tests that do not test
 * a timeout must not be cut off by one on a busy machine (the ones that do set their own).
 */
export async function startServer(
  options: Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'> = {},
): Promise<{ wss: WebSocketServer; port: number }> {
  const wss = new WebSocketServer({
    handshakeTimeout: WAIT_MS,
    closeTimeout: WAIT_MS,
    ...options,
    port: 0,
    host: '127.0.0.1',
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return { wss, port: (wss.address() as AddressInfo).port };
}

/** Echo: every data message goes back with the same type. */
export async function startEcho(
  options: Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'> = {},
): Promise<{ wss: WebSocketServer; port: number }> {
  const started = await startServer(options);
  started.wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return started;
}

/** Resolves with the next connection the server accepts. */
export function nextConnection(wss: WebSocketServer): Promise<import('../src/index.js').WebSocket> {
  return new Promise((resolve) => wss.once('connection', resolve));
}
