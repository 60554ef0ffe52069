import { type ConformanceCase, caseModes, type Mode } from './case.js';
import { clientHandshakeCases } from './client-handshake.js';
import { closingCases } from './closing.js';
import { fragmentationCases } from './fragmentation.js';
import { framingCases } from './framing.js';
import { autoFragmentationCases, limitCases } from './limits.js';
import { opcodeCases } from './opcodes.js';
import { pingPongCases } from './ping-pong.js';
import { reservedBitCases } from './reserved-bits.js';
import { serverHandshakeCases } from './server-handshake.js';
import { urlClientCases, urlServerCases } from './urls.js';
import { utf8Cases } from './utf8.js';

/** Every case, in report order (by section, then number). */
export const ALL_CASES: readonly ConformanceCase[] = [
  ...framingCases,
  ...pingPongCases,
  ...reservedBitCases,
  ...opcodeCases,
  ...fragmentationCases,
  ...utf8Cases,
  ...closingCases,
  ...limitCases,
  ...autoFragmentationCases,
  ...urlServerCases,
  ...urlClientCases,
  ...serverHandshakeCases,
  ...clientHandshakeCases,
].sort((a, b) => compareIds(a.id, b.id));

/** Numeric comparison of dotted ids: 1.2 < 1.10 < 2.1. */
export function compareIds(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** `1.*` matches 1.1.1 and 1.3; `15.2.4` matches itself; `*` matches everything. */
export function idMatches(id: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .trim()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  return re.test(id);
}

export interface CaseSelection {
  /** Patterns to include (default all). */
  readonly include?: readonly string[];
  /** Patterns to leave out. */
  readonly exclude?: readonly string[];
  /** Leave out the slow cases. */
  readonly quick?: boolean;
}

/** The cases that run in `mode` under a selection, in order. */
export function selectCases(mode: Mode, selection: CaseSelection = {}): ConformanceCase[] {
  const include = selection.include?.filter((p) => p.trim() !== '') ?? [];
  const exclude = selection.exclude?.filter((p) => p.trim() !== '') ?? [];
  return ALL_CASES.filter(
    (c) =>
      caseModes(c).includes(mode) &&
      (include.length === 0 || include.some((p) => idMatches(c.id, p))) &&
      !exclude.some((p) => idMatches(c.id, p)) &&
      !(selection.quick && c.slow),
  );
}
