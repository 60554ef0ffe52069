import type { Socket } from 'node:net';
import {
  type ClientHandshake,
  ClientHandshakeParser,
  type ClientHandshakeResult,
} from '@ws02/handshake';
import { ClientError } from './client-error.js';

export type ExchangeResult = Exclude<
  ClientHandshakeResult,
  { kind: 'need-more' } | { kind: 'failed' }
>;

/**
 * Steps 27–48 over an open socket: writes the request head and key_3 in ONE write (some servers,
 * em-websocket among them, refuse a key_3 that arrives in its own segment), then feeds the
 * server's bytes to the core's parser until it decides. On `established` the socket is left
 * paused with nothing lost: the bytes after the 16-byte reply are in `rest`.
 */
export function exchangeHandshake(
  socket: Socket,
  handshake: ClientHandshake,
  limits: { maxHeadBytes?: number | undefined; maxFields?: number | undefined },
  signal: AbortSignal,
): Promise<ExchangeResult> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const parser = new ClientHandshakeParser({
      expected: handshake.expected,
      location: handshake.location,
      origin: handshake.origin,
      protocols: handshake.protocols,
      ...(limits.maxHeadBytes === undefined ? {} : { maxHeadBytes: limits.maxHeadBytes }),
      ...(limits.maxFields === undefined ? {} : { maxFields: limits.maxFields }),
    });
    const settle = (result: ClientHandshakeResult) => {
      if (result.kind === 'need-more') return;
      stop();
      if (result.kind === 'failed') reject(result.error);
      else resolve(result);
    };
    const onData = (chunk: Buffer) => settle(parser.receiveData(chunk));
    // "If the connection closes before this byte is received, fail" (steps 31–47).
    const onEnd = () => settle(parser.receiveEof());
    const onClose = () => settle(parser.receiveEof());
    const onError = (cause: Error) => {
      stop();
      reject(
        new ClientError(
          'CLIENT_SOCKET_ERROR',
          '5.1',
          `connection failed during the handshake: ${cause.message}`,
          {
            cause,
          },
        ),
      );
    };
    const onAbort = () => {
      stop();
      reject(signal.reason);
    };
    const stop = () => {
      // Paused first: frames that follow must wait for the connection's own reader.
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    // Steps 27–30 in one write.
    socket.write(handshake.request);
    socket.resume();
  });
}
