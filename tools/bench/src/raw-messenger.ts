import type { Socket } from 'node:net';

/** Above this many queued bytes per flush, chunks are written as they are (corked writev). */
const JOIN_LIMIT = 64 * 1024;

/**
 * Length-prefixed messages (4-byte big-endian length, then the payload) over a `node:net` socket:
 * the raw TCP contender, the ceiling for a message library in Node on this machine.
 *
 * It has the same structure as a WebSocket library minus the protocol: every message is
 * delivered to a callback (a zero-copy view of the chunk when it lies in one chunk), and every
 * message sent in a tick leaves in one socket write (small ones joined into one buffer, large
 * ones as a corked writev). The only framing work is the 4-byte length.
 */
export class RawMessenger {
  readonly socket: Socket;
  onMessage: (data: Buffer) => void = () => {};
  // Receive state: the header in progress, and the pieces of a message spanning chunks.
  readonly #header = Buffer.alloc(4);
  #headerFill = 0;
  #need = -1;
  #parts: Buffer[] = [];
  #partsLength = 0;
  // Send state: what this tick queued; `framed[i]` says the entry already has its prefix.
  #queue: Uint8Array[] = [];
  #framed: boolean[] = [];
  #queued = 0;
  #scheduled = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
  }

  #receive(chunk: Buffer): void {
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      if (this.#need === -1) {
        let size: number;
        if (this.#headerFill === 0 && pos + 4 <= length) {
          size = chunk.readUInt32BE(pos);
          pos += 4;
        } else {
          while (this.#headerFill < 4 && pos < length)
            this.#header[this.#headerFill++] = chunk[pos++]!;
          if (this.#headerFill < 4) return;
          size = this.#header.readUInt32BE(0);
          this.#headerFill = 0;
        }
        if (pos + size <= length) {
          // The whole payload is in this chunk: a view, no copy.
          const data = chunk.subarray(pos, pos + size);
          pos += size;
          this.onMessage(data);
          continue;
        }
        this.#need = size;
        this.#parts = [];
        this.#partsLength = 0;
      }
      const take = Math.min(this.#need - this.#partsLength, length - pos);
      this.#parts.push(chunk.subarray(pos, pos + take));
      this.#partsLength += take;
      pos += take;
      if (this.#partsLength === this.#need) {
        // Deliberate copy: the payload spans chunks.
        const data =
          this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#need);
        this.#need = -1;
        this.#parts = [];
        this.onMessage(data);
      }
    }
  }

  /** Queues one message; everything queued in this tick leaves in one write. */
  send(payload: Uint8Array): void {
    this.#queue.push(payload);
    this.#framed.push(false);
    this.#queued += 4 + payload.byteLength;
    this.#schedule();
  }

  /** Queues a frame encoded once for many sockets (broadcast). */
  sendEncoded(frame: Uint8Array): void {
    this.#queue.push(frame);
    this.#framed.push(true);
    this.#queued += frame.byteLength;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(flush, this);
  }

  /** Writes what this tick queued. */
  flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    const framed = this.#framed;
    const total = this.#queued;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#framed = [];
    this.#queued = 0;
    const socket = this.socket;
    if (socket.destroyed) return;
    if (total <= JOIN_LIMIT) {
      // Deliberate copy: small frames (prefixes written in place) joined into one write.
      const joined = Buffer.allocUnsafe(total);
      let offset = 0;
      for (let i = 0; i < queue.length; i++) {
        const piece = queue[i]!;
        if (!framed[i]) {
          joined.writeUInt32BE(piece.byteLength, offset);
          offset += 4;
        }
        joined.set(piece, offset);
        offset += piece.byteLength;
      }
      socket.write(joined);
      return;
    }
    // Large payloads are not copied: prefixes and payloads leave as one corked writev.
    socket.cork();
    for (let i = 0; i < queue.length; i++) {
      const piece = queue[i]!;
      if (!framed[i]) {
        const prefix = Buffer.allocUnsafe(4);
        prefix.writeUInt32BE(piece.byteLength, 0);
        socket.write(prefix);
      }
      socket.write(piece);
    }
    socket.uncork();
  }
}

function flush(messenger: RawMessenger): void {
  messenger.flush();
}

/** One message with its 4-byte big-endian length prefix. */
export function lengthPrefixed(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, 4);
  return frame;
}
