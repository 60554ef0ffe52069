/** What a message iterator needs from a connection (server-side or client-side WebSocket). */
export interface IterableConnection<Data> {
  readonly isClosed: boolean;
  readonly isPaused: boolean;
  pause(): void;
  resume(): void;
  on(event: 'message', listener: (data: Data, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (data: Data, isBinary: boolean) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** Messages the iterator holds before it pauses the connection. */
const HIGH_WATER = 64;

/**
 * `for await (const { data, isBinary } of ws)`: every message until the connection closes.
 * Backpressure: a consumer slower than the peer pauses the connection (and so the socket) once
 * HIGH_WATER messages wait, and resumes it when it has caught up — nothing buffers without bound
 * and nothing is lost. Shared by the server's and the client's WebSocket.
 */
export function iterateMessages<Data>(
  connection: IterableConnection<Data>,
): AsyncIterableIterator<{ data: Data; isBinary: boolean }> {
  type Item = { data: Data; isBinary: boolean };
  const queue: Item[] = [];
  let waiting: ((result: IteratorResult<Item>) => void) | undefined;
  let done = connection.isClosed;
  const onMessage = (data: Data, isBinary: boolean) => {
    const item = { data, isBinary };
    if (waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w({ value: item, done: false });
      return;
    }
    queue.push(item);
    if (queue.length >= HIGH_WATER) connection.pause();
  };
  const finish = () => {
    done = true;
    connection.off('message', onMessage);
    connection.off('close', finish);
    if (waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w({ value: undefined, done: true });
    }
  };
  if (!done) {
    connection.on('message', onMessage);
    connection.on('close', finish);
  }
  const iterator: AsyncIterableIterator<Item> = {
    next: () => {
      const item = queue.shift();
      if (item !== undefined) {
        if (connection.isPaused && queue.length < HIGH_WATER / 2) connection.resume();
        return Promise.resolve({ value: item, done: false });
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      if (connection.isPaused) connection.resume();
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: () => {
      finish();
      if (connection.isPaused) connection.resume();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
