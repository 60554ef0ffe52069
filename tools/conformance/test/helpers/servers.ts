// The peers the conformance runs are played against: our server in-process, em-websocket and
// our own echo example as separate processes.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from '@ws02/server';

/**
 * The answer timeout per step (`timeout` of the runners, `--timeout` of the bin) in the tests.
 * A peer's answer normally takes a few ms; on a loaded machine it must never become a timeout
 * verdict, so this is generous. Cases whose verdict is "stayed silent" wait it out in full,
 * which is why it is not longer.
 */
export const STEP_TIMEOUT_MS = 15_000;

/** @ws02/server echoing every message; `sendErrors` collects what `send` threw. */
export async function startWs02Echo(): Promise<{
  url: string;
  sendErrors: string[];
  close: () => Promise<void>;
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const sendErrors: string[] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      try {
        ws.send(data, { binary: isBinary });
      } catch (error) {
        sendErrors.push((error as { code?: string }).code ?? String(error));
      }
    });
    ws.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/`, sendErrors, close: () => wss.close() };
}

// em-websocket (Ruby) is started by the shared peer helper.
export { startEmWebsocket } from '../../../../scripts/test-utils/peers.js';
