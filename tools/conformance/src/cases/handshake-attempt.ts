/** Server-mode handshake plumbing: send a (possibly malformed) request, read what comes back. */
import type { SendStep, WireConnection } from '../peer/wire-connection.js';
import type { Verdict } from '../verdict.js';
import { printable } from '../wire/bytes.js';
import { encodeRequest, type RequestParts } from '../wire/client-request.js';
import { textFrame } from '../wire/frame-bytes.js';
import { checkResponse, type ResponseVerdict } from '../wire/response-check.js';
import { type CaseOutcome, failed, ok, type ServerHandshakeContext } from './case.js';

export interface Attempt {
  readonly conn: WireConnection;
  /** The response as 5.1 steps 31–48 judge it; `silent` = nothing decisive before the deadline. */
  readonly response: ResponseVerdict | { readonly state: 'silent' };
  /** The status code of the first line when it looks like an HTTP status line. */
  readonly status: string | undefined;
  /** The first line received (escaped). */
  readonly firstLine: string;
}

export interface AttemptOptions {
  /** What to send instead of the encoded request in one write. */
  readonly steps?: readonly SendStep[];
  /** Expected Location (default: for the request's resource name). */
  readonly location: string;
  readonly origin?: string;
  readonly protocols?: readonly string[];
  readonly answer: Uint8Array;
  /** How long to wait for a decision, default the context timeout. */
  readonly ms?: number;
}

/** Opens a connection, sends the request, reads until 5.1 can decide or the deadline passes. */
export async function attempt(
  ctx: ServerHandshakeContext,
  parts: RequestParts | undefined,
  options: AttemptOptions,
): Promise<Attempt> {
  const conn = await ctx.open();
  const steps = options.steps ?? (parts === undefined ? [] : [encodeRequest(parts)]);
  const sending = conn.send(...steps);
  const expect = {
    origin: options.origin ?? ctx.target.origin,
    location: options.location,
    protocols: options.protocols ?? [],
    answer: options.answer,
  };
  let response: Attempt['response'] = { state: 'silent' };
  const deadline = performance.now() + (options.ms ?? ctx.timeout);
  for (;;) {
    const seen = conn.inbox.length;
    const verdict = checkResponse(conn.inbox.peek(1 << 20), expect, conn.peerClosed);
    if (verdict.state !== 'incomplete') {
      response = verdict;
      break;
    }
    const left = deadline - performance.now();
    if (left <= 0) break;
    await conn.waitFor(() => conn.inbox.length > seen || conn.peerClosed, left);
  }
  await Promise.race([sending, sleepMs(50)]);
  const head = conn.inbox.peek(512);
  const lf = head.indexOf(0x0a);
  const first = head.subarray(0, lf === -1 ? head.length : lf);
  const match = /^HTTP\/\d\.\d (\d{3})/.exec(first.toString('latin1'));
  const firstLine = printable(first, 120);
  if (firstLine !== '') ctx.note(`status line: ${firstLine}`);
  return { conn, response, status: match?.[1], firstLine };
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Describes the response for a reason string. */
export function describeResponse(a: Attempt): string {
  const r = a.response;
  switch (r.state) {
    case 'established':
      return 'completed the handshake (101 and the right answer)';
    case 'refused':
      return `refused with HTTP ${r.code} (${r.statusLine.slice(0, 80)})`;
    case 'failed':
      if (a.conn.inbox.length === 0 && a.conn.peerClosed)
        return 'closed the connection without a response';
      return `sent a response that fails 5.1 step ${r.step}: ${r.reason}`;
    case 'silent':
      return a.conn.inbox.length === 0
        ? 'sent nothing and kept the connection open'
        : `sent an incomplete response (${printable(a.conn.inbox.peek(80), 80)})`;
    default:
      return 'sent an incomplete response';
  }
}

/** After an established handshake: a probe message must come back (the handshake was real). */
export async function probeEcho(ctx: ServerHandshakeContext, a: Attempt): Promise<CaseOutcome> {
  if (a.response.state !== 'established') return failed(describeResponse(a));
  a.conn.inbox.skip(a.response.consumed);
  await a.conn.send(textFrame('probe'));
  const event = await a.conn.nextEvent(ctx.timeout);
  if (event.type === 'message' && !event.binary && event.data.toString('latin1') === 'probe') {
    return ok('completed the handshake with the exact answer and echoed a message');
  }
  return failed(`completed the handshake but did not echo a message afterwards (${event.type})`);
}

/** The request must be accepted: handshake valid by 5.1 steps 31–48, then an echo. */
export async function expectAccept(ctx: ServerHandshakeContext, a: Attempt): Promise<CaseOutcome> {
  const result = await probeEcho(ctx, a);
  a.conn.destroy();
  return result;
}

/**
 * The request must be refused. "Accepted" = the server answered 101 (whatever the rest): it did
 * not abort. Refused = anything else: an HTTP error, a closed connection.
 */
export function expectAbort(
  ctx: ServerHandshakeContext,
  a: Attempt,
  accepted: Verdict,
  why: string,
  silent: Verdict = 'NON-STRICT',
): CaseOutcome {
  a.conn.destroy();
  const r = a.response;
  if (a.status === '101' || r.state === 'established') {
    return { verdict: accepted, reason: `answered 101 — ${describeResponse(a)}: ${why}` };
  }
  if (r.state === 'silent' && !a.conn.peerClosed) {
    return {
      verdict: silent,
      reason: `neither refused nor answered within ${ctx.timeout} ms (${describeResponse(a)})`,
    };
  }
  return ok(`aborted: ${describeResponse(a)}`);
}
