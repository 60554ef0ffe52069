import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { createClientHandshake, type HandshakeCookie, type HandshakeField } from '@ws02/handshake';
import type { WebSocketUrl } from '@ws02/url';
import type { CookieJar } from 'tough-cookie';
import { ClientError } from './client-error.js';
import type { ConnectQueue, ConnectTarget } from './connect-queue.js';
import { cookieFieldFor } from './cookies.js';
import { exchangeHandshake } from './handshake-exchange.js';
import { type ProxyConfig, stripBrackets } from './proxy-config.js';
import {
  connectTcp,
  type LookupFunction,
  requestTunnel,
  resolveAddress,
  startTls,
} from './transport.js';

/** Everything one run of 5.1 needs, already validated by the WebSocket constructor. */
export interface EstablishInput {
  readonly url: WebSocketUrl;
  readonly origin: string;
  readonly protocols: readonly string[];
  readonly headers: readonly (readonly [string, string])[];
  readonly proxy: ProxyConfig | undefined;
  /** Basic credentials for a 407 (CONNECT or step 33), base64; from the proxy URL or proxyAuth. */
  readonly proxyCredentials: string | undefined;
  readonly tls: ConnectionOptions;
  readonly lookup: LookupFunction;
  readonly queue: ConnectQueue;
  readonly cookieJar: CookieJar | undefined;
  readonly handshakeTimeout: number;
  readonly maxHeadBytes: number | undefined;
  readonly maxFields: number | undefined;
  readonly signal: AbortSignal;
}

/** An established WebSocket connection (step 50), before the cookies are applied. */
export interface Established {
  readonly socket: Socket;
  readonly protocol: string;
  readonly fields: readonly HandshakeField[];
  /** Steps 44 and 49–51: the /list of cookies/, not yet applied. */
  readonly cookies: readonly HandshakeCookie[];
  /** Frame bytes that arrived right behind the 16-byte reply. */
  readonly rest: Uint8Array;
}

const noop = () => {};

/**
 * *Establish a WebSocket connection*, draft-02 5.1 steps 2–48 (step 1 was done by the caller,
 * synchronously; steps 49–51 are the caller's). Resolves with the open, paused socket; rejects
 * with a `ClientError` or the core's `HandshakeError`.
 */
export async function establish(input: EstablishInput): Promise<Established> {
  const { url, proxy, signal } = input;
  const host = stripBrackets(url.host);
  // A 407 is answered once with credentials (step 33; likewise a CONNECT 407), then fails.
  let connectAuth = false;
  let handshakeAuth = false;
  for (;;) {
    // Step 2: serialize attempts per remote IP address. Behind a proxy the address is unknown:
    // the host name stands for a distinct host and the queue caps such attempts in total.
    let target: ConnectTarget;
    if (proxy === undefined) {
      const address = await resolveAddress(host, input.lookup);
      if (signal.aborted) throw signal.reason;
      target = { key: address, unresolved: false };
    } else {
      target = { key: url.host, unresolved: true };
    }
    const release = await input.queue.acquire(target, signal);
    // The handshake timeout runs from here: waiting for the turn is not the server's fault.
    const attempt = new AbortController();
    const timer = setTimeout(() => {
      attempt.abort(
        new ClientError(
          'CLIENT_HANDSHAKE_TIMEOUT',
          '5.1',
          `the opening handshake with ${url.host}:${url.port} did not complete within ${input.handshakeTimeout} ms`,
          { step: 31 },
        ),
      );
    }, input.handshakeTimeout);
    // The attempt ends on the timeout or when the caller aborts (linked by hand: cheaper than
    // AbortSignal.any, which keeps weak references alive until a GC).
    const onAbort = () => attempt.abort(signal.reason);
    if (signal.aborted) attempt.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    const attemptSignal = attempt.signal;
    let socket: Socket | undefined;
    try {
      // Step 3: connect, directly or through the proxy.
      if (proxy === undefined) {
        socket = await connectTcp(target.key, url.port, attemptSignal, `${url.host}:${url.port}`);
        socket.on('error', noop); // errors are read by each step; never unhandled in between
      } else {
        socket = await connectTcp(proxy.host, proxy.port, attemptSignal, `proxy ${proxy.display}`);
        socket.on('error', noop);
        const tunnel = await requestTunnel(
          socket,
          proxy,
          url.host,
          url.port,
          connectAuth,
          attemptSignal,
        );
        if (tunnel.kind === 'auth-required') {
          socket.destroy();
          connectAuth = answerProxyChallenge(connectAuth, input.proxyCredentials, 'CONNECT');
          continue;
        }
      }
      // Step 4: TLS for wss, with SNI.
      if (url.secure) {
        socket = await startTls(socket, host, input.tls, attemptSignal);
        socket.on('error', noop);
      }
      // Steps 5–30: the request; steps 17–18 take the jar's cookies for this resource.
      const cookie =
        input.cookieJar === undefined ? undefined : await cookieFieldFor(input.cookieJar, url);
      if (attemptSignal.aborted) throw attemptSignal.reason;
      const extraHeaders =
        handshakeAuth && input.proxyCredentials !== undefined
          ? [...input.headers, ['Proxy-Authorization', `Basic ${input.proxyCredentials}`] as const]
          : input.headers;
      const handshake = createClientHandshake({
        url,
        origin: input.origin,
        protocols: input.protocols,
        ...(cookie === undefined ? {} : { cookies: cookie }),
        extraHeaders,
      });
      // Steps 31–48.
      const result = await exchangeHandshake(
        socket,
        handshake,
        { maxHeadBytes: input.maxHeadBytes, maxFields: input.maxFields },
        attemptSignal,
      );
      if (result.kind === 'proxy-auth-required') {
        // Step 33: "close the connection and jump back to step 2, providing appropriate
        // authentication information, or fail the WebSocket connection".
        socket.destroy();
        handshakeAuth = answerProxyChallenge(handshakeAuth, input.proxyCredentials, 'handshake');
        continue;
      }
      return {
        socket,
        protocol: result.protocol ?? '',
        fields: result.fields,
        cookies: result.cookies,
        rest: result.rest,
      };
    } catch (error) {
      socket?.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Established or failed: the next attempt to this address may run (step 2).
      release();
    }
  }
}

// A 407 (step 33, or the proxy's answer to CONNECT): retry once with credentials, else fail.
function answerProxyChallenge(
  alreadySent: boolean,
  credentials: string | undefined,
  where: string,
): true {
  if (credentials === undefined) {
    throw new ClientError(
      'CLIENT_PROXY_AUTH_REQUIRED',
      '5.1',
      `407 Proxy Authentication Required (${where}) and no proxy credentials were given`,
      { step: 33 },
    );
  }
  if (alreadySent) {
    throw new ClientError(
      'CLIENT_PROXY_AUTH_FAILED',
      '5.1',
      `407 Proxy Authentication Required (${where}) again after the credentials were sent`,
      { step: 33 },
    );
  }
  return true;
}
