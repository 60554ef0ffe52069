import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Refuses a connection before the WebSocket handshake completed (5.2.1 "abort"): a plain HTTP
 * response, then the socket is ended and destroyed. The body is a one-line reason for humans;
 * nothing from the request is echoed back (no reflection of untrusted input).
 */
export function writeHttpRefusal(
  socket: Duplex,
  status: number,
  reason: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  let head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  if (status === 426) head += 'Upgrade: WebSocket\r\nSec-WebSocket-Draft: 2\r\n';
  for (const [name, value] of Object.entries(extraHeaders)) head += `${name}: ${value}\r\n`;
  socket.end(`${head}\r\n${body}`);
  // Don't wait for the peer to read: a refused peer gets one chance, then the socket is gone.
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
