/** Stable codes of the benchmark tool's own failures (never a protocol error). */
export type BenchErrorCode =
  /** dist/worker.js is missing: build the tool (`npx tsup`). */
  | 'BENCH_WORKER_MISSING'
  /** A server or load-generator process exited before answering. */
  | 'BENCH_WORKER_EXITED'
  /** A server or load-generator process did not answer in time. */
  | 'BENCH_WORKER_TIMEOUT'
  /** The load generator reported a failure (connection error, deadline passed). */
  | 'BENCH_LOAD_FAILED'
  /** The run's time budget (`--budget`) was spent before every measurement was made. */
  | 'BENCH_BUDGET_EXCEEDED'
  /** Bad command-line options or input file. */
  | 'BENCH_USAGE';

/**
 * An error of the benchmark tool, with a stable `code`. (Not a `Ws02Error`: the tool breaks no
 * draft-02 rule, and @ws02/url, which exports that base, is not among its dependencies.)
 */
export class BenchError extends Error {
  readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string) {
    super(`${message} [${code}]`);
    this.code = code;
    this.name = 'BenchError';
  }
}
