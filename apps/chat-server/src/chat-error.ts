import { Ws02Error } from '@ws02/url';

/**
 * Why the chat server refuses to start (README "Configuration errors"). Each is reported as one
 * clear line by `ws02-chat-server`, which then exits with status 2 (1 for `CHAT_LISTEN_FAILED`).
 */
export type ChatConfigErrorCode =
  // a flag or environment variable that must be an integer is not one, or is out of range
  | 'CONFIG_BAD_NUMBER'
  // --host / CHAT_HOST is empty or contains spaces
  | 'CONFIG_BAD_HOST'
  // an entry of --allowed-origins / CHAT_ALLOWED_ORIGINS is not an origin serialization
  | 'CONFIG_BAD_ORIGIN'
  // --log-level / LOG_LEVEL is not a pino level
  | 'CONFIG_BAD_LOG_LEVEL'
  // only one of --tls-key / --tls-cert was given
  | 'CONFIG_TLS_INCOMPLETE'
  // the TLS key or certificate file cannot be read, or the pair is not usable
  | 'CONFIG_TLS_UNREADABLE'
  // an option of createChatServer() is inconsistent (e.g. burst < 1)
  | 'CONFIG_BAD_OPTION'
  // --adapter / CHAT_ADAPTER is unknown, or does not fit --workers / --redis-url
  | 'CONFIG_BAD_ADAPTER'
  // --redis-url / CHAT_REDIS_URL is not a redis:// or rediss:// URL
  | 'CONFIG_BAD_REDIS_URL'
  // --instance-id / CHAT_INSTANCE_ID is not 1-24 characters of [0-9a-z]
  | 'CONFIG_BAD_INSTANCE_ID'
  // the Redis server could not be reached at start (within the connect deadline)
  | 'CHAT_REDIS_UNAVAILABLE'
  // the HTTP server could not listen (address in use, permission denied, ...)
  | 'CHAT_LISTEN_FAILED';

/**
 * A configuration or start-up error of the chat server. The draft has nothing to say about
 * application configuration, so `section` is `'app'` except for the Origin allowlist (8).
 * `reason` (from the base) is the message without the `[CODE; section]` suffix, for a user.
 */
export class ChatConfigError extends Ws02Error<ChatConfigErrorCode> {
  static override readonly kind = 'ChatConfigError';

  constructor(code: ChatConfigErrorCode, reason: string, section = 'app') {
    super(code, section, reason);
  }
}
