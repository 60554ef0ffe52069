export type {
  CaseOutcome,
  ClientHandshakeCase,
  ClientHandshakeContext,
  ConformanceCase,
  FrameCase,
  FrameCaseContext,
  Mode,
  ServerHandshakeCase,
  ServerHandshakeContext,
  ServerTarget,
} from './cases/case.js';
export { caseModes, SECTIONS, sectionOf } from './cases/case.js';
export {
  ALL_CASES,
  type CaseSelection,
  compareIds,
  idMatches,
  selectCases,
} from './cases/registry.js';
export { ConformanceError, type ConformanceErrorCode } from './conformance-error.js';
export { createProgram, EXIT } from './program.js';
export { renderHtml } from './report/html-report.js';
export {
  buildReport,
  type CaseResult,
  type SuiteReport,
  summaryLine,
  TOOL_VERSION,
} from './report/suite-report.js';
export { slug, writeReport } from './report/write-report.js';
export {
  type RobustnessOptions,
  type RobustnessReport,
  runRobustness,
  SCENARIOS,
} from './robustness/robustness-run.js';
export type { ScenarioResult } from './robustness/scenario.js';
export {
  type DriveOptions,
  driveClient,
  echoSession,
  type WebSocketFactory,
  type WebSocketLike,
} from './runner/client-driver.js';
export { FuzzingServer, type FuzzingServerOptions } from './runner/fuzzing-server.js';
export { runServerSuite, type ServerRunOptions, serverTarget } from './runner/server-runner.js';
export { isPassed, VERDICTS, type Verdict } from './verdict.js';
