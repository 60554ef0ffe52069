// Test fixtures: real servers on 127.0.0.1 (our @ws02/server, raw `net` peers) and bounded waits
// (those of scripts/test-utils/wait.ts, with its one generous bound WAIT_MS).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { WebSocketServer, type WebSocketServerOptions } from '@ws02/server';
import { nextEvent, oneTurn, until, WAIT_MS } from '../../../scripts/test-utils/wait.js';
import type { WebSocket } from '../src/index.js';

export type ServerOptions = Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'>;

/** Starts a @ws02/server on 127.0.0.1 and an ephemeral port. */
export async function startServer(
  options: ServerOptions = {},
): Promise<{ wss: WebSocketServer; port: number; url: string }> {
  const wss = new WebSocketServer({ ...options, port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  return { wss, port, url: `ws://127.0.0.1:${port}/` };
}

/** Echo server: every data message goes back with the same type. */
export async function startEcho(options: ServerOptions = {}) {
  const started = await startServer(options);
  started.wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return started;
}

/**
 * Resolves when `pred()` holds; rejects after `ms` (default WAIT_MS, generous: a bound that turns
 * a hang into a failure, never a measurement). Kept for its (pred, ms, what) call shape; the
 * polling itself is `until` of scripts/test-utils/wait.ts.
 */
export function waitFor(pred: () => boolean, ms = WAIT_MS, what = 'condition'): Promise<void> {
  return until(pred, what, ms);
}

/** The next `event` of `emitter` (its arguments); rejects after `ms` (default WAIT_MS). */
export { nextEvent, oneTurn, until, WAIT_MS };

/** Resolves with [body, wasClean] when the client closes for good. */
export function closed(ws: WebSocket, ms = WAIT_MS): Promise<[Buffer, boolean]> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve([Buffer.alloc(0), false]);
  return nextEvent<[Buffer, boolean]>(ws, 'close', ms);
}

/** Resolves with the error a client fails with (its `error` event), and waits for `close`. */
export async function failure(ws: WebSocket, ms = WAIT_MS): Promise<Error> {
  const [error] = await nextEvent<[Error]>(ws, 'error', ms);
  await closed(ws, ms);
  return error;
}

// ---- a raw, byte-level draft-02 server (no @ws02 code) ----------------------------------

/** What a raw server learns from a client's request head. */
export interface RawRequest {
  readonly head: string;
  readonly requestLine: string;
  readonly fields: Map<string, string[]>;
  readonly key3: Buffer;
  /** MD5(BE32(part1) ‖ BE32(part2) ‖ key3): the correct 16-byte reply (5.2.2 steps 4–9). */
  readonly answer: Buffer;
}

/** Key number / spaces, computed independently of @ws02/handshake (5.2.2 steps 4–6). */
function keyPart(key: string): number {
  const digits = Number(key.replace(/[^0-9]/g, ''));
  const spaces = key.split(' ').length - 1;
  return digits / spaces;
}

export function parseRawRequest(bytes: Buffer): RawRequest | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1 || bytes.length < end + 4 + 8) return undefined;
  const head = bytes.subarray(0, end).toString('latin1');
  const [requestLine = '', ...lines] = head.split('\r\n');
  const fields = new Map<string, string[]>();
  for (const line of lines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), line.slice(i + 2)]);
  }
  const key3 = Buffer.from(bytes.subarray(end + 4, end + 12));
  const challenge = Buffer.alloc(16);
  challenge.writeUInt32BE(keyPart(fields.get('sec-websocket-key1')?.[0] ?? ''), 0);
  challenge.writeUInt32BE(keyPart(fields.get('sec-websocket-key2')?.[0] ?? ''), 4);
  key3.copy(challenge, 8);
  const answer = createHash('md5').update(challenge).digest();
  return { head, requestLine, fields, key3, answer };
}

/** The standard 101 head for a request, as a conforming server writes it (5.2.2 step 10–12). */
export function goodHead(req: RawRequest, extra: string[] = []): string {
  const host = req.fields.get('host')?.[0] ?? '';
  const resource = req.requestLine.split(' ')[1] ?? '/';
  return [
    'HTTP/1.1 101 WebSocket Protocol Handshake',
    'Upgrade: WebSocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Origin: ${req.fields.get('origin')?.[0] ?? ''}`,
    `Sec-WebSocket-Location: ws://${host}${resource}`,
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/**
 * A raw TCP server: `onRequest(socket, request)` is called once per connection when the whole
 * request (head + key_3) has arrived; it writes whatever bytes the test wants.
 */
export async function startRawServer(
  onRequest: (socket: Socket, request: RawRequest, index: number) => void,
): Promise<{
  server: Server;
  port: number;
  sockets: Socket[];
  requests: RawRequest[];
  close: () => Promise<void>;
}> {
  const sockets: Socket[] = [];
  const requests: RawRequest[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    let inbox = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk) => {
      if (done) return;
      inbox = Buffer.concat([inbox, chunk]);
      const request = parseRawRequest(inbox);
      if (request === undefined) return;
      done = true;
      requests.push(request);
      onRequest(socket, request, requests.length - 1);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    sockets,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export { frame, OP } from '../../../scripts/test-utils/draft02-bytes.js';
