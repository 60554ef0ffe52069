import { Ws02Error } from '@ws02/url';

/**
 * Errors of the conformance tool itself (bad options, an unreachable target) — never the
 * verdict on a peer, which is data in the report.
 * - `CONFORMANCE_BAD_URL` (3.1): the target URL is not a ws:// or wss:// URL.
 * - `CONFORMANCE_BAD_OPTION`: an option is out of range (port, timeout, case pattern).
 * - `CONFORMANCE_NO_CASES`: the selection matches no case for the mode.
 * - `CONFORMANCE_UNREACHABLE`: the server under test refuses TCP connections.
 */
export type ConformanceErrorCode =
  | 'CONFORMANCE_BAD_URL'
  | 'CONFORMANCE_BAD_OPTION'
  | 'CONFORMANCE_NO_CASES'
  | 'CONFORMANCE_UNREACHABLE';

export class ConformanceError extends Ws02Error<ConformanceErrorCode> {
  static override readonly kind = 'ConformanceError';
}
