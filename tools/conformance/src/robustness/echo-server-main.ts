/**
 * Entry of the spawned robustness server (dist/robustness-server.js): @ws02/server echoing every
 * message, IPC for stats. argv: handshakeTimeout maxBufferedBytes.
 */
import { exitWithParent } from '@ws02/process-group';

// Started by forkInGroup: it goes when the run that started it goes, however that one ends.
exitWithParent();
const [handshakeTimeout = '10000', maxBufferedBytes = String(16 * 1024 * 1024)] =
  process.argv.slice(2);
const { WebSocketServer } = (await import('@ws02/server')) as typeof import('@ws02/server');

let sendErrors = 0;
const wss = new WebSocketServer({
  port: 0,
  host: '127.0.0.1',
  backlog: 4096,
  handshakeTimeout: Number(handshakeTimeout),
  maxBufferedBytes: Number(maxBufferedBytes),
  maxPendingHandshakes: 20_000,
  maxConnections: 60_000,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    try {
      ws.send(data, { binary: isBinary });
    } catch {
      sendErrors++;
    }
  });
  ws.on('error', () => {});
});
wss.on('error', (error) => {
  process.stderr.write(`robustness server: ${error.message}\n`);
});
wss.on('listening', () => {
  const address = wss.address();
  process.send?.({
    type: 'listening',
    port: typeof address === 'object' && address !== null ? address.port : 0,
  });
});
process.on('message', (message: { type: string; gc?: boolean }) => {
  if (message.type === 'stats') {
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.send?.({
      type: 'stats',
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      connections: wss.clients?.size ?? 0,
      // Every open TCP socket of the process (pending handshakes included), server-agnostic.
      sockets: process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length,
      sendErrors,
      counters: JSON.parse(JSON.stringify(wss.counters)),
    });
  } else if (message.type === 'close') {
    wss.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
