/**
 * Client-mode plumbing: answer the client's request (validly or not), then send a probe Text
 * message "probe". A client that accepted the handshake echoes it; one that failed the
 * connection closes it (5.1: "fail the WebSocket connection" = close it).
 */
import type { SendStep } from '../peer/wire-connection.js';
import type { Verdict } from '../verdict.js';
import type { RequestField } from '../wire/client-request.js';
import { textFrame } from '../wire/frame-bytes.js';
import { encodeResponse, STATUS_LINE, standardResponseFields } from '../wire/server-response.js';
import { type CaseOutcome, type ClientHandshakeContext, failed, ok } from './case.js';
import { describe } from './expect.js';

/** The conforming response to the client's request. */
export function validResponse(
  ctx: ClientHandshakeContext,
  fields?: readonly RequestField[],
): Buffer | undefined {
  if (typeof ctx.answer === 'string') return undefined;
  return encodeResponse(
    STATUS_LINE,
    fields ?? standardResponseFields(ctx.location, ctx.origin),
    ctx.answer,
  );
}

export type ClientReaction =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'failed'; readonly how: string }
  | { readonly kind: 'silent' }
  | { readonly kind: 'other'; readonly what: string };

/** Sends `steps` (a response) and the probe; watches what the client does. */
export async function respond(
  ctx: ClientHandshakeContext,
  steps: readonly SendStep[],
  probe = true,
): Promise<ClientReaction> {
  await ctx.conn.send(...steps, ...(probe ? [textFrame('probe')] : []));
  const deadline = performance.now() + ctx.timeout;
  for (;;) {
    const event = await ctx.conn.nextEvent(deadline - performance.now());
    switch (event.type) {
      case 'closed':
        return { kind: 'failed', how: 'closed the connection' };
      case 'close':
        return { kind: 'failed', how: `sent ${describe(event)}` };
      case 'timeout':
        return { kind: 'silent' };
      case 'message':
        if (!event.binary && event.data.toString('latin1') === 'probe') return { kind: 'accepted' };
        return { kind: 'other', what: describe(event) };
      case 'ping':
        continue;
      default:
        return { kind: 'other', what: describe(event) };
    }
  }
}

/** Answers validly and expects the probe echoed (a working client). */
export async function acceptAndProbe(ctx: ClientHandshakeContext): Promise<CaseOutcome> {
  const response = validResponse(ctx);
  if (response === undefined)
    return failed(`no valid answer exists for the client's keys: ${ctx.answer as string}`);
  const reaction = await respond(ctx, [response]);
  if (reaction.kind === 'accepted')
    return ok('accepted a conforming response and echoed a message');
  return failed(`after a conforming response the client ${reactionText(reaction)}`);
}

export function reactionText(r: ClientReaction): string {
  switch (r.kind) {
    case 'accepted':
      return 'accepted the handshake and echoed the probe';
    case 'failed':
      return r.how;
    case 'silent':
      return 'neither echoed the probe nor closed the connection';
    default:
      return `sent ${r.what}`;
  }
}

/** A response the client must accept (5.1 steps 31–48 pass). */
export async function mustAccept(
  ctx: ClientHandshakeContext,
  steps: readonly SendStep[],
  note: string,
): Promise<CaseOutcome> {
  if (typeof ctx.answer === 'string')
    return failed(`no valid answer exists for the client's keys: ${ctx.answer}`);
  const r = await respond(ctx, steps);
  if (r.kind === 'accepted') return ok(`accepted ${note}`);
  return failed(`${reactionText(r)} after ${note}, which 5.1 steps 31–48 accept`);
}

/** A response the client must fail; `accepted` is the verdict when it does not. */
export async function mustFail(
  ctx: ClientHandshakeContext,
  steps: readonly SendStep[],
  note: string,
  accepted: Verdict = 'FAILED',
  silent: Verdict = 'NON-STRICT',
): Promise<CaseOutcome> {
  const r = await respond(ctx, steps);
  if (r.kind === 'failed') return ok(`failed the connection (${r.how}) on ${note}`);
  if (r.kind === 'accepted')
    return { verdict: accepted, reason: `accepted ${note} and echoed the probe` };
  if (r.kind === 'silent') {
    return {
      verdict: silent,
      reason: `neither failed nor accepted within ${ctx.timeout} ms after ${note} (the draft lets a client read more bytes before failing, but it should close)`,
    };
  }
  return failed(`${reactionText(r)} after ${note}`);
}
