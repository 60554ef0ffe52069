import type { WebSocketUrl } from './websocket-url.js';
import { defaultPort } from './websocket-url.js';

/**
 * Constructs a WebSocket URL from its components (draft-02 section 3.2, steps 1–6): the port is
 * written only when it is not the scheme's default. This is also the string a server sends in
 * Sec-WebSocket-Location (5.2.2) and the one a client compares it with (5.1).
 */
export function constructWebSocketUrl(parts: WebSocketUrl): string {
  // Step 1.
  let url = parts.secure ? 'wss://' : 'ws://';
  // Step 2.
  url += parts.host;
  // Steps 3–4.
  if (parts.port !== defaultPort(parts.secure)) url += `:${parts.port}`;
  // Step 5.
  url += parts.resourceName;
  // Step 6.
  return url;
}
