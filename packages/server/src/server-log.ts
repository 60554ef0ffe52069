import { type ConnectionCounters, createConnectionCounters } from '@ws02/socket';

/**
 * Structured events for an application's logger (pino, console, …). Nothing is logged by default;
 * payloads, cookies and keys are never included.
 */
export type ServerLogEvent =
  | { readonly event: 'listening'; readonly address: string }
  | {
      readonly event: 'refused';
      readonly code: string;
      readonly status: number;
      readonly remoteAddress: string | undefined;
    }
  | {
      readonly event: 'connection';
      readonly remoteAddress: string | undefined;
      readonly resourceName: string;
      readonly protocol: string;
    }
  | {
      readonly event: 'close';
      readonly remoteAddress: string | undefined;
      readonly wasClean: boolean;
      readonly code?: string;
    }
  | {
      readonly event: 'error';
      readonly code: string;
      readonly message: string;
      readonly remoteAddress: string | undefined;
    };

/** Counters kept by every server, cheap enough to be always on (apps export them as metrics). */
export interface ServerCounters extends ConnectionCounters {
  connectionsOpened: number;
  handshakesRefused: number;
}

export function createServerCounters(): ServerCounters {
  return { ...createConnectionCounters(), connectionsOpened: 0, handshakesRefused: 0 };
}
