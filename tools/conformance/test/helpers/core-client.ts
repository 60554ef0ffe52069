// A minimal WHATWG-shaped draft-02 client built straight from the cores (@ws02/handshake for
// 5.1, @ws02/frame for sections 4, 6, 7) over a net.Socket: the second client under test in
// client mode, independent of @ws02/client and @ws02/socket.
import { connect, type Socket } from 'node:net';
import { type ConnectionEvent, FrameConnection } from '@ws02/frame';
import { ClientHandshakeParser, createClientHandshake } from '@ws02/handshake';
import type { WebSocketLike } from '../../src/index.js';

export class CoreClient implements WebSocketLike {
  binaryType = 'arraybuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  readonly #socket: Socket;
  #conn: FrameConnection | undefined;
  #closed = false;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(url: string) {
    const handshake = createClientHandshake({ url, origin: 'http://localhost' });
    const parser = new ClientHandshakeParser(handshake);
    this.#socket = connect({ host: handshake.url.host, port: handshake.url.port });
    this.#socket.on('connect', () => this.#socket.write(handshake.request));
    this.#socket.on('data', (chunk: Buffer) => {
      if (this.#conn === undefined) {
        const r = parser.receiveData(chunk);
        if (r.kind === 'failed' || r.kind === 'proxy-auth-required') {
          this.#fail(); // 5.1: fail the WebSocket connection = close it
          return;
        }
        if (r.kind !== 'established') return;
        this.#conn = new FrameConnection({ textPolicy: 'replace', onEvent: (e) => this.#event(e) });
        this.onopen?.({});
        if (r.rest.length > 0) this.#feed(r.rest);
        return;
      }
      this.#feed(chunk);
    });
    this.#socket.on('end', () => {
      this.#conn?.receiveEof();
      this.#finish();
    });
    this.#socket.on('error', () => this.#finish());
    this.#socket.on('close', () => this.#finish());
  }

  #feed(bytes: Uint8Array): void {
    this.#conn!.receiveData(bytes);
    this.#flush();
  }

  #event(e: ConnectionEvent): void {
    if (e.type === 'message') {
      const data = e.binary ? (e.data as Uint8Array).slice().buffer : e.data;
      this.onmessage?.({ data });
    } else if (e.type === 'close') {
      // Section 7: the Close echo is queued by the core; wait for the server to close TCP.
      this.#closeTimer = setTimeout(() => this.#socket.destroy(), 2000);
    } else if (e.type === 'error') {
      this.#fail();
    }
  }

  #flush(): void {
    const out = this.#conn?.takeOutgoing() ?? [];
    if (out.length === 0 || this.#socket.destroyed) return;
    this.#socket.cork();
    for (const c of out) this.#socket.write(c);
    this.#socket.uncork();
  }

  send(data: string | Uint8Array): void {
    const conn = this.#conn;
    if (conn === undefined || conn.state !== 'open') return; // WHATWG: discarded when not open
    if (typeof data === 'string') conn.sendText(data);
    else conn.sendBinary(data);
    this.#flush();
  }

  close(): void {
    this.#conn?.sendClose();
    this.#flush();
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  #fail(): void {
    this.onerror?.({});
    this.#socket.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#closeTimer);
    this.#socket.destroy();
    this.onclose?.({});
  }
}
