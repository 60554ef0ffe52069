export { ByteAccumulator } from './byte-accumulator.js';
export { type Allocator, allocBytes, EMPTY_BYTES, POOL_CARVE_LIMIT } from './byte-pool.js';
export { CloseCode, isSendableCloseCode } from './close-codes.js';
export {
  type AcceptOptions,
  CLOSED,
  CLOSING,
  type ClientConnection,
  CONNECTING,
  type Connection,
  type ConnectionHandler,
  type ConnectionState,
  type HeaderFields,
  type MessageEncoder,
  OPEN,
  type OpeningRequest,
  type OpeningResponse,
  type Role,
  type ServerConnection,
  type WireProtocol,
} from './connection.js';
export { type ConnectionEvent, EventCollector } from './event-collector.js';
export { OutgoingBlocks } from './outgoing-blocks.js';
