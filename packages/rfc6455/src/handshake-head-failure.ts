import type { HttpHeadError } from '@ws02/protocol';
import { Rfc6455Error } from './rfc6455-error.js';

/**
 * An `HttpHeadError` of `@ws02/protocol`'s head reader as this package's error (one error class
 * per package): the limits and the end of input keep their own codes, every syntax error is
 * `HANDSHAKE_MALFORMED_HEAD` with the reader's code in `detail.headError` (and as `cause`).
 */
export function handshakeHeadFailure(error: HttpHeadError): Rfc6455Error {
  const code =
    error.code === 'HTTP_HEAD_TOO_LARGE'
      ? 'HANDSHAKE_HEAD_TOO_LARGE'
      : error.code === 'HTTP_TOO_MANY_FIELDS'
        ? 'HANDSHAKE_TOO_MANY_FIELDS'
        : error.code === 'HTTP_UNEXPECTED_EOF'
          ? 'HANDSHAKE_UNEXPECTED_EOF'
          : 'HANDSHAKE_MALFORMED_HEAD';
  return new Rfc6455Error(code, error.section, error.reason, {
    cause: error,
    detail: { ...error.detail, headError: error.code },
    ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
  });
}
