#!/usr/bin/env node
// Echo server over @ws02/server (build first: `npx pnpm --filter @ws02/server... build`).
//   node packages/server/examples/echo.mjs --port 8080 [--host 127.0.0.1] [--protocol chat]...
// Echoes every data message with the same type; Pings are answered by the library (4.4).
import { parseArgs } from 'node:util';
import { WebSocketServer } from '@ws02/server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    protocol: { type: 'string', multiple: true, default: [] },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bad --port ${values.port}`);
  process.exit(2);
}
const wss = new WebSocketServer({ port, host: values.host, protocols: values.protocol });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => {
  const { address, port: bound } = wss.address();
  const host = address.includes(':') ? `[${address}]` : address;
  console.log(`listening on ws://${host}:${bound}/`);
});
wss.on('error', (err) => {
  console.error(err.message);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => wss.close().then(() => process.exit(0)));
}
