import {
  type ConnectionEvent,
  EventCollector,
  OPEN,
  type OpeningRequest,
  type ServerConnection,
} from '@ws02/protocol';
import {
  type RandomSource,
  Rfc6455ClientConnection,
  type Rfc6455ClientOptions,
  type Rfc6455Connection,
  Rfc6455ServerConnection,
  type Rfc6455ServerOptions,
} from '../src/index.js';

/** Bytes from a hex string; spaces and newlines are ignored ("81 05 48 65"). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex length: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lowercase hex of bytes, separated by spaces. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** One byte per code unit (an HTTP head as written on the wire). */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** One code unit per byte. */
export function latin1(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return s;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** `n` bytes of a simple repeating pattern. */
export function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Splits a fresh copy of `data` at the cut points: each chunk has its own memory. */
export function splitAt(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    out.push(data.slice(start, p));
    start = p;
  }
  out.push(data.slice(start));
  return out;
}

/** Each byte as its own chunk (a fresh copy, as a socket would deliver it). */
export function oneByOne(data: Uint8Array): Uint8Array[] {
  return Array.from(data, (b) => Uint8Array.of(b));
}

/** A deterministic random source: the `prefix` bytes first, then a counter. */
export function fixedRandom(...prefix: readonly (Uint8Array | readonly number[])[]): RandomSource {
  const data = concat(prefix.map((p) => Uint8Array.from(p)));
  let i = 0;
  return (target) => {
    for (let j = 0; j < target.length; j++, i++) {
      target[j] = i < data.length ? data[i]! : (i * 167 + 13) & 0xff;
    }
  };
}

/** RFC 6455 1.3: the nonce is the ASCII of "the sample nonce". */
export const SAMPLE_NONCE = utf8('the sample nonce');
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
/** RFC 6455 5.7: the masking key of the masked examples. */
export const RFC_MASK = [0x37, 0xfa, 0x21, 0x3d];

/** RFC 6455 1.2's sample client handshake. */
export const SAMPLE_REQUEST =
  'GET /chat HTTP/1.1\r\n' +
  'Host: server.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  `Sec-WebSocket-Key: ${SAMPLE_KEY}\r\n` +
  'Origin: http://example.com\r\n' +
  'Sec-WebSocket-Protocol: chat, superchat\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

/** RFC 6455 1.2's sample server handshake. */
export const SAMPLE_RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}\r\n` +
  'Sec-WebSocket-Protocol: chat\r\n' +
  '\r\n';

/** Everything queued, as one array. */
export function outgoing(connection: { takeOutgoing(): Uint8Array[] }): Uint8Array {
  return concat(connection.takeOutgoing());
}

/** An EventCollector that accepts every request as it is reported. */
export class AcceptingCollector extends EventCollector {
  connection: ServerConnection | undefined;
  override onRequest(request: OpeningRequest): void {
    super.onRequest(request);
    this.connection?.accept();
  }
}

/** A server connection that read RFC 6455's sample request and accepted it; its 101 taken. */
export function openServer(options: Rfc6455ServerOptions = {}) {
  const events = new AcceptingCollector();
  const server = new Rfc6455ServerConnection(events, { protocols: ['chat'], ...options });
  events.connection = server;
  server.receiveData(bytes(SAMPLE_REQUEST));
  if (server.state !== OPEN) throw new Error('server did not open');
  server.takeOutgoing();
  events.takeEvents();
  return { server, events };
}

/** A client connection that sent RFC 6455's sample request and read the sample answer. */
export function openClient(options: Partial<Rfc6455ClientOptions> = {}) {
  const events = new EventCollector();
  const client = new Rfc6455ClientConnection(events, {
    url: 'ws://server.example.com/chat',
    origin: 'http://example.com',
    protocols: ['chat', 'superchat'],
    random: fixedRandom(SAMPLE_NONCE, RFC_MASK),
    ...options,
  });
  client.takeOutgoing();
  client.receiveData(bytes(SAMPLE_RESPONSE));
  if (client.state !== OPEN) throw new Error('client did not open');
  events.takeEvents();
  return { client, events };
}

/** Moves what `from` queued into `to`, each chunk copied (as a socket delivers it). */
export function pump(from: Rfc6455Connection, to: Rfc6455Connection): void {
  for (const chunk of from.takeOutgoing()) to.receiveData(chunk.slice());
}

/** A client and a server connected in memory, both OPEN, no events pending. */
export function openPair(
  clientOptions: Partial<Rfc6455ClientOptions> = {},
  serverOptions: Rfc6455ServerOptions = {},
) {
  const serverEvents = new AcceptingCollector();
  const server = new Rfc6455ServerConnection(serverEvents, serverOptions);
  serverEvents.connection = server;
  const clientEvents = new EventCollector();
  const client = new Rfc6455ClientConnection(clientEvents, {
    url: 'ws://localhost:8080/chat',
    ...clientOptions,
  });
  pump(client, server);
  pump(server, client);
  if (client.state !== OPEN || server.state !== OPEN) throw new Error('pair did not open');
  serverEvents.takeEvents();
  clientEvents.takeEvents();
  return { client, server, clientEvents, serverEvents };
}

/** Events as small arrays, for toEqual: bytes as hex, errors as their code. */
export function summary(events: readonly ConnectionEvent[]): unknown[] {
  return events.map((e) => {
    switch (e.type) {
      case 'message':
        return ['message', typeof e.data === 'string' ? e.data : toHex(e.data), e.binary];
      case 'fragment':
        return ['fragment', typeof e.data === 'string' ? e.data : toHex(e.data), e.first, e.last];
      case 'ping':
      case 'pong':
        return [e.type, toHex(e.data)];
      case 'close':
        return ['close', e.code, new TextDecoder().decode(e.reason)];
      case 'error':
        return ['error', e.error.code];
      case 'request':
        return ['request', e.request.resourceName];
      default:
        return [e.type];
    }
  });
}

/** Exact byte equality (much faster than a deep-equality matcher on large arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
