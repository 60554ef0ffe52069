/**
 * Counters a connection updates as it runs; an owner (server, client) passes one shared object
 * to many connections. Cheap enough to be always on; apps export them as metrics.
 */
export interface ConnectionCounters {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  connectionsClosed: number;
  /** Errors by stable code (frame, handshake, socket, server codes). */
  errors: Record<string, number>;
}

export function createConnectionCounters(): ConnectionCounters {
  return {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    connectionsClosed: 0,
    errors: {},
  };
}

export function countError(counters: ConnectionCounters, code: string): void {
  counters.errors[code] = (counters.errors[code] ?? 0) + 1;
}
