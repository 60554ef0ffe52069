export {
  computeHandshakeResponse,
  createChallenge,
  MAX_KEY_NUMBER,
  type ParsedKey,
  parseHandshakeKey,
} from './challenge.js';
export {
  type ClientHandshake,
  type ClientHandshakeAttemptOptions,
  type ClientHandshakeOptions,
  ClientHandshakeTemplate,
  type ClientHandshakeTemplateOptions,
  createClientHandshake,
  prepareClientHandshake,
} from './client-handshake.js';
export {
  ClientHandshakeParser,
  type ClientHandshakeParserOptions,
  type ClientHandshakeResult,
  type HandshakeCookie,
  type HandshakeField,
} from './client-handshake-parser.js';
export { type ClientKeys, generateClientKeys } from './client-keys.js';
export {
  HandshakeError,
  type HandshakeErrorCode,
  type HandshakeErrorOptions,
} from './handshake-error.js';
export type {
  HandshakeRequest,
  HandshakeRequestHead,
  ProtocolSelector,
  ServerHandshakeOptions,
} from './handshake-request.js';
export { type Md5, md5 } from './md5.js';
export { defaultRandom, type RandomSource } from './random.js';
export { createRefusalResponse } from './refusal-response.js';
export { DEFAULT_MAX_FIELDS, DEFAULT_MAX_HEAD_BYTES } from './request-validator.js';
export {
  type ParsedHttpRequest,
  ServerHandshakeParser,
  type ServerHandshakePhase,
  type ServerHandshakeResult,
} from './server-handshake-parser.js';
export { createServerResponse, type ServerResponseOptions } from './server-response.js';
