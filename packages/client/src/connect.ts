import type { WebSocketOptions } from './options.js';
import { WebSocket } from './websocket.js';

export interface ConnectOptions extends WebSocketOptions {
  /** Subprotocols to offer (5.1 step 16; sent space-separated). */
  readonly protocols?: string | readonly string[];
}

/**
 * Opens a WebSocket and resolves once it is OPEN (with `reconnect`, once any attempt opens);
 * rejects with the typed error that failed it (`WebSocketUrlError`, `HandshakeError`,
 * `ClientError`) — the same error the `error` event carries.
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<WebSocket> {
  let ws: WebSocket;
  try {
    ws = new WebSocket(url, options.protocols, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const onOpen = () => {
      cleanup();
      resolve(ws);
    };
    const onError = (error: Error) => {
      failure = error;
    };
    const onClose = () => {
      cleanup();
      reject(failure ?? ws.closeError ?? new Error('the connection closed before it opened'));
    };
    const cleanup = () => {
      ws.off('open', onOpen);
      ws.off('error', onError);
      ws.off('close', onClose);
    };
    ws.on('open', onOpen);
    ws.on('error', onError);
    ws.on('close', onClose);
  });
}
