import { encodeBase64, isBase64Of16Bytes } from './base64.js';
import type { RandomPool } from './random.js';
import { type Sha1, sha1 } from './sha1.js';

/** The GUID of RFC 6455 section 1.3 and 4.2.2 step 5.4, appended to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (4.2.2 step 5.4): the base64 of the SHA-1 of
 * the key (as sent, trimmed) followed by the GUID. RFC 6455 1.3's example:
 * `dGhlIHNhbXBsZSBub25jZQ==` → `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
 */
export function createAcceptValue(key: string, hash: Sha1 = sha1): string {
  const text = key + WEBSOCKET_GUID;
  // The key is base64 and the GUID ASCII: one byte per character.
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return encodeBase64(hash(bytes));
}

/** True when `key` is a valid `Sec-WebSocket-Key`: base64 of exactly 16 bytes (4.2.1 step 5). */
export function isValidKey(key: string): boolean {
  return isBase64Of16Bytes(key);
}

/** A fresh `Sec-WebSocket-Key` (4.1 step 7): base64 of 16 random bytes. */
export function generateKey(random: RandomPool): string {
  const nonce = new Uint8Array(16);
  random.fill(nonce, 0, 16);
  return encodeBase64(nonce);
}
