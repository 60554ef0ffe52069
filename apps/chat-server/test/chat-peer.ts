// A chat client for the end-to-end tests, written on a raw `net` socket with no @ws02 code:
// it performs the classic draft-02 handshake (section 1 overview example, SPEC-NOTES) and
// reads and writes draft-02 frames (4.2) by hand, so the server is checked against
// independent bytes.
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { CLASSIC, frame, OP } from '../../../scripts/test-utils/draft02-bytes.js';
import { until, WAIT_MS } from '../../../scripts/test-utils/wait.js';

// `until` is the shared one (wait.ts), re-exported for the tests that take it from here.
export { frame, OP, until };

// biome-ignore lint/suspicious/noExplicitAny: test messages are free-form JSON
export type Json = Record<string, any>;

export interface PeerOptions {
  readonly origin?: string | null;
  /** Answer Pings (4.4). Default true; false plays a dead peer for the heartbeat test. */
  readonly autoPong?: boolean;
  readonly path?: string;
  /** Connect over TLS (wss), trusting any certificate (the tests' is self-signed). */
  readonly tls?: boolean;
}

/** One chat connection; every received Text message is parsed and queued. */
export class ChatPeer {
  readonly socket: Socket;
  /** Received messages not yet taken by `next`. */
  readonly inbox: Json[] = [];
  /** Every message received, in order (never consumed). */
  readonly log: Json[] = [];
  /** The Close frame's body, when the server sent one (section 7). */
  closeBody: string | undefined;
  /** True once the TCP connection is closed. */
  closed = false;
  pings = 0;
  autoPong: boolean;
  #bytes: Buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket, autoPong: boolean, rest: Buffer) {
    this.socket = socket;
    this.autoPong = autoPong;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
    if (rest.length > 0) this.#receive(rest);
  }

  /** Connects and completes the opening handshake; rejects with the status line if refused. */
  static async open(port: number, options: PeerOptions = {}): Promise<ChatPeer> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = options.tls
        ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(s))
        : connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const lines = [
      `GET ${options.path ?? '/'} HTTP/1.1`,
      'Upgrade: WebSocket',
      'Connection: Upgrade',
      `Host: 127.0.0.1:${port}`,
    ];
    if (options.origin !== null) lines.push(`Origin: ${options.origin ?? 'http://example.com'}`);
    lines.push(
      'Sec-WebSocket-Draft: 2',
      `Sec-WebSocket-Key1: ${CLASSIC.key1}`,
      `Sec-WebSocket-Key2: ${CLASSIC.key2}`,
    );
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), CLASSIC.key3]));
    const head = await new Promise<Buffer>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error('no handshake response')), WAIT_MS);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const status = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
        if (!status.includes(' 101 ')) {
          cleanup();
          socket.destroy();
          reject(new Error(`handshake refused: ${status}`));
          return;
        }
        if (buf.length < end + 4 + 16) return;
        cleanup();
        resolve(buf);
      };
      const onClose = () => {
        cleanup();
        reject(new Error(`connection closed during handshake: ${buf.toString('latin1')}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
      };
      socket.on('data', onData);
      socket.on('close', onClose);
    });
    const end = head.indexOf('\r\n\r\n') + 4;
    if (!head.subarray(end, end + 16).equals(CLASSIC.response)) {
      socket.destroy();
      throw new Error('bad handshake answer (5.2.2)');
    }
    return new ChatPeer(socket, options.autoPong ?? true, head.subarray(end + 16));
  }

  send(message: Json): void {
    this.sendText(JSON.stringify(message));
  }

  sendText(text: string): void {
    this.socket.write(frame(OP.TEXT, text));
  }

  sendFrame(opcode: number, payload: Buffer | string): void {
    this.socket.write(frame(opcode, payload));
  }

  /**
   * Takes the first queued message matching `type` (and `where`), waiting for it; messages
   * before it stay queued.
   */
  async next(type: string, where: (m: Json) => boolean = () => true, ms = WAIT_MS): Promise<Json> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type && where(m));
      if (i !== -1) return this.inbox.splice(i, 1)[0]!;
      if (this.closed) {
        throw new Error(
          `closed before a ${type} message arrived; close body ${this.closeBody}; inbox ${JSON.stringify(this.inbox)}`,
        );
      }
      await this.#wait(deadline, `a ${type} message; inbox ${JSON.stringify(this.inbox)}`);
    }
  }

  /** Sends a command with a fresh `ref` and waits for its reply (result or error). */
  async request(message: Json, ms = WAIT_MS): Promise<Json> {
    const ref = `r${++refs}`;
    this.send({ ...message, ref });
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.ref === ref);
      if (i !== -1) return this.inbox.splice(i, 1)[0]!;
      if (this.closed) throw new Error(`closed before the reply to ${JSON.stringify(message)}`);
      await this.#wait(deadline, `the reply to ${JSON.stringify(message)}`);
    }
  }

  /** hello → welcome (throws on an error reply). */
  async hello(nick: string, extra: Json = {}): Promise<Json> {
    const reply = await this.request({ type: 'hello', nick, ...extra });
    if (reply.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** join → joined (throws on an error reply). */
  async join(room: string, extra: Json = {}): Promise<Json> {
    const reply = await this.request({ type: 'join', room, ...extra });
    if (reply.type !== 'joined') throw new Error(`join refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Waits until the TCP connection is closed. */
  async waitClosed(ms = WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) await this.#wait(deadline, 'the connection to close');
  }

  /** Starts the closing handshake (section 7) and waits for the server to close TCP. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.socket.write(frame(OP.CLOSE, ''));
      await this.waitClosed();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#bytes = this.#bytes.length === 0 ? chunk : Buffer.concat([this.#bytes, chunk]);
    for (;;) {
      const b = this.#bytes;
      if (b.length < 2) break;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + len) break;
      const opcode = b[0]! & 0x0f;
      const payload = b.subarray(at, at + len);
      this.#bytes = b.subarray(at + len);
      if (opcode === OP.TEXT) {
        const message = JSON.parse(payload.toString('utf8')) as Json;
        this.inbox.push(message);
        this.log.push(message);
      } else if (opcode === OP.PING) {
        this.pings++;
        if (this.autoPong && !this.closed) this.socket.write(frame(OP.PONG, payload));
      } else if (opcode === OP.CLOSE) {
        this.closeBody = payload.toString('utf8');
        // Section 7: answer the Close; the server then closes TCP.
        if (!this.closed) this.socket.write(frame(OP.CLOSE, payload));
      }
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #wait(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Error(`timed out waiting for ${what}`));
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, left);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

let refs = 0;
