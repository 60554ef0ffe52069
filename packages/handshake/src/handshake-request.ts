/** The client's opening handshake as a server reads it (5.2.1), and the server's options. */

/** Everything in the client's head (request line and fields), checked by 5.2.1. */
export interface HandshakeRequestHead {
  /** Always `"GET"` (5.2.1 part 1). */
  readonly method: string;
  /** The Request-URI as sent (5.2.1 part 3): starts with `/`, U+0021–U+007E only. */
  readonly resourceName: string;
  /** The request line's version, e.g. `"HTTP/1.1"` (5.2.1 part 4). */
  readonly httpVersion: string;
  /** The Host field value as sent (after trimming surrounding spaces). */
  readonly host: string;
  /** The host part of Host, ASCII-lowercased; IPv6 literals keep their brackets. */
  readonly hostname: string;
  /** The port written in Host, or `undefined` when Host names none. */
  readonly port: number | undefined;
  /** The Origin field value as sent. Required: a draft-02 client always sends it (5.1 step 14). */
  readonly origin: string;
  /** The Sec-WebSocket-Draft value: `"2"` (anything else is refused). */
  readonly draft: string;
  /**
   * The subprotocols offered in Sec-WebSocket-Protocol, in the client's order (space-separated
   * on the wire, per the project's decision in SPEC-NOTES); empty when the field is absent.
   */
  readonly protocols: readonly string[];
  /** The Sec-WebSocket-Key1 value. */
  readonly key1: string;
  /** The Sec-WebSocket-Key2 value. */
  readonly key2: string;
  /**
   * Every field: lower-case name → values in arrival order (values trimmed of surrounding
   * SP/HTAB, decoded as UTF-8). A null-prototype object: any name is safe as a key.
   */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** The `secure` option of the parser (TLS connection): `wss` in Sec-WebSocket-Location. */
  readonly secure: boolean;
}

/** A complete, valid client handshake: the head plus key_3. Always answerable. */
export interface HandshakeRequest extends HandshakeRequestHead {
  /** The subprotocol the server selected (the `protocols` option), or `undefined` for none. */
  readonly protocol: string | undefined;
  /** The eight bytes after the fields (5.2.1 part 6). */
  readonly key3: Uint8Array;
}

/**
 * Picks the subprotocol to serve from the client's offer (called only when the client offered at
 * least one). Return one of `offered`, or `undefined` to abort with
 * HANDSHAKE_UNSUPPORTED_PROTOCOL (5.2.1: "should abort … if the value does not match one of the
 * subprotocols that the server supports").
 */
export type ProtocolSelector = (
  offered: readonly string[],
  head: HandshakeRequestHead,
) => string | undefined;

/** Options of {@link ServerHandshakeParser} (both the raw-bytes and the parsed-request path). */
export interface ServerHandshakeOptions {
  /** The connection is TLS (`wss`). Default `false`. Copied into `request.secure`. */
  readonly secure?: boolean;
  /** Largest head (request line + fields + blank line), in bytes. Default 16384. */
  readonly maxHeadBytes?: number;
  /** Most fields in the head. Default 100. */
  readonly maxFields?: number;
  /**
   * The subprotocols this server speaks: a list (the first protocol the client offered that is
   * in the list wins) or a {@link ProtocolSelector}. Default: none, so a client that offers any
   * subprotocol is refused (HANDSHAKE_UNSUPPORTED_PROTOCOL).
   */
  readonly protocols?: readonly string[] | ProtocolSelector;
  /** Host check (5.2.1 |Host|: abort when it "does not match the server's host name"). */
  readonly acceptHost?: (host: string, hostname: string, port: number | undefined) => boolean;
  /** Origin check (section 8: a server that serves only some sites refuses the others). */
  readonly acceptOrigin?: (origin: string) => boolean;
}
