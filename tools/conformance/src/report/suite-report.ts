import { type Mode, SECTIONS, sectionOf } from '../cases/case.js';
import type { WireLogEntry } from '../peer/wire-log.js';
import { isPassed, VERDICTS, type Verdict } from '../verdict.js';

/** One case's result, as the JSON report carries it. */
export interface CaseResult {
  readonly id: string;
  /** Top-level section number (`"1"`, `"15"`…). */
  readonly section: string;
  readonly sectionTitle: string;
  readonly title: string;
  /** Draft-02 section (and step) the case checks. */
  readonly draft: string;
  readonly expectation: string;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly durationMs: number;
  /** What the suite observed, in order. */
  readonly notes: readonly string[];
  /** What went over the wire (bounded). */
  readonly wire: readonly WireLogEntry[];
}

/** A whole run: the JSON report. */
export interface SuiteReport {
  readonly tool: 'ws02-conformance';
  readonly version: string;
  /** `server`: a server was tested (the suite was the client); `client`: the reverse. */
  readonly mode: Mode;
  /** Name of the implementation under test. */
  readonly agent: string;
  /** URL of the server under test, or the fuzzing server's address. */
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly quick: boolean;
  readonly counts: Readonly<Record<Verdict, number>>;
  readonly passed: number;
  readonly failed: number;
  /** Exactly `N passed, M failed`. */
  readonly summary: string;
  readonly cases: readonly CaseResult[];
}

export const TOOL_VERSION = '0.1.0';

/** The summary line: a case passes unless its verdict is FAILED. */
export function summaryLine(results: readonly Pick<CaseResult, 'verdict'>[]): string {
  const passed = results.filter((r) => isPassed(r.verdict)).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

export function buildReport(
  fields: Pick<SuiteReport, 'mode' | 'agent' | 'target' | 'startedAt' | 'durationMs' | 'quick'>,
  cases: readonly CaseResult[],
): SuiteReport {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const c of cases) counts[c.verdict]++;
  const passed = cases.filter((c) => isPassed(c.verdict)).length;
  return {
    tool: 'ws02-conformance',
    version: TOOL_VERSION,
    ...fields,
    counts,
    passed,
    failed: cases.length - passed,
    summary: summaryLine(cases),
    cases,
  };
}

/** Section metadata for a case id. */
export function sectionInfo(id: string): { section: string; sectionTitle: string } {
  const section = sectionOf(id);
  return { section, sectionTitle: SECTIONS[section]?.title ?? `Section ${section}` };
}
