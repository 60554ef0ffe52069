export type {
  AdapterControl,
  ChannelListener,
  ChatAdapter,
  HistoryPage,
  RoomSummary,
  WireEvent,
} from './chat-adapter.js';
export {
  type Broadcaster,
  ChatCore,
  type ChatCoreOptions,
  type ChatMetricsSink,
  type ChatStats,
  type LeaveReason,
  sessionIdOf,
} from './chat-core.js';
export { ChatConfigError, type ChatConfigErrorCode } from './chat-error.js';
export { ChatMetrics } from './chat-metrics.js';
export {
  CHAT_DEFAULTS,
  type ChatLimits,
  type ChatLogger,
  type ChatServerOptions,
  SERVER_OPTION_DEFAULTS,
} from './chat-options.js';
export {
  CLOSE_REASONS,
  type ClientCommand,
  type CloseReason,
  COMMAND_TYPES,
  type CommandType,
  ERROR_CODES,
  type ErrorCode,
  parseCommand,
} from './chat-protocol.js';
export { type ChatServer, type ChatServerAddress, createChatServer } from './chat-server.js';
export { ClusterAdapter, type ClusterAdapterOptions } from './cluster-adapter.js';
export type { IpcPort } from './cluster-ipc.js';
export { ClusterRouter, type ClusterRouterOptions } from './cluster-router.js';
export { HISTORY_STORE_DEFAULTS, HistoryStore, type HistoryStoreOptions } from './history-store.js';
export {
  MEMORY_ADAPTER_DEFAULTS,
  MemoryAdapter,
  type MemoryAdapterOptions,
} from './memory-adapter.js';
export { compareIds, isMessageId, MessageIdGenerator, newInstanceId } from './message-id.js';
export { canonicalRoom, nickKey, validNick } from './names.js';
export {
  HELD,
  type NickClaim,
  Presence,
  type PresenceDelta,
  type PresenceSnapshot,
} from './presence.js';
export {
  REDIS_ADAPTER_DEFAULTS,
  RedisAdapter,
  type RedisAdapterOptions,
} from './redis-adapter.js';
export { TokenBucket } from './token-bucket.js';
