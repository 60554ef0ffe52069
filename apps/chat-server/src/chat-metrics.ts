import type { WebSocketServer } from '@ws02/server';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ChatMetricsSink, ChatStats } from './chat-core.js';
import { CLOSE_REASONS, COMMAND_TYPES, ERROR_CODES } from './chat-protocol.js';

/**
 * The chat's Prometheus metrics on a registry of its own (several servers in one process do
 * not collide). Label values come from closed lists (command types, error codes, close
 * reasons), so the series count is bounded whatever clients send. README "Metrics" lists them.
 */
export class ChatMetrics implements ChatMetricsSink {
  readonly registry = new Registry();
  readonly #commands: Counter<'type'>;
  readonly #errors: Counter<'code'>;
  readonly #messages: Counter<'kind'>;
  readonly #deliveries: Counter;
  readonly #disconnects: Counter<'reason'>;

  constructor(
    stats: () => ChatStats,
    wss: () => WebSocketServer | undefined,
    options: { processMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    this.#commands = new Counter({
      name: 'chat_commands_total',
      help: 'Commands received, by type',
      labelNames: ['type'],
      registers,
    });
    this.#errors = new Counter({
      name: 'chat_errors_total',
      help: 'Error replies sent, by code',
      labelNames: ['code'],
      registers,
    });
    this.#messages = new Counter({
      name: 'chat_messages_total',
      help: 'Messages posted: kind="room" (to a room) or kind="dm" (direct)',
      labelNames: ['kind'],
      registers,
    });
    this.#deliveries = new Counter({
      name: 'chat_deliveries_total',
      help: 'Room and direct-message events written to client sockets by fan-out',
      registers,
    });
    this.#disconnects = new Counter({
      name: 'chat_server_closes_total',
      help: 'Connections closed by the server, by reason',
      labelNames: ['reason'],
      registers,
    });
    // Zero-initialise the labelled series so dashboards see them before the first event.
    for (const type of COMMAND_TYPES) this.#commands.inc({ type }, 0);
    for (const code of Object.keys(ERROR_CODES)) this.#errors.inc({ code }, 0);
    for (const kind of ['room', 'dm']) this.#messages.inc({ kind }, 0);
    for (const reason of Object.keys(CLOSE_REASONS)) this.#disconnects.inc({ reason }, 0);

    const gauge = (name: string, help: string, read: (s: ChatStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(stats()));
        },
      });
    gauge('chat_connections', 'Open WebSocket connections', (s) => s.connections);
    gauge('chat_users', 'Users online (sessions with a connection)', (s) => s.users);
    gauge(
      'chat_sessions_held',
      'Sessions held for resume after a dropped connection',
      (s) => s.held,
    );
    gauge('chat_rooms', 'Rooms with members', (s) => s.rooms);

    // The WebSocket server's own always-on counters, read at scrape time.
    const counter = (
      name: string,
      help: string,
      read: (c: WebSocketServer['counters']) => number,
    ) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const server = wss();
          if (server === undefined) return;
          this.reset();
          this.inc(read(server.counters));
        },
      });
    counter(
      'ws_connections_opened_total',
      'WebSocket connections opened',
      (c) => c.connectionsOpened,
    );
    counter(
      'ws_connections_closed_total',
      'WebSocket connections closed',
      (c) => c.connectionsClosed,
    );
    counter(
      'ws_handshakes_refused_total',
      'Opening handshakes refused',
      (c) => c.handshakesRefused,
    );
    counter('ws_messages_received_total', 'WebSocket messages received', (c) => c.messagesIn);
    counter('ws_messages_sent_total', 'WebSocket messages sent', (c) => c.messagesOut);
    counter('ws_bytes_received_total', 'Bytes received on WebSocket connections', (c) => c.bytesIn);
    counter(
      'ws_bytes_sent_total',
      'Bytes sent on closed WebSocket connections (counted at close)',
      (c) => c.bytesOut,
    );
    new Counter({
      name: 'ws_errors_total',
      help: 'WebSocket and handshake errors, by stable code (@ws02 error codes)',
      labelNames: ['code'],
      registers,
      collect() {
        const server = wss();
        if (server === undefined) return;
        this.reset();
        for (const [code, n] of Object.entries(server.counters.errors)) this.inc({ code }, n);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  command(type: string): void {
    this.#commands.inc({ type });
  }
  error(code: string): void {
    this.#errors.inc({ code });
  }
  posted(kind: 'room' | 'dm'): void {
    this.#messages.inc({ kind });
  }
  delivered(count: number): void {
    if (count > 0) this.#deliveries.inc(count);
  }
  disconnect(reason: string): void {
    this.#disconnects.inc({ reason });
  }
}
