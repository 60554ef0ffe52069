import { createHash, randomBytes, randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { FrameConnection } from '@ws02/frame';
import type { LoadClient, LoadClientEvents } from './load-clients.js';

/**
 * A minimal draft-02 client built on the @ws02/frame core (`ws02-cores` contender): it writes a
 * 5.1 request with freshly generated keys, checks the 101 status line and the 16-byte answer
 * (steps 46–48; not the field checks of steps 36–45), then drives `FrameConnection` over the
 * socket, flushing what the core queued once per tick. It isolates the server's cost from
 * @ws02/client's: compare `ws02` and `ws02-cores`.
 */
export function connectWs02Cores(
  port: number,
  host: string,
  payload: Buffer,
  events: LoadClientEvents,
): LoadClient {
  const socket = connect({ port, host, noDelay: true });
  const keys = [makeKey(), makeKey()] as const;
  const key3 = randomBytes(8);
  const challenge = Buffer.alloc(16);
  challenge.writeUInt32BE(keys[0].number, 0);
  challenge.writeUInt32BE(keys[1].number, 4);
  key3.copy(challenge, 8);
  const expected = createHash('md5').update(challenge).digest();
  const head =
    `GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: ${host}:${port}\r\n` +
    `Origin: http://${host}\r\nSec-WebSocket-Draft: 2\r\nSec-WebSocket-Key1: ${keys[0].key}\r\n` +
    `Sec-WebSocket-Key2: ${keys[1].key}\r\n\r\n`;
  const core = new FrameConnection();
  let open = false;
  let inbox: Buffer | undefined;
  let scheduled = false;
  let closed = false;

  const flush = (): void => {
    scheduled = false;
    if (core.outgoingBytes === 0 || socket.destroyed) return;
    const chunks = core.takeOutgoing();
    if (chunks.length === 1) socket.write(chunks[0]!);
    else {
      socket.cork();
      for (const c of chunks) socket.write(c);
      socket.uncork();
    }
  };
  const schedule = (): void => {
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flush);
    }
  };
  const drain = (): void => {
    const list = core.takeEvents();
    let count = 0;
    let bytes = 0;
    for (const event of list) {
      if (event.type === 'message') {
        count++;
        bytes += typeof event.data === 'string' ? event.data.length : event.data.byteLength;
      } else if (event.type === 'error') {
        events.onError(event.error);
        socket.destroy();
        return;
      }
    }
    if (core.outgoingBytes > 0) schedule();
    if (count > 0) events.onMessages(count, bytes);
  };

  socket.on('connect', () => {
    // 5.1: head and key_3 in one write.
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), key3]));
  });
  socket.on('data', (chunk: Buffer) => {
    if (open) {
      core.receiveData(chunk);
      drain();
      return;
    }
    inbox = inbox === undefined ? chunk : Buffer.concat([inbox, chunk]);
    const end = inbox.indexOf('\r\n\r\n');
    if (end === -1 || inbox.length < end + 4 + 16) return;
    const status = inbox.subarray(0, inbox.indexOf('\r\n')).toString('latin1');
    const answer = inbox.subarray(end + 4, end + 20);
    if (!status.startsWith('HTTP/1.1 101 ') || !answer.equals(expected)) {
      events.onError(new Error(`handshake refused: ${status}`));
      socket.destroy();
      return;
    }
    open = true;
    const rest = inbox.subarray(end + 20);
    inbox = undefined;
    events.onOpen();
    if (rest.length > 0) {
      core.receiveData(rest);
      drain();
    }
  });
  socket.on('end', () => {
    core.receiveEof();
    socket.end();
  });
  socket.on('error', (err) => {
    if (!closed) events.onError(err);
  });
  socket.on('close', () => {
    closed = true;
    events.onClose();
  });

  return {
    sendMany(n: number): void {
      for (let i = 0; i < n; i++) core.sendBinary(payload);
      schedule();
    },
    sendBytes(data: Buffer): void {
      core.sendBinary(data);
      schedule();
    },
    close(): void {
      if (core.state === 'open') core.sendClose();
      flush();
    },
    terminate(): void {
      closed = true;
      socket.destroy();
    },
  };
}

const KEY_CHARS =
  '!"#$%&\'()*+,-./:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

/** 5.1 steps 19–26: a key hiding number × spaces among random characters and spaces. */
function makeKey(): { key: string; number: number } {
  const spaces = randomInt(1, 13);
  const max = Math.floor(4294967295 / spaces);
  const number = randomInt(0, max + 1);
  const chars = String(number * spaces).split('');
  const extra = randomInt(1, 13);
  for (let i = 0; i < extra; i++) {
    chars.splice(randomInt(0, chars.length + 1), 0, KEY_CHARS[randomInt(0, KEY_CHARS.length)]!);
  }
  for (let i = 0; i < spaces; i++) chars.splice(randomInt(1, chars.length), 0, ' ');
  return { key: chars.join(''), number };
}
