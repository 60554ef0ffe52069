import type { CaseOutcome, ConformanceCase } from '../cases/case.js';
import type { WireLog } from '../peer/wire-log.js';
import { type CaseResult, sectionInfo } from '../report/suite-report.js';

/** Hard ceiling on any one case, so a run always ends. */
export const CASE_DEADLINE_MS = 180_000;

/** Runs `body` under the deadline, turning a crash of the suite into a FAILED with the reason. */
export async function guarded(
  body: () => Promise<CaseOutcome>,
  deadline = CASE_DEADLINE_MS,
): Promise<CaseOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      body(),
      new Promise<CaseOutcome>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({ verdict: 'FAILED', reason: `the case did not finish within ${deadline} ms` }),
          deadline,
        );
      }),
    ]);
  } catch (error) {
    return { verdict: 'FAILED', reason: `the case could not run: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The report entry of a finished case. */
export function caseResult(
  c: ConformanceCase,
  outcome: CaseOutcome,
  started: number,
  notes: string[],
  log: WireLog,
): CaseResult {
  return {
    id: c.id,
    ...sectionInfo(c.id),
    title: c.title,
    draft: c.draft,
    expectation: c.expectation,
    verdict: outcome.verdict,
    reason: outcome.reason,
    durationMs: Math.round(performance.now() - started),
    notes,
    wire: log.snapshot(),
  };
}
