export { BenchError, type BenchErrorCode } from './bench-error.js';
export {
  type BenchServer,
  type BenchServerOptions,
  HOST,
  type ServerMode,
  startBenchServer,
} from './bench-servers.js';
export { CONTENDER_COLORS, renderBarChart, renderCharts } from './charts.js';
export {
  type CpuProfile,
  formatProfileSummary,
  type ProfileEntry,
  type ProfileSummary,
  readCpuProfile,
  type SummariseOptions,
  summariseCpuProfile,
} from './cpu-profile.js';
export { formatCount, formatRatio, formatValue } from './format.js';
export {
  diffHeapSnapshots,
  formatHeapDiff,
  groupHeapSnapshot,
  type HeapDiffEntry,
  type HeapGroup,
  readHeapDiff,
} from './heap-snapshot.js';
export { formatJson } from './json-format.js';
export {
  type ConnectLoadClient,
  clientFor,
  type LoadClient,
  type LoadClientEvents,
} from './load-clients.js';
export {
  ALL_CONTENDERS,
  type BenchOptions,
  DEFAULT_CONTENDERS,
  measure,
  type ProgressEvent,
  runBench,
  selectScenarios,
  summariseScenario,
} from './orchestrator.js';
export { lengthPrefixed, RawMessenger } from './raw-messenger.js';
export {
  MARKDOWN_END,
  MARKDOWN_START,
  renderMarkdown,
  replaceMarkdownSection,
} from './report-markdown.js';
export { buildReportTable, type ReportTable, renderTable, shouldColor } from './report-table.js';
export {
  buildScenarios,
  ECHO_CONNECTIONS,
  ECHO_PAYLOADS,
  echoWindow,
  FULL_SCALE,
  formatSize,
  QUICK_SCALE,
  type ScenarioScale,
} from './scenarios.js';
export { median, quantileSorted } from './stats.js';
export type * from './types.js';
