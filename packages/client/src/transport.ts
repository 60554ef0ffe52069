import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { ClientError } from './client-error.js';
import type { ProxyConfig } from './proxy-config.js';

/** Resolves a host name to one address (5.1 step 2 needs the address before connecting). */
export type LookupFunction = (hostname: string) => Promise<{ address: string; family: number }>;

export const defaultLookup: LookupFunction = (hostname) => dnsLookup(hostname);

/** Step 2: the IP address of `host` (an IP literal is its own address). */
export async function resolveAddress(host: string, lookup: LookupFunction): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (cause) {
    throw new ClientError(
      'CLIENT_DNS_FAILED',
      '5.1',
      `cannot resolve ${host}: ${(cause as Error).message}`,
      {
        step: 2,
        cause,
      },
    );
  }
}

/**
 * Runs `start` until it settles or `signal` aborts: on abort, `cleanup` runs (destroying what
 * was opened) and the promise rejects with the signal's reason.
 */
function abortable<T>(
  signal: AbortSignal,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void,
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => {};
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    cleanup = start(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        cleanup();
        reject(error);
      },
    );
  });
}

/** Step 3: a TCP connection to `host:port` (the server, or the proxy). */
export function connectTcp(
  host: string,
  port: number,
  signal: AbortSignal,
  what: string,
): Promise<Socket> {
  return abortable(signal, (resolve, reject) => {
    const socket = netConnect({ host, port, noDelay: true });
    const onError = (cause: Error) =>
      reject(
        new ClientError(
          'CLIENT_CONNECT_FAILED',
          '5.1',
          `cannot connect to ${what}: ${cause.message}`,
          {
            step: 3,
            cause,
          },
        ),
      );
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    return () => socket.destroy();
  });
}

/**
 * Step 4: TLS over `socket` (direct or a proxy tunnel), with SNI for host names (not for IP
 * literals, which SNI does not carry). The certificate is checked against `host` unless the
 * caller's TLS options say otherwise.
 */
export function startTls(
  socket: Socket,
  host: string,
  tlsOptions: ConnectionOptions,
  signal: AbortSignal,
): Promise<TLSSocket> {
  return abortable(signal, (resolve, reject) => {
    const servername = tlsOptions.servername ?? (isIP(host) === 0 ? host : undefined);
    const tls = tlsConnect({
      ...tlsOptions,
      socket,
      host,
      ...(servername === undefined ? {} : { servername }),
    });
    const onError = (cause: Error) =>
      reject(
        new ClientError('CLIENT_TLS_FAILED', '5.1', `TLS with ${host} failed: ${cause.message}`, {
          step: 4,
          cause,
        }),
      );
    tls.once('error', onError);
    tls.once('secureConnect', () => {
      tls.off('error', onError);
      resolve(tls);
    });
    return () => {
      tls.destroy();
      socket.destroy();
    };
  });
}

/** What a proxy answered to CONNECT. */
export type TunnelResult = { readonly kind: 'open' } | { readonly kind: 'auth-required' };

const MAX_PROXY_HEAD = 16 * 1024;

/**
 * Step 3 through a proxy: asks it to open a TCP connection to `host:port` with CONNECT
 * (RFC 7231 4.3.6). A 2xx opens the tunnel (bytes after the response head are kept for the
 * next reader); a 407 is reported so the caller can answer it once with credentials.
 */
export function requestTunnel(
  socket: Socket,
  proxy: ProxyConfig,
  host: string,
  port: number,
  withCredentials: boolean,
  signal: AbortSignal,
): Promise<TunnelResult> {
  return abortable(signal, (resolve, reject) => {
    const authority = `${host}:${port}`;
    const auth =
      withCredentials && proxy.credentials !== undefined
        ? `Proxy-Authorization: Basic ${proxy.credentials}\r\n`
        : '';
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    let head: Buffer = Buffer.alloc(0);
    const fail = (message: string, cause?: unknown) =>
      reject(
        new ClientError('CLIENT_PROXY_FAILED', '5.1', `proxy ${proxy.display}: ${message}`, {
          step: 3,
          ...(cause === undefined ? {} : { cause }),
        }),
      );
    const onData = (chunk: Buffer) => {
      // Deliberate copy: the response head is small and may span chunks.
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_PROXY_HEAD) fail(`response head larger than ${MAX_PROXY_HEAD} bytes`);
        return;
      }
      stop();
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
      if (match === null) return fail(`malformed response ${JSON.stringify(statusLine)}`);
      const status = Number(match[1]);
      if (status === 407) return resolve({ kind: 'auth-required' });
      if (status < 200 || status > 299) {
        return fail(`CONNECT ${authority} answered ${JSON.stringify(statusLine)}`);
      }
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve({ kind: 'open' });
    };
    const onEnd = () => fail('closed the connection before answering CONNECT');
    const onError = (cause: Error) => fail(cause.message, cause);
    const stop = () => {
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
    return () => {
      stop();
      socket.destroy();
    };
  });
}
