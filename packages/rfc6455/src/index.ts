export { createAcceptValue, isValidKey, WEBSOCKET_GUID } from './accept-key.js';
export { encodeBase64 } from './base64.js';
export { Rfc6455ClientConnection } from './client-connection.js';
export { MAX_CLOSE_REASON } from './close-body.js';
export { encodeFrame, type FrameInit, rfc6455Encoder } from './encoder.js';
export {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type FrameLimits,
} from './limits.js';
export { applyMask } from './mask.js';
export {
  FIN,
  isControlOpcode,
  isReservedOpcode,
  MASK,
  MAX_CONTROL_PAYLOAD,
  Opcode,
} from './opcode.js';
export { checkOpeningRequest, VERSION } from './opening-request.js';
export type {
  ProtocolSelector,
  Rfc6455ClientOptions,
  Rfc6455ConnectionOptions,
  Rfc6455ServerOptions,
} from './options.js';
export { defaultRandom, type RandomSource } from './random.js';
export { Rfc6455Connection } from './rfc6455-connection.js';
export { Rfc6455Error, type Rfc6455ErrorCode, type Rfc6455ErrorOptions } from './rfc6455-error.js';
export { Rfc6455ServerConnection } from './server-connection.js';
export { type Sha1, sha1 } from './sha1.js';
