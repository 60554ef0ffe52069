import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer } from '@ws02/server';
import { EXIT } from './exit-codes.js';
import { formatHex, parseHex } from './hex.js';
import { createOutput } from './output.js';

export interface ListenCommandOptions {
  readonly port: string;
  readonly host: string;
  readonly echo?: boolean;
  readonly broadcast?: boolean;
  readonly protocol?: string[];
  readonly origin?: string[];
  readonly hex?: boolean;
  readonly color: boolean;
  readonly timestamps?: boolean;
}

/**
 * `ws02 listen --port N`: a draft-02 server (@ws02/server) for any number of clients. Messages
 * received are printed (`#id < text`); `--echo` sends each back to its sender, `--broadcast`
 * to every connected client (the sender included). Lines typed (or piped) on stdin go to every
 * client. Runs until SIGINT/SIGTERM, then closes every connection with a closing handshake.
 */
export async function runListen(opts: ListenCommandOptions): Promise<number> {
  const out = createOutput({ color: opts.color, timestamps: opts.timestamps === true });
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    out.error(`--port expects 0..65535, got ${JSON.stringify(opts.port)}`);
    return EXIT.USAGE;
  }
  if (opts.echo === true && opts.broadcast === true) {
    out.error('--echo and --broadcast exclude each other');
    return EXIT.USAGE;
  }
  const wss = new WebSocketServer({
    port,
    host: opts.host,
    ...(opts.protocol === undefined ? {} : { protocols: opts.protocol }),
    ...(opts.origin === undefined ? {} : { allowedOrigins: opts.origin }),
  });
  const listening = await new Promise<Error | undefined>((resolve) => {
    wss.once('listening', () => resolve(undefined));
    wss.once('error', resolve);
  });
  if (listening !== undefined) {
    out.error(`error: cannot listen on ${opts.host}:${port}: ${listening.message}`);
    return EXIT.CONNECT_FAILED;
  }
  const address = wss.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  out.status(`listening on ws://${host}:${address.port}/`);

  let next = 0;
  wss.on('connection', (ws) => {
    const id = ++next;
    out.status(
      `#${id} connected from ${ws.remoteAddress}:${ws.remotePort}` +
        `${ws.origin === undefined ? '' : ` (origin ${ws.origin})`}` +
        `${ws.protocol === '' ? '' : ` [${ws.protocol}]`}`,
    );
    ws.on('message', (data, isBinary) => {
      const shown = isBinary
        ? opts.hex === true
          ? formatHex(data as Buffer)
          : `[binary, ${(data as Buffer).length} bytes]`
        : (data as string);
      out.message(`#${id} < ${shown}`);
      if (opts.echo === true) ws.send(data, { binary: isBinary });
      else if (opts.broadcast === true) wss.broadcast(data, undefined, { binary: isBinary });
    });
    ws.on('close', (_body, wasClean) =>
      out.status(`#${id} disconnected (${wasClean ? 'clean' : 'unclean'})`),
    );
  });
  wss.on('refused', (error, remote) => out.error(`refused ${remote ?? '?'}: ${error.message}`));

  // Lines on stdin go to every client (hex → Binary with --hex). EOF leaves the server running.
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', (line) => {
    if (opts.hex === true) {
      const bytes = parseHex(line);
      if (bytes === undefined) out.error(`not hex: ${JSON.stringify(line)}`);
      else wss.broadcast(bytes, undefined, { binary: true });
    } else {
      wss.broadcast(line);
    }
  });

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  rl.close();
  out.status('closing');
  await wss.close();
  return EXIT.OK;
}
