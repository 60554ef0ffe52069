import { lookup as dnsLookup } from 'node:dns/promises';
import type { EventEmitter } from 'node:events';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { ClientError } from './client-error.js';
import type { ProxyConfig } from './proxy-config.js';

/** Resolves a host name to one address (5.1 step 2 needs the address before connecting). */
export type LookupFunction = (hostname: string) => Promise<{ address: string; family: number }>;

export const defaultLookup: LookupFunction = (hostname) => dnsLookup(hostname);

/**
 * Step 2: the IP address of `host`. An IP literal is its own address, given back synchronously
 * (no lookup, no promise); a name goes through `lookup`.
 */
export function resolveAddress(
  host: string,
  lookup: LookupFunction,
  ok: (address: string) => void,
  fail: (error: Error) => void,
): void {
  if (isIP(host) !== 0) {
    ok(host);
    return;
  }
  const failed = (cause: Error) =>
    fail(
      new ClientError('CLIENT_DNS_FAILED', '5.1', `cannot resolve ${host}: ${cause?.message}`, {
        step: 2,
        cause,
      }),
    );
  let pending: Promise<{ address: string }>;
  try {
    pending = lookup(host);
  } catch (cause) {
    failed(cause as Error);
    return;
  }
  pending.then((result) => ok(result.address), failed);
}

/** Stops a step that has not settled yet: removes its listeners and destroys what it opened. */
export type Cancel = () => void;

/**
 * Step 3: a TCP connection to `host:port` (the server, or the proxy). Exactly one of `ok` and
 * `fail` runs, unless the returned {@link Cancel} runs first (then neither does). Direct
 * callbacks, no AbortSignal: the caller owns the one timer and the cancellation.
 */
export function connectTcp(
  host: string,
  port: number,
  what: string,
  ok: (socket: Socket) => void,
  fail: (error: Error) => void,
): Cancel {
  // An IP literal (the usual case once step 2 resolved the host) is connected without a lookup.
  const socket = netConnect({ host, port, noDelay: true });
  return firstOf(
    socket,
    'connect',
    () => socket.destroy(),
    () => ok(socket),
    (cause) =>
      fail(
        new ClientError(
          'CLIENT_CONNECT_FAILED',
          '5.1',
          `cannot connect to ${what}: ${cause.message}`,
          {
            step: 3,
            cause,
          },
        ),
      ),
  );
}

/**
 * Waits for `event` or the first `error`, whichever comes first, then detaches both. On an
 * error (or a cancel) `destroy` runs before `fail`. The returned {@link Cancel} detaches and
 * destroys; neither callback runs after it.
 */
function firstOf(
  emitter: EventEmitter,
  event: string,
  destroy: () => void,
  ok: () => void,
  fail: (cause: Error) => void,
): Cancel {
  const onError = (cause: Error) => {
    emitter.off(event, onEvent);
    destroy();
    fail(cause);
  };
  const onEvent = () => {
    emitter.off('error', onError);
    ok();
  };
  emitter.once('error', onError);
  emitter.once(event, onEvent);
  return () => {
    emitter.off('error', onError);
    emitter.off(event, onEvent);
    destroy();
  };
}

/**
 * Step 4: TLS over `socket` (direct or a proxy tunnel), with SNI for host names (not for IP
 * literals, which SNI does not carry). The certificate is checked against `host` unless the
 * caller's TLS options say otherwise. Settles like {@link connectTcp}.
 */
export function startTls(
  socket: Socket,
  host: string,
  tlsOptions: ConnectionOptions,
  ok: (socket: TLSSocket) => void,
  fail: (error: Error) => void,
): Cancel {
  const servername = tlsOptions.servername ?? (isIP(host) === 0 ? host : undefined);
  const tls = tlsConnect({
    ...tlsOptions,
    socket,
    host,
    ...(servername === undefined ? {} : { servername }),
  });
  return firstOf(
    tls,
    'secureConnect',
    () => {
      tls.destroy();
      socket.destroy();
    },
    () => ok(tls),
    (cause) =>
      fail(
        new ClientError('CLIENT_TLS_FAILED', '5.1', `TLS with ${host} failed: ${cause.message}`, {
          step: 4,
          cause,
        }),
      ),
  );
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
  ok: (result: TunnelResult) => void,
  fail: (error: Error) => void,
): Cancel {
  const authority = `${host}:${port}`;
  const auth =
    withCredentials && proxy.credentials !== undefined
      ? `Proxy-Authorization: Basic ${proxy.credentials}\r\n`
      : '';
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  let head: Buffer = Buffer.alloc(0);
  const failWith = (message: string, cause?: unknown) => {
    stop();
    socket.destroy();
    fail(
      new ClientError('CLIENT_PROXY_FAILED', '5.1', `proxy ${proxy.display}: ${message}`, {
        step: 3,
        ...(cause === undefined ? {} : { cause }),
      }),
    );
  };
  const onData = (chunk: Buffer) => {
    // Deliberate copy: the response head is small and may span chunks.
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) {
      if (head.length > MAX_PROXY_HEAD) {
        failWith(`response head larger than ${MAX_PROXY_HEAD} bytes`);
      }
      return;
    }
    stop();
    const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
    if (match === null) {
      failWith(`malformed response ${JSON.stringify(statusLine)}`);
      return;
    }
    const status = Number(match[1]);
    if (status === 407) {
      ok(AUTH_REQUIRED);
      return;
    }
    if (status < 200 || status > 299) {
      return failWith(`CONNECT ${authority} answered ${JSON.stringify(statusLine)}`);
    }
    const rest = head.subarray(end + 4);
    if (rest.length > 0) socket.unshift(rest);
    ok(OPEN);
  };
  const onEnd = () => failWith('closed the connection before answering CONNECT');
  const onError = (cause: Error) => failWith(cause.message, cause);
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
}

const OPEN: TunnelResult = { kind: 'open' };
const AUTH_REQUIRED: TunnelResult = { kind: 'auth-required' };
