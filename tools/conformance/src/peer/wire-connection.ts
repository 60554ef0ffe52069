import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFrame } from '../wire/frame-reader.js';
import { ByteQueue } from './byte-queue.js';
import { MessageJoiner, type PeerEvent } from './peer-event.js';
import { WireLog } from './wire-log.js';

/** How the suite writes bytes: whole, after a pause, byte by byte, or in chops. */
export type SendStep =
  | Uint8Array
  | { readonly pause: number }
  /** One write per byte, `pause` ms apart (default 1 ms): a peer must resume at any byte. */
  | { readonly bytewise: Uint8Array; readonly pause?: number }
  /** Writes of `size` bytes each. */
  | { readonly chop: Uint8Array; readonly size: number }
  /** Half-close: send FIN, keep reading. */
  | { readonly halfClose: true };

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly secure?: boolean;
  /** wss: accept any certificate (self-signed test servers). */
  readonly insecure?: boolean;
}

/** Largest frame payload the suite will read from a peer (9.x sends up to 16 MiB). */
export const MAX_READ_PAYLOAD = 64 * 1024 * 1024;

/**
 * The suite's end of one TCP connection: raw bytes out exactly as a case says, bytes in kept in
 * a queue and read back as handshake heads or frames by the suite's own independent readers.
 * Every wait has a deadline; nothing here throws on peer behaviour.
 */
export class WireConnection {
  readonly socket: Socket;
  readonly log: WireLog;
  readonly inbox = new ByteQueue();
  readonly joiner = new MessageJoiner();
  /** The peer closed TCP (FIN or reset), or the socket is gone. */
  peerClosed = false;
  /** The peer reset the connection (ECONNRESET/EPIPE), as opposed to a FIN. */
  reset = false;
  /** The peer sent a Close frame (section 7). */
  closeReceived = false;
  closedAt: number | undefined;
  #waiters: (() => void)[] = [];

  constructor(socket: Socket, log = new WireLog()) {
    this.socket = socket;
    this.log = log;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.log.bytes('rx', chunk);
      this.inbox.push(chunk);
      this.#wake();
    });
    socket.on('end', () => this.#closed('peer sent FIN'));
    socket.on('close', () => this.#closed('socket closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') this.reset = true;
      this.#closed(`socket error ${error.code ?? error.message}`);
    });
  }

  /** Opens a TCP (or TLS) connection; rejects after `timeout` ms. */
  static connect(
    target: ConnectTarget,
    timeout: number,
    log = new WireLog(),
  ): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = target.secure
        ? tlsConnect({
            host: target.host,
            port: target.port,
            servername: isIp(target.host) ? undefined : target.host,
            rejectUnauthorized: target.insecure !== true,
          })
        : netConnect({ host: target.host, port: target.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${target.host}:${target.port} timed out after ${timeout} ms`));
      }, timeout);
      const ready = target.secure ? 'secureConnect' : 'connect';
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket, log));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  #closed(why: string): void {
    if (this.peerClosed) return;
    this.peerClosed = true;
    this.closedAt = this.log.elapsed;
    this.log.note(why);
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next data/close, or after `ms`. */
  #nextWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits until `pred()` holds (true) or `ms` pass / the peer closes with `pred()` false (false). */
  async waitFor(pred: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (pred()) return true;
      if (this.peerClosed) return pred();
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.#nextWake(left);
    }
  }

  /** Waits for the peer to close TCP; true if it did within `ms`. */
  waitClosed(ms: number): Promise<boolean> {
    return this.waitFor(() => this.peerClosed, ms);
  }

  /** Writes bytes, waiting for the socket to drain when its buffer is full. */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.log.bytes('tx', bytes);
    if (this.socket.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Runs send steps in order. */
  async send(...steps: readonly SendStep[]): Promise<void> {
    for (const step of steps) {
      if (step instanceof Uint8Array) await this.write(step);
      else if ('pause' in step && !('bytewise' in step)) await sleep(step.pause);
      else if ('bytewise' in step) {
        this.log.note(`writing ${step.bytewise.length} bytes one byte per write`);
        const pause = step.pause ?? 1;
        for (let i = 0; i < step.bytewise.length; i++) {
          if (this.socket.destroyed) return;
          this.socket.write(step.bytewise.subarray(i, i + 1));
          if (pause > 0) await sleep(pause);
        }
      } else if ('chop' in step) {
        this.log.note(`writing ${step.chop.length} bytes in writes of ${step.size}`);
        for (let i = 0; i < step.chop.length; i += step.size) {
          if (this.socket.destroyed) return;
          const part = step.chop.subarray(i, i + step.size);
          if (!this.socket.write(part)) {
            await new Promise<void>((resolve) => {
              const done = () => {
                this.socket.off('drain', done);
                this.socket.off('close', done);
                resolve();
              };
              this.socket.once('drain', done);
              this.socket.once('close', done);
            });
          }
        }
      } else if ('halfClose' in step) {
        this.log.note('half-close (FIN sent)');
        this.socket.end();
      }
    }
  }

  /**
   * The next thing the peer does: a message, a control frame, a reserved-opcode frame, closing
   * TCP, or nothing until the deadline. Sender violations are collected in `joiner.violations`.
   */
  async nextEvent(ms: number): Promise<PeerEvent> {
    const deadline = performance.now() + ms;
    for (;;) {
      const frame = readFrame(this.inbox, MAX_READ_PAYLOAD);
      if (frame === 'need-more') {
        if (this.peerClosed) {
          if (this.inbox.length > 0) {
            this.log.note(`peer closed with ${this.inbox.length} bytes of an unfinished frame`);
            this.inbox.skip(this.inbox.length);
          }
          return { type: 'closed' };
        }
        const left = deadline - performance.now();
        if (left <= 0) return { type: 'timeout' };
        await this.#nextWake(left);
        continue;
      }
      if ('oversize' in frame) return { type: 'oversize', length: frame.oversize };
      const event = this.joiner.push(frame);
      if (event?.type === 'close') this.closeReceived = true;
      if (event !== undefined) return event;
    }
  }

  /** Destroys the connection (no FIN dance). */
  destroy(): void {
    this.socket.destroy();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
