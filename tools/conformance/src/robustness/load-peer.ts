/**
 * A lean raw draft-02 client for load and fault scenarios: its own handshake bytes (the
 * draft's section 1 example keys, whose answer is a known constant) and its own frame reader,
 * so thousands of them cost little and share nothing with the server under test.
 */
import { connect, type Socket } from 'node:net';
import { crc32 } from 'node:zlib';
import { ByteQueue } from '../peer/byte-queue.js';
import { encodeRequest, standardFields } from '../wire/client-request.js';
import { frameBytes, OP } from '../wire/frame-bytes.js';
import { readFrame } from '../wire/frame-reader.js';
import { DRAFT_EXAMPLES } from '../wire/handshake-keys.js';

export interface PeerTarget {
  readonly host: string;
  readonly port: number;
  readonly hostField: string;
  readonly resource: string;
}

/** The request (one write) and the 16 bytes every answer must be. */
export function classicRequest(target: PeerTarget): Buffer {
  const ex = DRAFT_EXAMPLES.classic;
  const keys = { key1: ex.key1, key2: ex.key2, key3: ex.key3, number1: 0, number2: 0 };
  return encodeRequest({
    requestLine: `GET ${target.resource} HTTP/1.1`,
    fields: standardFields(
      {
        hostField: target.hostField,
        resource: target.resource,
        location: '',
        origin: 'http://localhost',
      },
      keys,
    ),
    key3: ex.key3,
  });
}

const ANSWER = DRAFT_EXAMPLES.classic.answer;
const HEAD_END = Buffer.from('\r\n\r\n');

export type PeerMessage = { readonly op: number; readonly payload: Buffer };

/** One connection: handshake, then frames in and out. */
export class LoadPeer {
  readonly socket: Socket;
  readonly inbox = new ByteQueue();
  open = false;
  closed = false;
  /** A Close frame from the server was seen. */
  closeReceived = false;
  onFrame: ((message: PeerMessage) => void) | undefined;
  onClosed: (() => void) | undefined;
  #onOpen: ((error?: Error) => void) | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#onOpen?.(new Error('closed during the handshake'));
      this.#onOpen = undefined;
      this.onClosed?.();
    });
  }

  /** Connects and completes the handshake within `ms`. */
  static open(target: PeerTarget, request: Buffer, ms: number): Promise<LoadPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port });
      const peer = new LoadPeer(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`handshake not complete within ${ms} ms`));
      }, ms);
      peer.#onOpen = (error) => {
        clearTimeout(timer);
        if (error) {
          socket.destroy();
          reject(error);
        } else resolve(peer);
      };
      socket.once('connect', () => socket.write(request));
    });
  }

  #data(chunk: Buffer): void {
    this.inbox.push(chunk);
    if (!this.open) {
      const end = this.inbox.indexOf(HEAD_END, 64 * 1024);
      if (end === -1 || this.inbox.length < end + 4 + 16) return;
      const head = this.inbox.take(end + 4);
      const answer = this.inbox.take(16);
      const ok = head.toString('latin1').startsWith('HTTP/1.1 101') && answer.equals(ANSWER);
      this.open = ok;
      this.#onOpen?.(
        ok
          ? undefined
          : new Error(`bad handshake answer: ${head.toString('latin1').split('\r\n')[0]}`),
      );
      this.#onOpen = undefined;
      if (!ok) return;
    }
    for (;;) {
      const frame = readFrame(this.inbox, 64 * 1024 * 1024);
      if (frame === 'need-more' || 'oversize' in frame) return;
      if (frame.op === OP.CLOSE) this.closeReceived = true;
      this.onFrame?.({ op: frame.op, payload: frame.payload });
    }
  }

  send(frame: Buffer): boolean {
    if (this.closed) return false;
    return this.socket.write(frame);
  }

  /** Sends a Close and waits (≤ ms) for the server's Close and TCP close; true if both came. */
  async closeCleanly(ms: number): Promise<boolean> {
    if (this.closed) return false;
    this.send(frameBytes({ op: OP.CLOSE }));
    const deadline = performance.now() + ms;
    while (!this.closed && performance.now() < deadline) await sleep(10);
    const clean = this.closeReceived && this.closed;
    this.socket.destroy();
    return clean;
  }
}

/**
 * A checksummed message: conn (u32), seq (u32), body, CRC-32 of everything before it (u32).
 * The body is derived from (conn, seq), so nothing needs to be remembered to check an echo.
 */
export function checkedMessage(conn: number, seq: number, bodyLength: number): Buffer {
  const out = Buffer.allocUnsafe(8 + bodyLength + 4);
  out.writeUInt32BE(conn >>> 0, 0);
  out.writeUInt32BE(seq >>> 0, 4);
  let x = (conn * 2654435761 + seq * 40503) >>> 0;
  for (let i = 0; i < bodyLength; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[8 + i] = x >>> 24;
  }
  out.writeUInt32BE(crc32(out.subarray(0, 8 + bodyLength)), 8 + bodyLength);
  return out;
}

/** Verifies an echoed checked message: `undefined` if intact and the expected one, else why not. */
export function verifyMessage(payload: Buffer, conn: number, seq: number): string | undefined {
  if (payload.length < 12) return `${payload.length} bytes`;
  const sum = payload.readUInt32BE(payload.length - 4);
  if (crc32(payload.subarray(0, payload.length - 4)) !== sum) return 'checksum mismatch';
  if (payload.readUInt32BE(0) !== conn >>> 0)
    return `message of connection ${payload.readUInt32BE(0)}`;
  if (payload.readUInt32BE(4) !== seq >>> 0)
    return `sequence ${payload.readUInt32BE(4)}, expected ${seq}`;
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
