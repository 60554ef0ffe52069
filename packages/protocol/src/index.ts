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
export {
  DEFAULT_MAX_FIELDS,
  DEFAULT_MAX_HEAD_BYTES,
  type HttpHead,
  HttpHeadError,
  type HttpHeadErrorCode,
  type HttpHeadLimits,
  HttpHeadReader,
  type HttpHeadResult,
  type HttpRequestHead,
  type HttpResponseHead,
  isHttpFieldValue,
  isHttpToken,
  type ParsedHttpRequest,
  requestHeadFromParsed,
  requestHeadReader,
  responseHeadReader,
} from './http-head.js';
export { OutgoingBlocks } from './outgoing-blocks.js';
export { isValidUtf8, Utf8Validator } from './utf8-validator.js';
