/**
 * Shared judging logic: send steps, watch what the peer does, compare with what the draft says.
 * Expectations are stated here as plain bytes, never as "whatever an encoder of ours produced".
 */
import { createHash } from 'node:crypto';
import type { PeerEvent } from '../peer/peer-event.js';
import type { SendStep } from '../peer/wire-connection.js';
import type { Verdict } from '../verdict.js';
import { printable, sameBytes, toHex, utf8 } from '../wire/bytes.js';
import { OP, textFrame } from '../wire/frame-bytes.js';
import {
  type CaseOutcome,
  type FrameCaseContext,
  failed,
  informational,
  nonStrict,
  ok,
} from './case.js';

/** One thing the peer should send back. */
export type Expected =
  | { readonly message: Uint8Array; readonly binary: boolean }
  | { readonly pong: Uint8Array }
  | { readonly close: Uint8Array };

export const text = (s: string | Uint8Array): Expected => ({
  message: typeof s === 'string' ? utf8(s) : s,
  binary: false,
});
export const binary = (b: Uint8Array): Expected => ({ message: b, binary: true });
export const pong = (b: Uint8Array | string = ''): Expected => ({
  pong: typeof b === 'string' ? utf8(b) : b,
});

type Observed = Exclude<PeerEvent, { type: 'timeout' | 'closed' | 'oversize' }>;

/** Short description of an observed event for reports. */
export function describe(event: PeerEvent): string {
  switch (event.type) {
    case 'message': {
      const frames = event.frames.length === 1 ? '' : ` in ${event.frames.length} frames`;
      return `${event.binary ? 'binary' : 'text'} message of ${event.data.length} bytes${frames} (${digest(event.data)})`;
    }
    case 'ping':
    case 'pong':
    case 'close':
      return `${event.type} [${event.data.length} bytes: ${printable(event.data, 40)}]`;
    case 'reserved':
      return `frame with reserved opcode 0x${event.frame.op.toString(16)}`;
    case 'oversize':
      return `frame declaring ${event.length} bytes (not read)`;
    default:
      return event.type;
  }
}

function describeExpected(e: Expected): string {
  if ('message' in e) {
    return `${e.binary ? 'binary' : 'text'} message of ${e.message.length} bytes (${digest(e.message)})`;
  }
  if ('pong' in e) return `pong [${e.pong.length} bytes: ${printable(e.pong, 40)}]`;
  return `close [${e.close.length} bytes: ${printable(e.close, 40)}]`;
}

/** A short content fingerprint: the bytes themselves when short, else length + SHA-256 prefix. */
export function digest(bytes: Uint8Array): string {
  if (bytes.length <= 24) return printable(bytes, 24);
  return `sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

function matches(e: Expected, o: Observed): boolean {
  if ('message' in e)
    return o.type === 'message' && o.binary === e.binary && sameBytes(o.data, e.message);
  if ('pong' in e) return o.type === 'pong' && sameBytes(o.data, e.pong);
  return o.type === 'close' && sameBytes(o.data, e.close);
}

export interface Collected {
  readonly events: Observed[];
  /** How the wait ended. */
  readonly end: 'complete' | 'closed' | 'timeout' | 'oversize';
}

/**
 * Reads events until `count` of them (pings from the peer are answered with pongs and not
 * counted), the peer closes, or `ms` pass.
 */
export async function collect(
  ctx: FrameCaseContext,
  count: number,
  ms = ctx.timeout,
): Promise<Collected> {
  const events: Observed[] = [];
  const deadline = performance.now() + ms;
  while (events.length < count) {
    const event = await ctx.conn.nextEvent(deadline - performance.now());
    if (event.type === 'timeout' || event.type === 'closed' || event.type === 'oversize') {
      return { events, end: event.type };
    }
    if (event.type === 'ping') {
      ctx.note(`peer sent a ping [${event.data.length} bytes]; answered with a pong`);
      await ctx.conn.write(pongBytes(event.data));
      continue;
    }
    events.push(event);
  }
  return { events, end: 'complete' };
}

function pongBytes(data: Buffer): Buffer {
  const head =
    data.length < 126
      ? Buffer.from([OP.PONG, data.length])
      : Buffer.from([OP.PONG, 126, data.length >> 8, data.length & 0xff]);
  return Buffer.concat([head, data]);
}

/** Fails the case when the peer broke a sender rule (4.2–4.4) at any point. */
export function senderViolation(ctx: FrameCaseContext): CaseOutcome | undefined {
  const v = ctx.conn.joiner.violations;
  return v.length === 0 ? undefined : failed(`the peer ${v[0]}`);
}

export interface EchoOptions {
  /** How long to wait for everything, default the context timeout. */
  readonly ms?: number;
  /** Verdict when everything came back in a different order (default NON-STRICT). */
  readonly reordered?: Verdict;
}

/** Sends `steps`, expects exactly `expected` back, in order. */
export async function expectEcho(
  ctx: FrameCaseContext,
  steps: readonly SendStep[],
  expected: readonly Expected[],
  options: EchoOptions = {},
): Promise<CaseOutcome> {
  const sending = ctx.conn.send(...steps);
  const got = await collect(ctx, expected.length, options.ms ?? ctx.timeout);
  await sending;
  for (const e of got.events) ctx.note(`received ${describe(e)}`);
  const violation = senderViolation(ctx);
  if (violation !== undefined) return violation;
  const inOrder =
    got.events.length === expected.length && expected.every((e, i) => matches(e, got.events[i]!));
  if (inOrder) return ok(`received the ${expected.length} expected answer(s) in order`);
  if (got.events.length === expected.length) {
    const left = [...got.events];
    const allThere = expected.every((e) => {
      const i = left.findIndex((o) => matches(e, o));
      if (i === -1) return false;
      left.splice(i, 1);
      return true;
    });
    if (allThere) {
      const verdict = options.reordered ?? 'NON-STRICT';
      return { verdict, reason: 'every expected answer arrived, but not in the expected order' };
    }
  }
  for (let i = 0; i < expected.length; i++) {
    const o = got.events[i];
    if (o === undefined) {
      const why =
        got.end === 'closed'
          ? 'the peer closed the connection'
          : got.end === 'oversize'
            ? 'the peer sent an oversized frame'
            : `nothing arrived within ${options.ms ?? ctx.timeout} ms`;
      return failed(`expected ${describeExpected(expected[i]!)}, but ${why}`);
    }
    if (!matches(expected[i]!, o)) {
      return failed(`expected ${describeExpected(expected[i]!)}, received ${describe(o)}`);
    }
  }
  return failed('unexpected answers');
}

export interface FailureOptions {
  /** Valid traffic first, with its expected echo (proves the connection worked). */
  readonly prelude?: {
    readonly steps: readonly SendStep[];
    readonly expected: readonly Expected[];
  };
  /** The bad input. */
  readonly bad: readonly SendStep[];
  /** Verdict when the peer ignores or accepts the bad input and answers the probe. */
  readonly ignored: Verdict;
  /** Why that verdict (draft reference). */
  readonly why: string;
  /** Verdict when the peer neither fails nor answers (default NON-STRICT). */
  readonly silent?: Verdict;
  /** Skip the probe (when the bad input is itself the end, e.g. a lying length). */
  readonly noProbe?: boolean;
}

const PROBE = 'probe';

/**
 * The bad-input pattern: (valid prelude,) bad bytes, then a probe Text message "probe". A peer
 * that fails the connection closes TCP (or starts the closing handshake): OK. One that answers
 * the probe ignored or accepted the bad input: `ignored`. One that does neither within the
 * timeout: `silent`.
 */
export async function expectFailure(
  ctx: FrameCaseContext,
  options: FailureOptions,
): Promise<CaseOutcome> {
  if (options.prelude !== undefined) {
    const pre = await expectEcho(ctx, options.prelude.steps, options.prelude.expected);
    if (pre.verdict !== 'OK')
      return failed(`the valid traffic before the bad input failed: ${pre.reason}`);
  }
  const steps = options.noProbe ? options.bad : [...options.bad, textFrame(PROBE)];
  const sending = ctx.conn.send(...steps);
  const seen: string[] = [];
  let outcome: CaseOutcome | undefined;
  const deadline = performance.now() + ctx.timeout;
  for (;;) {
    const event = await ctx.conn.nextEvent(deadline - performance.now());
    if (event.type === 'closed') {
      outcome = ok(
        `failed the connection (closed TCP${seen.length ? ` after ${seen.join(', ')}` : ''})`,
      );
      break;
    }
    if (event.type === 'close') {
      seen.push(describe(event));
      // A server that fails the connection closes TCP right after; a client may wait for the
      // server to close it (section 7), so only a short look.
      const closed = await ctx.conn.waitClosed(Math.min(500, ctx.timeout));
      outcome = ok(
        `failed the connection: sent ${describe(event)}${closed ? ' and closed TCP' : ''}`,
      );
      break;
    }
    if (event.type === 'timeout') {
      const verdict = options.silent ?? 'NON-STRICT';
      outcome = {
        verdict,
        reason: `neither failed the connection nor answered the probe within ${ctx.timeout} ms${seen.length ? ` (received ${seen.join(', ')})` : ''}`,
      };
      break;
    }
    if (event.type === 'oversize') {
      outcome = failed(`sent ${describe(event)}`);
      break;
    }
    if (event.type === 'ping') {
      await ctx.conn.write(pongBytes(event.data));
      continue;
    }
    seen.push(describe(event));
    if (options.noProbe && event.type === 'message') {
      // Nothing sent can complete a message here: the peer misread the declared length.
      outcome = failed(
        `delivered ${describe(event)} that was never sent (the declared length was misread)`,
      );
      break;
    }
    if (
      event.type === 'message' &&
      !event.binary &&
      event.data.toString('latin1') === PROBE &&
      !options.noProbe
    ) {
      const before =
        seen.length > 1 ? `; before the probe it sent ${seen.slice(0, -1).join(', ')}` : '';
      outcome = {
        verdict: options.ignored,
        reason: `kept the connection open and answered the probe: ${options.why}${before}`,
      };
      break;
    }
  }
  await sending;
  for (const s of seen) ctx.note(`received ${s}`);
  return senderViolation(ctx) ?? outcome;
}

/** Hex of bytes for notes. */
export function hex(bytes: Uint8Array): string {
  return toHex(bytes, 32);
}

export { informational, nonStrict };
