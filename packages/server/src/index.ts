export {
  createWebSocketStream,
  encodeBroadcast,
  type MessageData,
  type SendData,
  type SendOptions,
  SocketError,
  type SocketErrorCode,
  WebSocketConnection as WebSocket,
  type WebSocketConnectionEvents,
  type WebSocketMessage,
  type WebSocketStreamOptions,
} from '@ws02/socket';
export { ServerError, type ServerErrorCode } from './server-error.js';
export type { ServerCounters, ServerLogEvent } from './server-log.js';
export {
  type HeartbeatOptions,
  SERVER_DEFAULTS,
  type UpgradeRequest,
  type VerifyClientInfo,
  type VerifyClientResult,
  type WebSocketServerOptions,
} from './server-options.js';
export { WebSocketServer, type WebSocketServerEvents } from './websocket-server.js';
