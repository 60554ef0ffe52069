export type { Allocator } from '@ws02/protocol';
export type { FrameExtension } from './extension.js';
export type { Frame, FrameHeader, FrameInit } from './frame.js';
export {
  type ConnectionState,
  FrameConnection,
  type FrameConnectionOptions,
} from './frame-connection.js';
export { FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
export {
  encodeBinary,
  encodeClose,
  encodeFrame,
  encodeFrameChunks,
  encodeFrameHeader,
  encodePing,
  encodePong,
  encodeText,
  fragmentMessage,
  frameHeaderSize,
  GATHER_THRESHOLD,
} from './frame-encoder.js';
export { FrameError, type FrameErrorCode } from './frame-error.js';
export {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type FrameLimits,
} from './limits.js';
export {
  type ConnectionCloseEvent,
  type ConnectionErrorEvent,
  type ConnectionEvent,
  type ConnectionFragmentEvent,
  type ConnectionFrameEvent,
  type ConnectionMessageEvent,
  type ConnectionPingEvent,
  type ConnectionPongEvent,
  MessageAssembler,
  type MessageAssemblerOptions,
} from './message-assembler.js';
export { isControlOpcode, isDataOpcode, isReservedOpcode, Opcode, Rsv } from './opcode.js';
export { decodeText, type TextPolicy, TextStreamDecoder } from './text-policy.js';
