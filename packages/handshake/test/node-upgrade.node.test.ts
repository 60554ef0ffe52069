// The parsed-request path with real Node objects: http.Server's `upgrade` event gives an
// IncomingMessage (already parsed head) and `head` (bytes after it, key_3 or part of it).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../scripts/test-utils/wait.js';
import {
  ClientHandshakeParser,
  type ClientHandshakeResult,
  createClientHandshake,
  createServerResponse,
  type Md5,
  ServerHandshakeParser,
  type ServerHandshakeResult,
} from '../src/index.js';
import { hex } from './helpers.js';

const nodeMd5: Md5 = (d) => new Uint8Array(createHash('md5').update(d).digest());
const FRAME = hex('04 05 48 65 6C 6C 6F');

let server: Server;
let port = 0;
/**
 * What the server has read of the current connection after the HTTP head: `head` of the
 * `upgrade` event, then each later `data` chunk until the handshake's outcome.
 */
let pieces: number[] | undefined;

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket, head) => {
    const read = [head.length];
    pieces = read;
    const parser = ServerHandshakeParser.fromParsedRequest(req, { protocols: ['chat'] });
    const handle = (r: ServerHandshakeResult) => {
      if (r.kind === 'request') {
        socket.removeAllListeners('data');
        socket.write(createServerResponse({ request: r.request, md5: nodeMd5 }));
        // Echo what the client pipelined behind key_3, then a frame of our own.
        socket.write(r.rest);
        socket.end(FRAME);
      } else if (r.kind === 'failed') {
        socket.end(`HTTP/1.1 ${r.error.httpStatus} Bad Request\r\nX-Code: ${r.error.code}\r\n\r\n`);
      }
    };
    const first = parser.receiveData(head);
    if (first.kind === 'need-more') {
      socket.on('data', (d: Buffer) => {
        read.push(d.length);
        handle(parser.receiveData(d));
      });
    } else handle(first);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function exchange(
  writes: Uint8Array[],
  parser: ClientHandshakeParser,
): Promise<{ result: ClientHandshakeResult; after: Buffer; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let result: ClientHandshakeResult = { kind: 'need-more' };
    let after = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (result.kind === 'need-more') {
        result = parser.receiveData(d);
        if (result.kind === 'established') after = Buffer.from(result.rest);
      } else {
        after = Buffer.concat([after, d]);
      }
    });
    socket.on('end', () => resolve({ result, after, raw: Buffer.concat(received) }));
    socket.on('error', reject);
    pieces = undefined;
    // Bytes of the writes that follow the HTTP head (the head is read by http.Server itself).
    const headEnd = Buffer.concat(writes).indexOf('\r\n\r\n') + 4;
    socket.on('connect', async () => {
      try {
        let written = 0;
        for (const [i, w] of writes.entries()) {
          socket.write(w);
          written += w.length;
          if (i === writes.length - 1) break;
          // Order, not time: the next write goes out once the server has read this one, so
          // each arrives in a read of its own.
          const behindHead = Math.max(0, written - headEnd);
          await until(
            () => pieces !== undefined && pieces.reduce((n, p) => n + p, 0) === behindHead,
            `the server to read write ${i + 1} of ${writes.length}`,
          );
        }
      } catch (error) {
        reject(error);
      }
    });
  });
}

describe('Node http upgrade path (fromParsedRequest with a real IncomingMessage)', () => {
  it('key_3 and a frame in the same write as the head', async () => {
    const hs = createClientHandshake({
      url: `ws://127.0.0.1:${port}/chat`,
      origin: 'http://example.com',
      protocols: ['chat'],
    });
    const { result, after } = await exchange(
      [Buffer.concat([hs.request, FRAME])],
      new ClientHandshakeParser(hs),
    );
    expect(result.kind === 'established' && result.protocol).toBe('chat');
    expect(new Uint8Array(after)).toEqual(new Uint8Array([...FRAME, ...FRAME]));
  });

  it('key_3 arriving in a later segment', async () => {
    const hs = createClientHandshake({ url: `ws://127.0.0.1:${port}/`, origin: 'null' });
    const n = hs.request.length;
    const { result } = await exchange(
      [
        hs.request.subarray(0, n - 8),
        hs.request.subarray(n - 8, n - 3),
        hs.request.subarray(n - 3),
      ],
      new ClientHandshakeParser(hs),
    );
    expect(result.kind).toBe('established');
    // The head, then key_3 in two reads: 5 bytes, then 3.
    expect(pieces).toEqual([0, 5, 3]);
  });

  it('a refused request gets the suggested status', async () => {
    const hs = createClientHandshake({
      url: `ws://127.0.0.1:${port}/`,
      origin: 'null',
      protocols: ['nope'],
    });
    const { result, raw } = await exchange([hs.request], new ClientHandshakeParser(hs));
    expect(result.kind === 'failed' && result.error.code).toBe('HANDSHAKE_UNEXPECTED_STATUS');
    expect(raw.toString('latin1')).toContain('X-Code: HANDSHAKE_UNSUPPORTED_PROTOCOL');
  });
});
