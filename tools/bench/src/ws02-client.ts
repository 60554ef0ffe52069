import { ConnectQueue, WebSocket } from '@ws02/client';
import type { LoadClient, LoadClientEvents } from './load-clients.js';

/**
 * Draft-02 5.1 step 2 serializes the connections one user agent opens to one IP address (a
 * process-wide queue by default). The load generator's concurrent openers model independent
 * user agents (a fleet of clients), so each agent gets its own queue: within an agent,
 * connections are still opened one at a time, as the draft requires.
 */
const queues = new Map<number, ConnectQueue>();

function queueOf(agent: number): ConnectQueue {
  let queue = queues.get(agent);
  if (queue === undefined) {
    queue = new ConnectQueue();
    queues.set(agent, queue);
  }
  return queue;
}

/**
 * @ws02/client as applications use it in Node: `new WebSocket(url)`, `send`, and the Node-style
 * `message` event (the same style the `ws` contender uses), binary messages as Buffers.
 */
export function connectWs02Client(
  port: number,
  host: string,
  payload: Buffer,
  events: LoadClientEvents,
  agent: number,
): LoadClient {
  const ws = new WebSocket(`ws://${host}:${port}/`, undefined, {
    connectQueue: queueOf(agent),
    proxy: false,
    cookieJar: false,
  });
  let closed = false;
  ws.on('open', () => events.onOpen());
  ws.on('message', (data) => {
    events.onMessages(1, typeof data === 'string' ? data.length : data.byteLength);
  });
  ws.on('error', (error) => {
    if (!closed) events.onError(error);
  });
  ws.on('close', () => {
    closed = true;
    events.onClose();
  });
  return {
    sendMany(n: number): void {
      for (let i = 0; i < n; i++) ws.send(payload);
    },
    sendBytes(data: Buffer): void {
      ws.send(data);
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
