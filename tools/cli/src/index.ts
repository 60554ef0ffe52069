export { type ConnectCommandOptions, runConnect, UsageError } from './connect-command.js';
export { EXIT } from './exit-codes.js';
export {
  FrameHeaderScanner,
  formatFrameHeader,
  opcodeName,
  type TracedFrameHeader,
} from './frame-trace.js';
export { formatHex, parseHex } from './hex.js';
export { loadHistory, saveHistory } from './history.js';
export { type ListenCommandOptions, runListen } from './listen-command.js';
export { createOutput, type Output, type OutputOptions } from './output.js';
export { createProgram } from './program.js';
export { runUrl, type UrlCommandOptions } from './url-command.js';
