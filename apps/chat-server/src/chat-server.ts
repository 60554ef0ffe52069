import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ServerLogEvent, WebSocketServer } from '@ws02/server';
import type { ChatAdapter } from './chat-adapter.js';
import { ChatCore, type ChatStats } from './chat-core.js';
import { ChatConfigError } from './chat-error.js';
import { ChatMetrics } from './chat-metrics.js';
import {
  CHAT_DEFAULTS,
  type ChatLimits,
  type ChatLogger,
  type ChatServerOptions,
  SERVER_OPTION_DEFAULTS,
  SILENT_LOGGER,
} from './chat-options.js';
import { MemoryAdapter } from './memory-adapter.js';

/** A running (or runnable) chat server: HTTP(S) with WebSocket upgrades, /healthz, /metrics. */
export interface ChatServer {
  /** Listens; resolves with the address, or rejects with `CHAT_LISTEN_FAILED`. */
  start(): Promise<ChatServerAddress>;
  /**
   * Graceful shutdown: stops accepting, closes every client with `SERVER_SHUTDOWN` (section 7
   * closing handshake, stragglers destroyed after `closeTimeout`), closes the adapter. Idempotent.
   */
  stop(): Promise<void>;
  /** The address after `start()`, else undefined. */
  address(): ChatServerAddress | undefined;
  stats(): ChatStats;
  readonly limits: ChatLimits;
  readonly adapter: ChatAdapter;
  /** The Prometheus registry served on /metrics. */
  readonly metrics: ChatMetrics;
  readonly http: HttpServer | HttpsServer;
  readonly wss: WebSocketServer;
}

export interface ChatServerAddress {
  readonly host: string;
  readonly port: number;
  /** `ws://host:port/` or `wss://…`: what clients connect to. */
  readonly url: string;
  /** `http://host:port` or `https://…`: base of /healthz and /metrics. */
  readonly httpUrl: string;
}

/** Builds a chat server (not yet listening: call `start()`). Throws ChatConfigError on bad options. */
export function createChatServer(options: ChatServerOptions = {}): ChatServer {
  const limits: ChatLimits = { ...CHAT_DEFAULTS, ...options.limits };
  checkLimits(limits);
  const log: ChatLogger = options.logger ?? SILENT_LOGGER;
  const port = options.port ?? SERVER_OPTION_DEFAULTS.port;
  const host = options.host ?? SERVER_OPTION_DEFAULTS.host;
  const heartbeat =
    options.heartbeat === undefined ? SERVER_OPTION_DEFAULTS.heartbeat : options.heartbeat;
  const adapter = options.adapter ?? new MemoryAdapter({ historySize: limits.historySize });
  const startedAt = Date.now();
  let state: 'idle' | 'listening' | 'stopping' | 'stopped' = 'idle';
  let bound: ChatServerAddress | undefined;
  let stopPromise: Promise<void> | undefined;

  let wss: WebSocketServer | undefined;
  let core: ChatCore | undefined;
  const metrics = new ChatMetrics(
    () => core?.stats() ?? { connections: 0, users: 0, held: 0, rooms: 0 },
    () => wss,
    { processMetrics: options.processMetrics ?? true },
  );
  core = new ChatCore({
    adapter,
    limits,
    logger: log,
    metrics,
    broadcast: (data, filter) => wss?.broadcast(data, filter, { binary: false }) ?? 0,
  });
  const chat = core;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const ok = state === 'listening';
      const body = JSON.stringify({
        status: ok ? 'ok' : 'shutting-down',
        uptime: Math.round((Date.now() - startedAt) / 1000),
        instance: adapter.instanceId,
        ...chat.stats(),
      });
      res.writeHead(ok ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          log.error({ event: 'metrics-error', err: String(err) }, 'metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics failed\n');
        },
      );
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        `ws02 chat server: a WebSocket (draft-ietf-hybi-thewebsocketprotocol-02) endpoint.\n` +
          `Connect with: ws02-chat ${bound?.url ?? 'ws://HOST:PORT/'}\n` +
          `Health: /healthz   Metrics: /metrics\n`,
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  };

  const http: HttpServer | HttpsServer =
    options.tls !== undefined
      ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
      : createHttpServer(onRequest);

  wss = new WebSocketServer({
    server: http,
    ...(options.allowedOrigins !== undefined ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(heartbeat !== false ? { heartbeat } : {}),
    ...(options.flush !== undefined ? { flush: options.flush } : {}),
    // Beyond 4× the chat's own cap a frame is cut off from its header, before buffering; up to
    // it the chat closes the connection with a reason (MESSAGE_TOO_LARGE).
    maxMessageSize: limits.maxMessageBytes * 4,
    maxFrameSize: limits.maxMessageBytes * 4,
    maxConnections: options.maxConnections ?? SERVER_OPTION_DEFAULTS.maxConnections,
    closeTimeout: options.closeTimeout ?? SERVER_OPTION_DEFAULTS.closeTimeout,
    logger: (event) => logServerEvent(log, event),
  });
  const ws = wss;
  ws.on('connection', (socket) => chat.attach(socket));
  ws.on('error', (err) => log.error({ event: 'server-error', err: err.message }, 'server error'));

  return {
    limits,
    adapter,
    metrics,
    http,
    wss: ws,
    stats: () => chat.stats(),
    address: () => bound,
    start() {
      if (state !== 'idle') return Promise.reject(new Error('the chat server was already started'));
      return new Promise<ChatServerAddress>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          http.off('listening', onListening);
          reject(
            new ChatConfigError(
              'CHAT_LISTEN_FAILED',
              `cannot listen on ${formatHost(host)}:${port}: ${err.code ?? err.message}${hint(err.code)}`,
            ),
          );
        };
        const onListening = () => {
          http.off('error', onError);
          http.on('error', (err) =>
            log.error({ event: 'http-error', err: err.message }, 'http error'),
          );
          state = 'listening';
          const address = http.address() as AddressInfo;
          bound = describeAddress(address, options.tls !== undefined);
          log.info({ event: 'listening', url: bound.url }, 'chat server listening');
          resolve(bound);
        };
        http.once('error', onError);
        http.once('listening', onListening);
        http.listen(port, host);
      });
    },
    stop() {
      if (stopPromise === undefined) {
        stopPromise = (async () => {
          const wasListening = state === 'listening';
          state = 'stopping';
          log.info({ event: 'stopping', ...chat.stats() }, 'shutting down');
          // Stop accepting: no new TCP connections, idle keep-alive HTTP connections closed.
          const httpClosed = wasListening
            ? new Promise<void>((resolve) => http.close(() => resolve()))
            : Promise.resolve();
          http.closeIdleConnections();
          // Every client gets a Close saying why; the server then waits for the closing
          // handshakes (section 7), destroying stragglers after closeTimeout.
          chat.shutdown();
          await ws.close();
          await adapter.close();
          http.closeAllConnections();
          await httpClosed;
          state = 'stopped';
          log.info({ event: 'stopped' }, 'chat server stopped');
        })();
      }
      return stopPromise;
    },
  };
}

function checkLimits(l: ChatLimits): void {
  const positive: (keyof ChatLimits)[] = [
    'maxTextLength',
    'maxMessageBytes',
    'rate',
    'burst',
    'maxNickLength',
    'maxRoomNameLength',
    'maxRooms',
    'maxRoomMembers',
    'maxRoomsPerUser',
  ];
  for (const key of positive) {
    const v = l[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new ChatConfigError('CONFIG_BAD_OPTION', `limits.${key} must be a positive number`);
    }
  }
  for (const key of ['historySize', 'helloTimeout', 'resumeWindow'] as const) {
    const v = l[key];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new ChatConfigError('CONFIG_BAD_OPTION', `limits.${key} must be a number ≥ 0`);
    }
  }
  if (l.burst < 1) throw new ChatConfigError('CONFIG_BAD_OPTION', 'limits.burst must be ≥ 1');
}

function describeAddress(address: AddressInfo, tls: boolean): ChatServerAddress {
  const host = address.address;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : formatHost(host);
  return {
    host,
    port: address.port,
    url: `${tls ? 'wss' : 'ws'}://${shown}:${address.port}/`,
    httpUrl: `${tls ? 'https' : 'http'}://${shown}:${address.port}`,
  };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function hint(code: string | undefined): string {
  if (code === 'EADDRINUSE') return ' (the port is in use: pick another with --port, or --port 0)';
  if (code === 'EACCES') return ' (permission denied: ports below 1024 need privileges)';
  if (code === 'EADDRNOTAVAIL') return ' (no such local address: check --host)';
  return '';
}

function logServerEvent(log: ChatLogger, event: ServerLogEvent): void {
  switch (event.event) {
    case 'refused':
      log.info({ ...event }, 'handshake refused');
      return;
    case 'error':
      log.warn({ ...event }, 'websocket error');
      return;
    default:
      log.debug({ ...event }, `websocket ${event.event}`);
  }
}
