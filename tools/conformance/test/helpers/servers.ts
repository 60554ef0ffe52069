// The peers the conformance runs are played against: our server in-process, em-websocket and
// our own echo example as separate processes.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from '@ws02/server';

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

export const EM_ECHO_SERVER = fileURLToPath(
  new URL('../../../interop/em-echo-server.rb', import.meta.url),
);

/**
 * Throws (never skips) when ruby or em-websocket is missing: CI must install ruby-em-websocket
 * (.ci/run does).
 */
export function requireEmWebsocket(): void {
  try {
    execFileSync('ruby', ['-e', "require 'em-websocket'"], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `em-websocket is required for the interop conformance run (Debian: apt-get install ruby-em-websocket): ${(error as Error).message}`,
    );
  }
}

/** Starts the em-websocket echo server on a free port; resolves once it prints `listening`. */
export async function startEmWebsocket(): Promise<{
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}> {
  requireEmWebsocket();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn('ruby', [EM_ECHO_SERVER, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('em-websocket did not start within 20 s')),
      20_000,
    );
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes(`listening ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`em-websocket exited (${code})`)));
  });
  child.stderr!.resume();
  return {
    url: `ws://127.0.0.1:${port}/`,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
