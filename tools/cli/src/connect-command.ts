import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { type ClientMessageData, WebSocket, type WebSocketOptions } from '@ws02/client';
import { EXIT } from './exit-codes.js';
import { FrameHeaderScanner, formatFrameHeader } from './frame-trace.js';
import { formatHex, parseHex } from './hex.js';
import { loadHistory, saveHistory } from './history.js';
import { createOutput, type Output } from './output.js';

/** Options of `ws02 connect` as commander hands them over. */
export interface ConnectCommandOptions {
  readonly protocol?: string[];
  readonly origin?: string;
  readonly header?: string[];
  readonly execute?: string[];
  readonly wait?: string;
  readonly binary?: string;
  readonly hex?: boolean;
  readonly color: boolean;
  readonly timestamps?: boolean;
  readonly trace?: boolean;
  readonly history: boolean;
  readonly historyFile?: string;
  readonly slash: boolean;
  readonly proxy?: string;
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly handshakeTimeout?: string;
}

const HELP = [
  'commands: /ping [data]  /pong [data]  /close [body]  /quit  /help',
  '          //text sends "/text"; with --hex, lines are hex bytes sent as Binary',
].join('\n');

/** A usage problem found after parsing (bad header, unreadable file): exit code 2. */
export class UsageError extends Error {}

/**
 * `ws02 connect <url>`: opens a draft-02 connection, then (a) sends `--execute` messages and
 * `--binary` file, waits `--wait` seconds and closes; or (b) sends each line of a piped stdin
 * and closes at its end; or (c) on a terminal, an interactive prompt with history. Messages go
 * to stdout, everything else to stderr. Resolves with the exit code.
 */
export async function runConnect(url: string, opts: ConnectCommandOptions): Promise<number> {
  const out = createOutput({ color: opts.color, timestamps: opts.timestamps === true });
  const waitMs = seconds(opts.wait ?? '0', '--wait');
  const headers = (opts.header ?? []).map(parseHeader);
  const binaryFile = opts.binary === undefined ? undefined : readFile(opts.binary, '--binary');
  const ca = opts.ca === undefined ? undefined : readFile(opts.ca, '--ca');
  const handshakeTimeout =
    opts.handshakeTimeout === undefined
      ? undefined
      : seconds(opts.handshakeTimeout, '--handshake-timeout');
  const tracer = opts.trace === true ? createTracer(out) : undefined;

  const options: WebSocketOptions = {
    ...(opts.origin === undefined ? {} : { origin: opts.origin }),
    headers,
    ...(opts.proxy === undefined ? {} : { proxy: opts.proxy }),
    ...(ca === undefined ? {} : { ca }),
    ...(opts.insecure === true ? { rejectUnauthorized: false } : {}),
    ...(handshakeTimeout === undefined ? {} : { handshakeTimeout }),
    ...(tracer === undefined ? {} : { tap: tracer }),
  };
  // Section 3.3: an invalid URL throws here, before anything is opened.
  const ws = new WebSocket(url, opts.protocol ?? [], options);
  let failure: Error | undefined;
  ws.on('error', (error) => {
    failure = error;
  });

  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('close', () => resolve(false));
  });
  if (!opened) {
    out.error(`error: ${describe(failure ?? ws.closeError)}`);
    return EXIT.CONNECT_FAILED;
  }
  out.status(
    `connected to ${ws.url}${ws.protocol === '' ? '' : ` (protocol ${ws.protocol})`}` +
      (process.stdin.isTTY ? ' — /help for commands, Ctrl+D to close' : ''),
  );

  let weClosed = false;
  const close = (body?: string) => {
    weClosed = true;
    ws.close(body ?? '');
  };
  const finished = new Promise<number>((resolve) => {
    ws.once('close', (body, wasClean) => {
      const detail = body.length > 0 ? `, body ${JSON.stringify(body.toString('utf8'))}` : '';
      if (wasClean || weClosed) {
        out.status(`disconnected (${wasClean ? 'clean' : 'unclean'}${detail})`);
        resolve(EXIT.OK);
      } else {
        const why = failure ?? ws.closeError;
        out.error(`connection lost${why === undefined ? '' : `: ${describe(why)}`}${detail}`);
        resolve(EXIT.CONNECTION_LOST);
      }
    });
  });

  ws.on('message', (data, isBinary) => out.message(`< ${show(data, isBinary, opts.hex === true)}`));
  ws.on('ping', (data) => out.status(`ping from server${data.length > 0 ? `: ${data}` : ''}`));
  ws.on('pong', (data) => out.status(`pong${data.length > 0 ? `: ${data}` : ''}`));

  /** One line of input: a slash command, or a message (hex → Binary with --hex). */
  const handle = (line: string): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (opts.slash && line.startsWith('/') && !line.startsWith('//')) {
      const [command = '', ...rest] = line.slice(1).split(' ');
      const arg = rest.join(' ');
      switch (command) {
        case 'ping':
          ws.ping(arg);
          return;
        case 'pong':
          ws.pong(arg);
          return;
        case 'close':
          close(arg);
          return;
        case 'quit':
          weClosed = true;
          ws.terminate();
          return;
        case 'help':
          out.status(HELP);
          return;
        default:
          out.error(`unknown command /${command} (/help lists them)`);
          return;
      }
    }
    const text = opts.slash && line.startsWith('//') ? line.slice(1) : line;
    if (opts.hex === true) {
      const bytes = parseHex(text);
      if (bytes === undefined) {
        out.error(`not hex: ${JSON.stringify(text)}`);
        return;
      }
      ws.send(bytes, { binary: true });
    } else {
      ws.send(text);
    }
  };

  const executeMode = (opts.execute?.length ?? 0) > 0 || binaryFile !== undefined;
  if (executeMode) {
    for (const message of opts.execute ?? []) handle(message);
    if (binaryFile !== undefined && ws.readyState === WebSocket.OPEN) {
      ws.send(binaryFile, { binary: true });
    }
    const timer = setTimeout(() => close(), waitMs);
    const code = await finished;
    clearTimeout(timer);
    return code;
  }
  if (!process.stdin.isTTY) {
    await pipeLines(ws, handle, waitMs, close, finished);
    return finished;
  }
  return interactive(ws, out, handle, close, finished, opts);
}

// Piped stdin: each line a message; at its end wait `waitMs`, then close.
async function pipeLines(
  ws: WebSocket,
  handle: (line: string) => void,
  waitMs: number,
  close: () => void,
  finished: Promise<number>,
): Promise<void> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let ended = false;
  void finished.then(() => {
    if (!ended) rl.close();
  });
  rl.on('line', (line) => {
    handle(line);
    // Backpressure: stop reading input while the socket is behind.
    if (ws.bufferedAmount > 1 << 20) {
      rl.pause();
      ws.once('drain', () => rl.resume());
    }
  });
  await new Promise<void>((resolve) => rl.once('close', resolve));
  ended = true;
  if (ws.readyState !== WebSocket.OPEN) return;
  const timer = setTimeout(close, waitMs);
  void finished.then(() => clearTimeout(timer));
}

// A terminal: prompt, history file, incoming lines printed above the prompt.
async function interactive(
  ws: WebSocket,
  out: Output,
  handle: (line: string) => void,
  close: () => void,
  finished: Promise<number>,
  opts: ConnectCommandOptions,
): Promise<number> {
  const historyFile = opts.history
    ? (opts.historyFile ?? join(homedir(), '.ws02_history'))
    : undefined;
  const history = historyFile === undefined ? [] : loadHistory(historyFile);
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history,
    historySize: 1000,
    removeHistoryDuplicates: true,
    prompt: '> ',
  });
  let current: string[] = history;
  rl.on('history', (h: string[]) => {
    current = h;
  });
  out.around = {
    before: () => {
      process.stdout.write('\r\x1b[K');
    },
    after: () => rl.prompt(true),
  };
  rl.on('line', (line) => {
    handle(line);
    rl.prompt();
  });
  rl.on('SIGINT', () => close());
  rl.on('close', () => {
    if (ws.readyState === WebSocket.OPEN) close();
  });
  rl.prompt();
  const code = await finished;
  out.around = undefined;
  process.stdout.write('\r\x1b[K');
  rl.close();
  if (historyFile !== undefined) saveHistory(historyFile, current);
  return code;
}

function createTracer(out: Output): (direction: 'in' | 'out', bytes: Uint8Array) => void {
  const incoming = new FrameHeaderScanner();
  const outgoing = new FrameHeaderScanner();
  return (direction, bytes) => {
    const scanner = direction === 'in' ? incoming : outgoing;
    const arrow = direction === 'in' ? '<<' : '>>';
    scanner.push(bytes, (header) => out.trace(`${arrow} frame ${formatFrameHeader(header)}`));
  };
}

function show(data: ClientMessageData, isBinary: boolean, hex: boolean): string {
  if (!isBinary) return data as string;
  const bytes = data as Buffer;
  return hex ? formatHex(bytes) : `[binary, ${bytes.length} bytes; --hex shows them]`;
}

function parseHeader(text: string): [string, string] {
  const i = text.indexOf(':');
  if (i <= 0) throw new UsageError(`--header expects "name:value", got ${JSON.stringify(text)}`);
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

function seconds(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new UsageError(`${flag} expects a number of seconds, got ${JSON.stringify(text)}`);
  }
  return Math.round(value * 1000);
}

function readFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

function describe(error: unknown): string {
  if (error === undefined) return 'the connection closed';
  return (error as Error).message;
}
