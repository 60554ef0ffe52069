import { Duplex, type DuplexOptions } from 'node:stream';
import type { MessageData, WebSocketConnection } from './websocket.js';

export interface WebSocketStreamOptions extends DuplexOptions {
  /** Send written chunks as Binary (default) or Text frames. */
  readonly binary?: boolean;
}

/**
 * A Node `Duplex` over one connection: each chunk written is sent as one message; each message
 * received is pushed as one chunk. Backpressure runs both ways: a full read buffer pauses the
 * WebSocket (and so the socket), and writes complete only when the frame was handed to the
 * kernel. The stream ends when the WebSocket closes; ending the stream's writable side starts
 * the closing handshake.
 */
export function createWebSocketStream(
  ws: WebSocketConnection,
  options: WebSocketStreamOptions = {},
): Duplex {
  const { binary = true, ...duplexOptions } = options;
  let ended = false;
  const stream = new Duplex({
    ...duplexOptions,
    autoDestroy: true,
    emitClose: true,
    objectMode: duplexOptions.objectMode ?? false,
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer | string, _encoding, callback) {
      ws.send(chunk, { binary }, (err) => callback(err ?? null));
    },
    final(callback) {
      ws.close();
      callback();
    },
    destroy(err, callback) {
      if (!ended) ws.terminate();
      callback(err);
    },
  });
  const onMessage = (data: MessageData) => {
    if (!stream.push(data)) ws.pause();
  };
  ws.on('message', onMessage);
  ws.once('close', () => {
    ended = true;
    ws.off('message', onMessage);
    stream.push(null);
  });
  ws.on('error', (err: Error) => stream.destroy(err));
  return stream;
}
