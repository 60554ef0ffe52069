import type { Ws02Error } from '@ws02/errors';
import type { ConnectionHandler, OpeningRequest } from './connection.js';

/** An event as {@link EventCollector} records it (one object per handler call). */
export type ConnectionEvent =
  | { readonly type: 'request'; readonly request: OpeningRequest }
  | { readonly type: 'open' }
  | { readonly type: 'message'; readonly data: string | Uint8Array; readonly binary: boolean }
  | {
      readonly type: 'fragment';
      readonly data: string | Uint8Array;
      readonly binary: boolean;
      readonly first: boolean;
      readonly last: boolean;
    }
  | { readonly type: 'ping'; readonly data: Uint8Array }
  | { readonly type: 'pong'; readonly data: Uint8Array }
  | { readonly type: 'close'; readonly code: number; readonly reason: Uint8Array }
  | { readonly type: 'error'; readonly error: Ws02Error };

/**
 * A handler that records every event as an object, for `takeEvents()`: the pull style of
 * python-websockets (`events_received()`), handy in tests and simple programs. Drivers on a hot
 * path implement {@link ConnectionHandler} directly instead (no object per event).
 */
export class EventCollector implements ConnectionHandler {
  #events: ConnectionEvent[] = [];

  /** The events recorded since the last call, in order. */
  takeEvents(): ConnectionEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  onRequest(request: OpeningRequest): void {
    this.#events.push({ type: 'request', request });
  }
  onOpen(): void {
    this.#events.push({ type: 'open' });
  }
  onMessage(data: string | Uint8Array, binary: boolean): void {
    this.#events.push({ type: 'message', data, binary });
  }
  onFragment(data: string | Uint8Array, binary: boolean, first: boolean, last: boolean): void {
    this.#events.push({ type: 'fragment', data, binary, first, last });
  }
  onPing(data: Uint8Array): void {
    this.#events.push({ type: 'ping', data });
  }
  onPong(data: Uint8Array): void {
    this.#events.push({ type: 'pong', data });
  }
  onClose(code: number, reason: Uint8Array): void {
    this.#events.push({ type: 'close', code, reason });
  }
  onError(error: Ws02Error): void {
    this.#events.push({ type: 'error', error });
  }
}
