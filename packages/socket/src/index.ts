export {
  type ConnectionCounters,
  countError,
  createConnectionCounters,
} from './connection-counters.js';
export { encodeBroadcast } from './encode-broadcast.js';
export {
  type Flushable,
  type FlushPolicy,
  FlushScheduler,
  flushSchedulerFor,
} from './flush-policy.js';
export { type IterableConnection, iterateMessages } from './message-iterator.js';
export { SocketError, type SocketErrorCode } from './socket-error.js';
export { type OutgoingSource, SocketWriter } from './socket-writer.js';
export {
  DEFAULT_OFFLOAD_MIN_BYTES,
  type DeliveredEvent,
  type OffloadPool,
  type OffloadStats,
  type TextDecodeTask,
  TextOffload,
  type TextOffloadOptions,
  TextOffloadQueue,
} from './text-offload.js';
export {
  type ConnectionPeer,
  type ConnectionSettings,
  type MessageData,
  type SendData,
  type SendOptions,
  WebSocketConnection,
  type WebSocketConnectionEvents,
  type WebSocketConnectionInit,
  type WebSocketMessage,
  watchSocketErrors,
} from './websocket.js';
export { createWebSocketStream, type WebSocketStreamOptions } from './websocket-stream.js';
