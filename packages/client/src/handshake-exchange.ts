import type { Socket } from 'node:net';
import {
  type ClientHandshake,
  ClientHandshakeParser,
  type ClientHandshakeResult,
} from '@ws02/handshake';
import { ClientError } from './client-error.js';
import type { Cancel } from './transport.js';

export type ExchangeResult = Exclude<
  ClientHandshakeResult,
  { kind: 'need-more' } | { kind: 'failed' }
>;

/**
 * Steps 27–48 over an open socket: writes the request head and key_3 in ONE write (some servers,
 * em-websocket among them, refuse a key_3 that arrives in its own segment), then feeds the
 * server's bytes to the core's parser until it decides. On `established` the socket is left
 * paused with nothing lost: the bytes after the 16-byte reply are in `rest`. Exactly one of
 * `ok` and `fail` runs, unless the returned {@link Cancel} runs first (then neither does).
 */
export function exchangeHandshake(
  socket: Socket,
  handshake: ClientHandshake,
  limits: { maxHeadBytes?: number | undefined; maxFields?: number | undefined },
  ok: (result: ExchangeResult) => void,
  fail: (error: Error) => void,
): Cancel {
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
    if (result.kind === 'failed') fail(result.error);
    else ok(result);
  };
  const onData = (chunk: Buffer) => settle(parser.receiveData(chunk));
  // "If the connection closes before this byte is received, fail" (steps 31–47).
  const onEof = () => settle(parser.receiveEof());
  const onError = (cause: Error) => {
    stop();
    fail(
      new ClientError(
        'CLIENT_SOCKET_ERROR',
        '5.1',
        `connection failed during the handshake: ${cause.message}`,
        { cause },
      ),
    );
  };
  const stop = () => {
    // Paused first: frames that follow must wait for the connection's own reader.
    socket.pause();
    socket.off('data', onData);
    socket.off('end', onEof);
    socket.off('close', onEof);
    socket.off('error', onError);
  };
  socket.on('data', onData);
  socket.on('end', onEof);
  socket.on('close', onEof);
  socket.on('error', onError);
  // Steps 27–30 in one write.
  socket.write(handshake.request);
  socket.resume();
  return stop;
}
