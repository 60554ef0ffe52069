import type { Allocator, HttpHeadLimits, OpeningRequest } from '@ws02/protocol';
import type { WebSocketUrl } from '@ws02/url';
import type { FrameLimits } from './limits.js';
import type { RandomSource } from './random.js';
import type { Sha1 } from './sha1.js';

/** Options of both roles: the same style and names as draft-02's connections. */
export interface Rfc6455ConnectionOptions extends FrameLimits, HttpHeadLimits {
  /**
   * Deliver fragmented messages frame by frame (`onFragment`) instead of joining them; whole
   * messages in one frame are still `onMessage`. Default false.
   */
  readonly streaming?: boolean;
  /** Queue a Pong for every Ping received before the peer's Close (5.5.2). Default true. */
  readonly autoPong?: boolean;
  /**
   * Allocator for buffers over 4 KiB written entirely before anyone sees them (payloads joined
   * from several pieces, masked copies). Default `new Uint8Array(size)`; a Node shell may pass
   * `Buffer.allocUnsafe`. Must return exactly `size` bytes.
   */
  readonly allocate?: Allocator;
  /** SHA-1 for `Sec-WebSocket-Accept` (4.2.2). Default: the pure TypeScript `sha1`. */
  readonly sha1?: Sha1;
}

/**
 * Picks the subprotocol to serve from the client's offer (4.2.2 step 5.5; called only when the
 * client offered at least one): one of `offered`, or undefined for none (the answer then has no
 * Sec-WebSocket-Protocol, and the client decides).
 */
export type ProtocolSelector = (
  offered: readonly string[],
  request: OpeningRequest,
) => string | undefined;

export interface Rfc6455ServerOptions extends Rfc6455ConnectionOptions {
  /** The connection came over TLS (`request.secure`; the core cannot know). Default false. */
  readonly secure?: boolean;
  /**
   * The subprotocols this server speaks: a list (the first protocol in the client's order that
   * is in the list wins) or a {@link ProtocolSelector}. Default none.
   */
  readonly protocols?: readonly string[] | ProtocolSelector;
}

export interface Rfc6455ClientOptions extends Rfc6455ConnectionOptions {
  /** The WebSocket URL (section 3): a string, or its parsed components. */
  readonly url: string | WebSocketUrl;
  /** The Origin field (4.1 step 8: sent by browser clients), e.g. `https://example.com`. */
  readonly origin?: string;
  /** Subprotocols to offer, in order of preference: distinct tokens (4.1 step 10). */
  readonly protocols?: readonly string[];
  /** Further request fields (Cookie, Authorization…); never one the handshake writes itself. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Random source for the key (4.1 step 7) and the masking keys (5.3). Default: Web Crypto,
   * drawn through one process-wide 4 KiB pool; an injected source gets a pool per connection.
   */
  readonly random?: RandomSource;
}
