export {
  createWebSocketStream,
  DEFAULT_OFFLOAD_MIN_BYTES,
  encodeBroadcast,
  type FlushPolicy,
  type MessageData,
  type OffloadPool,
  type OffloadStats,
  type SendData,
  type SendOptions,
  SocketError,
  type SocketErrorCode,
  type TextDecodeTask,
  WebSocketConnection as WebSocket,
  type WebSocketConnectionEvents,
  type WebSocketMessage,
  type WebSocketStreamOptions,
} from '@ws02/socket';
export {
  type CalibrateOffloadOptions,
  calibrateOffload,
  type OffloadCalibration,
  type OffloadSample,
} from './calibrate-offload.js';
export { DEFAULT_HANDSHAKE_MIN_BATCH, type HandshakeBatchStats } from './handshake-batcher.js';
export type { Md5BatchTask, NoopTask, OffloadTask } from './offload-worker.js';
export { offloadWorkerUrl } from './offload-worker-url.js';
export { ServerError, type ServerErrorCode } from './server-error.js';
export type { ServerCounters, ServerLogEvent } from './server-log.js';
export {
  type HandshakeOffloadOptions,
  type HeartbeatOptions,
  type OffloadOptions,
  SERVER_DEFAULTS,
  type UpgradeRequest,
  type VerifyClientInfo,
  type VerifyClientResult,
  type WebSocketServerOptions,
} from './server-options.js';
export {
  type ServerOffloadStats,
  WebSocketServer,
  type WebSocketServerEvents,
} from './websocket-server.js';
