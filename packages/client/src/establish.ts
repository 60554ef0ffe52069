import type { Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { ClientHandshakeTemplate, HandshakeCookie, HandshakeField } from '@ws02/handshake';
import type { CookieJar } from 'tough-cookie';
import { ClientError } from './client-error.js';
import type { ConnectQueue } from './connect-queue.js';
import { cookieFieldFor, cookieFieldForSync } from './cookies.js';
import { type ExchangeResult, exchangeHandshake } from './handshake-exchange.js';
import { type ProxyConfig, stripBrackets } from './proxy-config.js';
import {
  type Cancel,
  connectTcp,
  type LookupFunction,
  requestTunnel,
  resolveAddress,
  startTls,
  type TunnelResult,
} from './transport.js';

/** Everything one run of 5.1 needs, already validated by the WebSocket constructor. */
export interface EstablishInput {
  /** Step 1 done: the URL, origin, protocols and the caller's fields, checked once. */
  readonly template: ClientHandshakeTemplate;
  readonly proxy: ProxyConfig | undefined;
  /** Basic credentials for a 407 (CONNECT or step 33), base64; from the proxy URL or proxyAuth. */
  readonly proxyCredentials: string | undefined;
  readonly tls: ConnectionOptions;
  readonly lookup: LookupFunction;
  readonly queue: ConnectQueue;
  /** The jar to read for step 17, if one exists yet (a jar created lazily holds no cookies). */
  readonly cookieJar: () => CookieJar | undefined;
  readonly handshakeTimeout: number;
  readonly maxHeadBytes: number | undefined;
  readonly maxFields: number | undefined;
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

/** How an {@link Establishment} ends: exactly once, with an error or the connection. */
export interface EstablishCallbacks {
  /** Called synchronously when step 48 checked out (from the socket's `data` event). */
  established(established: Established, attempt: Establishment): void;
  /**
   * Called in a later microtask, never from inside `start()` or `abort()` (a failure is an
   * event, as in a browser: a constructor or `close()` never emits synchronously). The
   * connection, timer and step-2 turn are already released by then.
   */
  failed(error: Error, attempt: Establishment): void;
}

const noop = () => {};

/**
 * *Establish a WebSocket connection*, draft-02 5.1 steps 2–48 (step 1 was done by the caller,
 * synchronously, in the template; steps 49–51 are the caller's). Ends by calling `established`
 * with the open, paused socket, or `failed` with a `ClientError` or the core's `HandshakeError`.
 *
 * One object per attempt, driven by direct callbacks: no AbortController, no EventTarget
 * listeners, no promise per step (the per-handshake cost the profile showed). `abort()` is the
 * caller's cancellation (close/terminate while CONNECTING); one timer is the step-31 timeout.
 */
export class Establishment {
  readonly #input: EstablishInput;
  readonly #callbacks: EstablishCallbacks;
  #finished = false;
  // The step in progress, to stop on abort or timeout.
  #cancel: Cancel = noop;
  #release: () => void = noop;
  #timer: NodeJS.Timeout | undefined;
  #socket: Socket | undefined;
  #targetKey = '';
  #waiting = false;
  // A 407 is answered once with credentials (step 33; likewise a CONNECT 407), then fails.
  #connectAuth = false;
  #handshakeAuth = false;

  constructor(input: EstablishInput, callbacks: EstablishCallbacks) {
    this.#input = input;
    this.#callbacks = callbacks;
  }

  /** Runs the steps; call once, after keeping the object (callbacks may come from here on). */
  start(): void {
    try {
      this.#step2();
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** Stops the attempt and fails it with `reason` (no-op once it has ended). */
  abort(reason: Error): void {
    this.#fail(reason);
  }

  /** True once `established` or `failed` was called. */
  get finished(): boolean {
    return this.#finished;
  }

  // Step 2: serialize attempts per remote IP address. Behind a proxy the address is unknown:
  // the host name stands for a distinct host and the queue caps such attempts in total.
  #step2(): void {
    const { template, proxy } = this.#input;
    if (proxy !== undefined) {
      this.#enqueue(template.url.host, true);
      return;
    }
    resolveAddress(
      stripBrackets(template.url.host),
      this.#input.lookup,
      this.#onAddress,
      this.#onFailure,
    );
  }

  readonly #onAddress = (address: string): void => {
    if (!this.#finished) this.#enqueue(address, false);
  };

  #enqueue(key: string, unresolved: boolean): void {
    this.#targetKey = key;
    this.#waiting = true;
    const withdraw = this.#input.queue.request({ key, unresolved }, this.#onTurn);
    // Granted at once (the usual case): #onTurn already ran and set the next step's cancel.
    if (this.#waiting) this.#cancel = withdraw;
  }

  readonly #onTurn = (release: () => void): void => {
    try {
      this.#waiting = false;
      this.#cancel = noop;
      if (this.#finished) {
        release();
        return;
      }
      this.#release = release;
      // The handshake timeout runs from here: waiting for the turn is not the server's fault.
      this.#timer = setTimeout(this.#onTimeout, this.#input.handshakeTimeout);
      // Step 3: connect, directly or through the proxy.
      const { proxy, template } = this.#input;
      const url = template.url;
      this.#cancel =
        proxy === undefined
          ? connectTcp(
              this.#targetKey,
              url.port,
              `${url.host}:${url.port}`,
              this.#onConnected,
              this.#onFailure,
            )
          : connectTcp(
              proxy.host,
              proxy.port,
              `proxy ${proxy.display}`,
              this.#onConnected,
              this.#onFailure,
            );
    } catch (error) {
      // Node APIs can throw synchronously (a socket option, a write): the attempt fails.
      this.#fail(error as Error);
    }
  };

  readonly #onTimeout = (): void => {
    const url = this.#input.template.url;
    this.#fail(
      new ClientError(
        'CLIENT_HANDSHAKE_TIMEOUT',
        '5.1',
        `the opening handshake with ${url.host}:${url.port} did not complete within ${this.#input.handshakeTimeout} ms`,
        { step: 31 },
      ),
    );
  };

  readonly #onConnected = (socket: Socket): void => {
    try {
      this.#cancel = noop;
      this.#socket = socket;
      socket.on('error', noop); // errors are read by each step; never unhandled in between
      const { proxy, template } = this.#input;
      if (proxy === undefined) {
        this.#step4();
        return;
      }
      this.#cancel = requestTunnel(
        socket,
        proxy,
        template.url.host,
        template.url.port,
        this.#connectAuth,
        this.#onTunnel,
        this.#onFailure,
      );
    } catch (error) {
      // Node APIs can throw synchronously (a socket option, a write): the attempt fails.
      this.#fail(error as Error);
    }
  };

  readonly #onTunnel = (tunnel: TunnelResult): void => {
    try {
      this.#cancel = noop;
      if (tunnel.kind === 'auth-required') {
        this.#connectAuth = answerProxyChallenge(
          this.#connectAuth,
          this.#input.proxyCredentials,
          'CONNECT',
          this.#onFailure,
        );
        if (this.#connectAuth) this.#retry();
        return;
      }
      this.#step4();
    } catch (error) {
      // Node APIs can throw synchronously (a socket option, a write): the attempt fails.
      this.#fail(error as Error);
    }
  };

  // Step 4: TLS for wss, with SNI.
  #step4(): void {
    const { template } = this.#input;
    if (!template.url.secure) {
      this.#step5();
      return;
    }
    this.#cancel = startTls(
      this.#socket!,
      stripBrackets(template.url.host),
      this.#input.tls,
      this.#onSecure,
      this.#onFailure,
    );
  }

  readonly #onSecure = (socket: TLSSocket): void => {
    try {
      this.#cancel = noop;
      this.#socket = socket;
      socket.on('error', noop);
      this.#step5();
    } catch (error) {
      // Node APIs can throw synchronously (a socket option, a write): the attempt fails.
      this.#fail(error as Error);
    }
  };

  // Steps 5–30: the request; steps 17–18 take the jar's cookies for this resource.
  #step5(): void {
    const jar = this.#input.cookieJar();
    if (jar === undefined) {
      this.#request(undefined);
      return;
    }
    if (jar.store.synchronous) {
      this.#request(cookieFieldForSync(jar, this.#input.template.url));
      return;
    }
    cookieFieldFor(jar, this.#input.template.url).then((cookie) => {
      if (this.#finished) return;
      try {
        this.#request(cookie);
      } catch (error) {
        this.#fail(error as Error);
      }
    }, this.#onFailure);
  }

  #request(cookie: string | undefined): void {
    const { template, proxyCredentials } = this.#input;
    let handshake: ReturnType<ClientHandshakeTemplate['create']>;
    try {
      handshake = template.create({
        ...(cookie === undefined ? {} : { cookies: cookie }),
        ...(this.#handshakeAuth && proxyCredentials !== undefined
          ? { extraHeaders: [['Proxy-Authorization', `Basic ${proxyCredentials}`]] }
          : {}),
      });
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    // Steps 31–48.
    const { maxHeadBytes, maxFields } = this.#input;
    this.#cancel = exchangeHandshake(
      this.#socket!,
      handshake,
      { maxHeadBytes, maxFields },
      this.#onReply,
      this.#onFailure,
    );
  }

  readonly #onReply = (result: ExchangeResult): void => {
    this.#cancel = noop;
    if (result.kind === 'proxy-auth-required') {
      // Step 33: "close the connection and jump back to step 2, providing appropriate
      // authentication information, or fail the WebSocket connection".
      this.#handshakeAuth = answerProxyChallenge(
        this.#handshakeAuth,
        this.#input.proxyCredentials,
        'handshake',
        this.#onFailure,
      );
      if (this.#handshakeAuth) this.#retry();
      return;
    }
    const socket = this.#socket!;
    this.#end();
    this.#callbacks.established(
      {
        socket,
        protocol: result.protocol ?? '',
        fields: result.fields,
        cookies: result.cookies,
        rest: result.rest,
      },
      this,
    );
  };

  readonly #onFailure = (error: Error): void => {
    this.#cancel = noop;
    this.#fail(error);
  };

  // Back to step 2 after a 407 (with credentials now): this attempt's connection, timer and
  // turn end first, as when an attempt fails.
  #retry(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
    this.#end();
    this.#finished = false;
    this.#step2();
  }

  #fail(error: Error): void {
    if (this.#finished) return;
    const cancel = this.#cancel;
    this.#cancel = noop;
    cancel();
    this.#socket?.destroy();
    this.#end();
    queueMicrotask(() => this.#callbacks.failed(error, this));
  }

  // Established or failed: the timer stops and the next attempt to this address may run (step 2).
  #end(): void {
    this.#finished = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const release = this.#release;
    this.#release = noop;
    release();
  }
}

// A 407 (step 33, or the proxy's answer to CONNECT): retry once with credentials (true), else
// fail through `fail` (false).
function answerProxyChallenge(
  alreadySent: boolean,
  credentials: string | undefined,
  where: string,
  fail: (error: Error) => void,
): boolean {
  if (credentials === undefined) {
    fail(
      new ClientError(
        'CLIENT_PROXY_AUTH_REQUIRED',
        '5.1',
        `407 Proxy Authentication Required (${where}) and no proxy credentials were given`,
        { step: 33 },
      ),
    );
    return false;
  }
  if (alreadySent) {
    fail(
      new ClientError(
        'CLIENT_PROXY_AUTH_FAILED',
        '5.1',
        `407 Proxy Authentication Required (${where}) again after the credentials were sent`,
        { step: 33 },
      ),
    );
    return false;
  }
  return true;
}
