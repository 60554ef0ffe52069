export { constructWebSocketUrl } from './construct-websocket-url.js';
export {
  describeWebSocketUrl,
  formatWebSocketUrlReport,
  type WebSocketUrlReport,
} from './describe-websocket-url.js';
export { parseWebSocketUrl } from './parse-websocket-url.js';
export { serializeOrigin } from './serialize-origin.js';
export {
  validateWebSocketUrl,
  type WebSocketUrlValidationInput,
} from './validate-websocket-url.js';
export { defaultPort, type WebSocketUrl } from './websocket-url.js';
export { WebSocketUrlError, type WebSocketUrlErrorCode } from './websocket-url-error.js';
export { isWs02Error, Ws02Error, type Ws02ErrorOptions } from './ws02-error.js';
