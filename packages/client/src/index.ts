export type { HandshakeCookie, HandshakeError, HandshakeErrorCode } from '@ws02/handshake';
export type { SendData, SendOptions } from '@ws02/socket';
export { WebSocketUrlError } from '@ws02/url';
export { ClientError, type ClientErrorCode } from './client-error.js';
export { type ConnectOptions, connect } from './connect.js';
export {
  ConnectQueue,
  type ConnectQueueEvents,
  type ConnectQueueOptions,
  type ConnectTarget,
  defaultConnectQueue,
} from './connect-queue.js';
export { cookieUrl } from './cookies.js';
export {
  type EventListenerLike,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketEvent,
  WebSocketMessageEvent,
} from './events.js';
export type { BinaryType, TapFunction, TlsPassThrough, WebSocketOptions } from './options.js';
export { noProxyMatches, proxyFromEnvironment } from './proxy-config.js';
export {
  backoffDelay,
  RECONNECT_DEFAULTS,
  type ReconnectOptions,
} from './reconnect.js';
export type { LookupFunction } from './transport.js';
export {
  type ClientMessageData,
  type ReconnectingInfo,
  WebSocket,
  type WebSocketEvents,
} from './websocket.js';
