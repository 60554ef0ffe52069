import { connect } from 'node:net';
import type WebSocket from 'ws';
import { RawMessenger } from './raw-messenger.js';
import type { ContenderId } from './types.js';

/**
 * One client connection of the load generator, the same shape for every contender so the load
 * logic (windows, counting, timing) is shared: only how bytes are framed differs.
 */
export interface LoadClient {
  /** Sends `n` copies of the connection's payload as `n` messages. */
  sendMany(n: number): void;
  /** Sends one message with these bytes (a control message, e.g. a broadcast trigger). */
  sendBytes(data: Buffer): void;
  /** Starts a clean close (the protocol's closing handshake, or TCP FIN for raw). */
  close(): void;
  /** Destroys the connection at once. */
  terminate(): void;
}

export interface LoadClientEvents {
  onOpen(): void;
  /** `count` whole messages arrived, `bytes` payload bytes in all. */
  onMessages(count: number, bytes: number): void;
  onClose(): void;
  onError(error: Error): void;
}

/**
 * Opens one connection. `agent` is the index of the concurrent opener (a loop of the handshake
 * scenario, an opener of a connection fleet): each models an independent user agent.
 */
export type ConnectLoadClient = (
  port: number,
  host: string,
  payload: Buffer,
  events: LoadClientEvents,
  agent: number,
) => LoadClient;

/**
 * The client of each contender. @ws02/client is imported only when the `ws02` contender runs, so
 * the other contenders never depend on its build.
 */
export async function clientFor(contender: ContenderId): Promise<ConnectLoadClient> {
  switch (contender) {
    case 'ws02':
    case 'ws02-base':
      return (await import('./ws02-client.js')).connectWs02Client;
    case 'ws02-cores':
      return (await import('./ws02-cores-client.js')).connectWs02Cores;
    case 'ws': {
      // Each load process loads only its contender's library, so no contender's measurement
      // carries another's code and heap (it can move V8's GC heuristics: docs/BENCHMARKS.md).
      const { default: WebSocketClass } = await import('ws');
      return (port, host, payload, events) =>
        connectWs(WebSocketClass, port, host, payload, events);
    }
    case 'raw':
      return connectRaw;
  }
}

/** `ws`'s own client, compression off (its client default is on), binary messages. */
function connectWs(
  WebSocketClass: typeof WebSocket,
  port: number,
  host: string,
  payload: Buffer,
  events: LoadClientEvents,
): LoadClient {
  const ws = new WebSocketClass(`ws://${host}:${port}/`, { perMessageDeflate: false });
  let closed = false;
  // ws sets TCP_NODELAY on its socket itself.
  ws.on('open', () => events.onOpen());
  ws.on('message', (data: Buffer) => events.onMessages(1, data.length));
  ws.on('error', (err) => {
    if (!closed) events.onError(err);
  });
  ws.on('close', () => {
    closed = true;
    events.onClose();
  });
  return {
    sendMany(n: number): void {
      for (let i = 0; i < n; i++) ws.send(payload, { binary: true });
    },
    sendBytes(data: Buffer): void {
      ws.send(data, { binary: true });
    },
    close(): void {
      ws.close();
    },
    terminate(): void {
      closed = true;
      ws.terminate();
    },
  };
}

/** The raw TCP ceiling's client: length-prefixed messages through RawMessenger. */
function connectRaw(
  port: number,
  host: string,
  payload: Buffer,
  events: LoadClientEvents,
): LoadClient {
  const socket = connect({ port, host, noDelay: true });
  const peer = new RawMessenger(socket);
  let closed = false;
  peer.onMessage = (data) => events.onMessages(1, data.length);
  socket.on('connect', () => events.onOpen());
  socket.on('error', (err) => {
    if (!closed) events.onError(err);
  });
  socket.on('close', () => {
    closed = true;
    events.onClose();
  });
  return {
    sendMany(n: number): void {
      for (let i = 0; i < n; i++) peer.send(payload);
    },
    sendBytes(data: Buffer): void {
      peer.send(data);
    },
    close(): void {
      peer.flush();
      socket.end();
    },
    terminate(): void {
      closed = true;
      socket.destroy();
    },
  };
}
