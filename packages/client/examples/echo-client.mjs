// Runnable: start a server (`node packages/server/examples/echo.mjs --port 8080`), build
// (`npx pnpm build`), then `node packages/client/examples/echo-client.mjs [url] [message]`.
import { connect } from '../dist/index.js';

const url = process.argv[2] ?? 'ws://127.0.0.1:8080/';
const message = process.argv[3] ?? 'hello, draft-02';

try {
  const ws = await connect(url, { origin: 'http://localhost' });
  console.log(`open: ${ws.url} (protocol "${ws.protocol}")`);
  ws.send(message);
  for await (const { data, isBinary } of ws) {
    console.log(`received ${isBinary ? 'binary' : 'text'}:`, data);
    ws.close('bye');
  }
  console.log(`closed, clean: ${ws.closeError === undefined}`);
} catch (error) {
  console.error(
    `failed: ${error.code} (${error.name}, section ${error.section}${error.step ? ` step ${error.step}` : ''})`,
  );
  process.exitCode = 1;
}
