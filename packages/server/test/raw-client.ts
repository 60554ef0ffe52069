// A deliberately dumb draft-02 client over a raw `net` socket, for byte-exact tests: it writes
// handshakes and frames exactly as given and reads back raw bytes. No @ws02 code on this side,
// so the server is checked against independent bytes.
import { connect, type Socket } from 'node:net';
import { CLASSIC, frame, OP } from '../../../scripts/test-utils/draft02-bytes.js';
import { WAIT_MS } from '../../../scripts/test-utils/wait.js';

export { CLASSIC, frame, OP };

export interface RequestOptions {
  path?: string;
  host?: string;
  origin?: string | null;
  protocol?: string;
  draft?: string | null;
  method?: string;
  version?: string;
  key1?: string | null;
  key2?: string | null;
  key3?: Buffer;
  extra?: string[];
  upgrade?: string | null;
  connection?: string | null;
}

export function buildRequest(o: RequestOptions = {}): { head: Buffer; key3: Buffer } {
  const lines = [`${o.method ?? 'GET'} ${o.path ?? '/'} ${o.version ?? 'HTTP/1.1'}`];
  if (o.upgrade !== null) lines.push(`Upgrade: ${o.upgrade ?? 'WebSocket'}`);
  if (o.connection !== null) lines.push(`Connection: ${o.connection ?? 'Upgrade'}`);
  lines.push(`Host: ${o.host ?? 'example.com'}`);
  if (o.origin !== null) lines.push(`Origin: ${o.origin ?? 'http://example.com'}`);
  if (o.draft !== null) lines.push(`Sec-WebSocket-Draft: ${o.draft ?? '2'}`);
  if (o.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${o.protocol}`);
  if (o.key1 !== null) lines.push(`Sec-WebSocket-Key1: ${o.key1 ?? CLASSIC.key1}`);
  if (o.key2 !== null) lines.push(`Sec-WebSocket-Key2: ${o.key2 ?? CLASSIC.key2}`);
  lines.push(...(o.extra ?? []));
  return {
    head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
    key3: o.key3 ?? CLASSIC.key3,
  };
}

/** A socket with a byte inbox and helpers to wait for bytes or for the close. */
export class RawClient {
  readonly socket: Socket;
  inbox = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.inbox = Buffer.concat([this.inbox, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Resolves when `pred` holds on the inbox, or rejects after `ms` (or at once when the socket
   * closed first). Woken by the socket's own events, not by polling: it also works while a test
   * fakes `setTimeout` (its bound then waits for the fake clock, the test's timeout remains).
   */
  async until(pred: () => boolean, ms = WAIT_MS, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (this.closed && !pred())
        throw new Error(
          `socket closed before ${what}; inbox=${this.inbox.toString('latin1').slice(0, 200)}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Takes `n` bytes from the inbox, waiting for them. */
  async take(n: number, ms = WAIT_MS): Promise<Buffer> {
    await this.until(() => this.inbox.length >= n, ms, `${n} bytes`);
    const out = this.inbox.subarray(0, n);
    this.inbox = this.inbox.subarray(n);
    return Buffer.from(out);
  }

  /** Reads an HTTP response head (status line + fields), leaving what follows in the inbox. */
  async readHead(
    ms = WAIT_MS,
  ): Promise<{ status: number; statusLine: string; headers: Map<string, string[]>; raw: string }> {
    await this.until(() => this.inbox.indexOf('\r\n\r\n') !== -1, ms, 'response head');
    const end = this.inbox.indexOf('\r\n\r\n');
    const raw = this.inbox.subarray(0, end).toString('latin1');
    this.inbox = this.inbox.subarray(end + 4);
    const [statusLine = '', ...rest] = raw.split('\r\n');
    const headers = new Map<string, string[]>();
    for (const line of rest) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()]);
    }
    return { status: Number(statusLine.split(' ')[1]), statusLine, headers, raw };
  }

  async waitClosed(ms = WAIT_MS): Promise<void> {
    await this.until(() => this.closed, ms, 'close');
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }
}

/** Opens a connection and completes the classic handshake; the inbox then holds frames only. */
export async function openWebSocket(port: number, o: RequestOptions = {}): Promise<RawClient> {
  const client = await RawClient.open(port);
  const { head, key3 } = buildRequest(o);
  client.write(Buffer.concat([head, key3]));
  const res = await client.readHead();
  if (res.status !== 101) throw new Error(`handshake refused: ${res.statusLine}`);
  const answer = await client.take(16);
  if (!answer.equals(CLASSIC.response)) throw new Error('bad handshake answer');
  return client;
}

/** Reads one whole frame from the client's inbox (test side decoder, 4.2). */
export async function readFrame(
  client: RawClient,
  ms = WAIT_MS,
): Promise<{ opcode: number; more: boolean; payload: Buffer }> {
  const h = await client.take(2, ms);
  let len = h[1]! & 0x7f;
  if (len === 126) len = (await client.take(2, ms)).readUInt16BE(0);
  else if (len === 127) len = Number((await client.take(8, ms)).readBigUInt64BE(0));
  const payload = await client.take(len, ms);
  return { opcode: h[0]! & 0x0f, more: (h[0]! & 0x80) !== 0, payload };
}
