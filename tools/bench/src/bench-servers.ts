import { createServer, type Server } from 'node:net';
import { lengthPrefixed, RawMessenger } from './raw-messenger.js';
import type { ContenderId } from './types.js';

/** What the server does with the messages it receives. */
export type ServerMode = 'echo' | 'broadcast';

export interface BenchServerOptions {
  readonly contender: ContenderId;
  readonly mode: ServerMode;
  /** Broadcast mode: payload bytes of each broadcast message. */
  readonly broadcastPayload?: number;
  /** @ws02/server's `flush` delay in ms (ws02 only: the others have no such option). */
  readonly flushMs?: number;
}

/** A contender's server, listening on 127.0.0.1. */
export interface BenchServer {
  readonly port: number;
  /** Open connections (handshake completed). */
  connections(): number;
  close(): Promise<void>;
}

/** The host every benchmark listens on and connects to (issue 8: only 127.0.0.1). */
export const HOST = '127.0.0.1';

/**
 * Runs `once` `count` times. Paced (the default): each in its own macrotask (setImmediate), so
 * a burst is a series of separate events, as if each message came from a publisher: every
 * contender pays its per-message cost and I/O is polled between broadcasts. Tick: all in this
 * tick, back to back (a publisher handing over a batch), where per-tick write coalescing counts.
 */
function burst(count: number, tick: boolean, once: () => void): void {
  if (tick) {
    for (let i = 0; i < count; i++) once();
    return;
  }
  let left = count;
  const step = (): void => {
    once();
    if (--left > 0) setImmediate(step);
  };
  if (left > 0) step();
}

/**
 * The trigger of a broadcast burst: a message whose first 4 bytes (big-endian) say how many
 * broadcasts to send and the next 4 whether to send them in one tick (1) or paced (0).
 */
function trigger(data: Uint8Array): { count: number; tick: boolean } {
  if (data.byteLength < 8) return { count: 0, tick: false };
  const view = new DataView(data.buffer, data.byteOffset, 8);
  return { count: view.getUint32(0), tick: view.getUint32(4) === 1 };
}

export function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  switch (options.contender) {
    case 'ws02':
    case 'ws02-cores':
    case 'ws02-base':
      return startWs02(options);
    case 'ws':
      return startWs(options);
    case 'raw':
      return startRaw(options);
  }
}

/** @ws02/server in its fastest mode (`port`: its own net server and handshake parser). */
async function startWs02(options: BenchServerOptions): Promise<BenchServer> {
  // Each server process loads only its contender's library (see load-clients.ts).
  const { WebSocketServer: Ws02Server } = await import('@ws02/server');
  return new Promise((resolve, reject) => {
    const wss = new Ws02Server({
      port: 0,
      host: HOST,
      backlog: 1024,
      ...(options.flushMs === undefined ? {} : { flush: options.flushMs }),
    });
    const payload = Buffer.alloc(options.broadcastPayload ?? 32, 0x62);
    wss.on('error', reject);
    wss.on('connection', (ws) => {
      if (options.mode === 'echo') {
        ws.on('message', (data, isBinary) => {
          ws.send(data, { binary: isBinary });
        });
      } else {
        ws.on('message', (data) => {
          if (typeof data === 'string') return;
          // `broadcast` encodes the frame once and writes the same bytes to every client.
          const t = trigger(data);
          burst(t.count, t.tick, () => wss.broadcast(payload, undefined, { binary: true }));
        });
      }
    });
    wss.on('listening', () => {
      const address = wss.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({
        port: address.port,
        connections: () => wss.clients?.size ?? 0,
        close: () => wss.close(),
      });
    });
  });
}

/**
 * `ws` 8.x as users run it: `perMessageDeflate: false` (its server default), with bufferutil
 * loaded. Broadcast is the loop over `wss.clients` from ws's README.
 */
async function startWs(options: BenchServerOptions): Promise<BenchServer> {
  const { WebSocketServer: WsServer } = await import('ws');
  return new Promise((resolve, reject) => {
    const wss = new WsServer({ port: 0, host: HOST, backlog: 1024, perMessageDeflate: false });
    const payload = Buffer.alloc(options.broadcastPayload ?? 32, 0x62);
    wss.on('error', reject);
    wss.on('connection', (ws) => {
      if (options.mode === 'echo') {
        ws.on('message', (data, isBinary) => {
          ws.send(data as Buffer, { binary: isBinary });
        });
      } else {
        ws.on('message', (data) => {
          const t = trigger(data as Buffer);
          burst(t.count, t.tick, () => {
            for (const client of wss.clients) {
              if (client.readyState === 1) client.send(payload, { binary: true });
            }
          });
        });
      }
    });
    wss.on('listening', () => {
      const address = wss.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({
        port: address.port,
        connections: () => wss.clients.size,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}

/**
 * The ceiling: length-prefixed messages over `node:net` with the structure of a message library
 * (a callback per message, one write per tick; see RawMessenger) and no protocol beyond the
 * 4-byte length.
 */
function startRaw(options: BenchServerOptions): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    const peers = new Set<RawMessenger>();
    const frame = lengthPrefixed(Buffer.alloc(options.broadcastPayload ?? 32, 0x62));
    const server: Server = createServer({ noDelay: true }, (socket) => {
      const peer = new RawMessenger(socket);
      peers.add(peer);
      socket.on('close', () => peers.delete(peer));
      socket.on('error', () => {});
      if (options.mode === 'echo') {
        peer.onMessage = (data) => peer.send(data);
      } else {
        // The frame is encoded once and the same bytes are queued on every socket.
        peer.onMessage = (data) => {
          const t = trigger(data);
          burst(t.count, t.tick, () => {
            for (const p of peers) p.sendEncoded(frame);
          });
        };
      }
    });
    server.on('error', reject);
    server.listen(0, HOST, 1024, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({
        port: address.port,
        connections: () => peers.size,
        close: () =>
          new Promise<void>((done) => {
            for (const p of peers) p.socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
