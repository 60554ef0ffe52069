/**
 * Verdicts, in Autobahn|Testsuite's vocabulary:
 * - `OK`: the peer did what the draft says.
 * - `NON-STRICT`: a tolerable deviation (the draft is silent or says "should"); the reason says why.
 * - `INFORMATIONAL`: the draft leaves the behaviour to the implementation; the reason records it.
 * - `UNIMPLEMENTED`: an optional feature the peer does not implement.
 * - `FAILED`: the peer broke a rule of the draft.
 *
 * A case *passes* unless its verdict is `FAILED`: the summary line `N passed, M failed` counts
 * every other verdict as passed.
 */
export const VERDICTS = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'] as const;

export type Verdict = (typeof VERDICTS)[number];

/** True for the verdicts that count as passed in the summary (everything but FAILED). */
export function isPassed(verdict: Verdict): boolean {
  return verdict !== 'FAILED';
}
