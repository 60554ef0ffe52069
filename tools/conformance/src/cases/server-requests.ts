/** Building blocks of the server-mode handshake cases (sections 14 and 15). */
import { type RequestField, type RequestParts, standardRequest } from '../wire/client-request.js';
import { type ClientKeys, makeClientKeys } from '../wire/handshake-keys.js';
import type { ServerHandshakeContext } from './case.js';

export interface Standard {
  readonly keys: ClientKeys;
  readonly parts: RequestParts;
  readonly answer: Buffer;
  readonly location: string;
}

/** A conforming request for the target (fresh seeded keys) and what must come back. */
export function standard(
  ctx: ServerHandshakeContext,
  resource = ctx.target.resource,
  keys?: ClientKeys,
): Standard {
  const k = keys ?? makeClientKeys(ctx.random);
  const location = ctx.target.locationFor(resource);
  const { parts, answer } = standardRequest(
    { hostField: ctx.target.hostField, resource, location, origin: ctx.target.origin },
    k,
  );
  return { keys: k, parts, answer, location };
}

/** The same request with other fields. */
export function withFields(s: Standard, fields: readonly RequestField[]): RequestParts {
  return { ...s.parts, fields };
}
