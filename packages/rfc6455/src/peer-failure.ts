import type { ErrorDetail } from '@ws02/errors';
import { Rfc6455Error, type Rfc6455ErrorCode } from './rfc6455-error.js';

/**
 * The errors the connection raised itself about received data. Anything else thrown while it
 * reads came from a handler (which must not throw): a `SEND_AFTER_CLOSE` a handler let escape is
 * the handler's bug, not the peer's, and must not fail the connection as if the peer broke a
 * rule.
 */
const failures = new WeakSet<Rfc6455Error>();

/** A received-data violation: fails the connection with `closeCode` (7.1.7, 7.4.1). */
export function peerFailure(
  code: Rfc6455ErrorCode,
  section: string,
  message: string,
  closeCode: number | undefined,
  detail?: ErrorDetail,
  cause?: unknown,
): Rfc6455Error {
  const error = new Rfc6455Error(code, section, message, {
    ...(closeCode === undefined ? {} : { closeCode }),
    ...(detail === undefined ? {} : { detail }),
    ...(cause === undefined ? {} : { cause }),
  });
  failures.add(error);
  return error;
}

/** True for an error {@link peerFailure} made. */
export function isPeerFailure(error: unknown): error is Rfc6455Error {
  return error instanceof Rfc6455Error && failures.has(error);
}
