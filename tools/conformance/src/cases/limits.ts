/**
 * Section 9, Limits/Performance: large messages, many fragments, TCP chops, round trips — and
 * draft-02 abuse: lying lengths, fragment floods. -02 sets no limits, so a peer refusing a very
 * large message is INFORMATIONAL (its own limit), never FAILED; corrupting one is FAILED.
 */
import { asciiPattern, binaryPattern, fromHex, sameBytes } from '../wire/bytes.js';
import { binaryFrame, fragments, frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import {
  type CaseOutcome,
  type FrameCase,
  type FrameCaseContext,
  failed,
  informational,
  ok,
} from './case.js';
import {
  binary,
  collect,
  describe,
  digest,
  expectEcho,
  expectFailure,
  senderViolation,
  text,
} from './expect.js';

const BOTH = ['server', 'client'] as const;
const KiB = 1024;
const MiB = 1024 * KiB;

function sizeName(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} bytes`;
}

/** Time allowance for moving `bytes` both ways on a loaded 2-core machine. */
function allowance(ctx: FrameCaseContext, bytes: number): number {
  return ctx.timeout + Math.ceil(bytes / MiB) * 2000;
}

/** One large message out and back; a refusal (the peer's limit) is INFORMATIONAL. */
async function bigEcho(
  ctx: FrameCaseContext,
  frames: Buffer[] | Buffer,
  payload: Buffer,
  isText: boolean,
  chop?: number,
): Promise<CaseOutcome> {
  const wire = Array.isArray(frames) ? Buffer.concat(frames) : frames;
  const started = performance.now();
  const sending = ctx.conn.send(chop === undefined ? wire : { chop: wire, size: chop });
  const got = await collect(ctx, 1, allowance(ctx, payload.length));
  await sending;
  const ms = Math.round(performance.now() - started);
  const v = senderViolation(ctx);
  if (v) return v;
  const e = got.events[0];
  if (e === undefined || e.type === 'close') {
    if (got.end === 'closed' || e?.type === 'close') {
      return informational(
        `refused the ${sizeName(payload.length)} message (closed the connection): a limit of the peer; -02 sets none`,
      );
    }
    return failed(`no echo within ${allowance(ctx, payload.length)} ms (${got.end})`);
  }
  if (e.type !== 'message') return failed(`received ${describe(e)} instead of the echo`);
  if (e.binary === isText) return failed(`echoed as ${e.binary ? 'binary' : 'text'}`);
  if (!sameBytes(e.data, payload)) {
    return failed(
      `the echo is corrupted: ${e.data.length} bytes (${digest(e.data)}), sent ${payload.length} (${digest(payload)})`,
    );
  }
  return ok(`echoed ${sizeName(payload.length)} intact in ${ms} ms (${e.frames.length} frame(s))`);
}

const SIZES = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
const FRAGMENT_SIZES = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
const CHOPS = [64, 128, 256, 512, 1024, 2048];
const ROUND_TRIP_SIZES = [0, 16, 64, 256, 1024, 4096];

function singleFrame(sub: 1 | 2): FrameCase[] {
  const isText = sub === 1;
  return SIZES.map((n, i) => ({
    kind: 'frames' as const,
    id: `9.${sub}.${i + 1}`,
    title: `${isText ? 'text' : 'binary'} message of ${sizeName(n)} in one frame`,
    draft: '4.2',
    expectation: "Echoed intact, or refused as over the peer's own limit (INFORMATIONAL).",
    modes: BOTH,
    slow: n > 4 * MiB,
    run: (ctx: FrameCaseContext) => {
      const payload = isText ? asciiPattern(n, i) : binaryPattern(n, i);
      return bigEcho(ctx, isText ? textFrame(payload) : binaryFrame(payload), payload, isText);
    },
  }));
}

function fragmented(sub: 3 | 4): FrameCase[] {
  const isText = sub === 3;
  return FRAGMENT_SIZES.map((size, i) => ({
    kind: 'frames' as const,
    id: `9.${sub}.${i + 1}`,
    title: `${isText ? 'text' : 'binary'} message of 4 MiB in fragments of ${sizeName(size)}`,
    draft: '4.3',
    expectation: 'Echoed intact (or refused over a limit: INFORMATIONAL).',
    modes: BOTH,
    slow: size < KiB,
    run: (ctx: FrameCaseContext) => {
      const payload = isText ? asciiPattern(4 * MiB, i) : binaryPattern(4 * MiB, i);
      return bigEcho(ctx, fragments(isText ? OP.TEXT : OP.BINARY, payload, size), payload, isText);
    },
  }));
}

function chopped(sub: 5 | 6): FrameCase[] {
  const isText = sub === 5;
  return CHOPS.map((chop, i) => ({
    kind: 'frames' as const,
    id: `9.${sub}.${i + 1}`,
    title: `${isText ? 'text' : 'binary'} message of 1 MiB in one frame, written in chops of ${chop} bytes`,
    draft: '4.2',
    expectation: 'Echoed intact.',
    modes: BOTH,
    run: (ctx: FrameCaseContext) => {
      const payload = isText ? asciiPattern(MiB, i) : binaryPattern(MiB, i);
      return bigEcho(
        ctx,
        isText ? textFrame(payload) : binaryFrame(payload),
        payload,
        isText,
        chop,
      );
    },
  }));
}

function roundTrips(sub: 7 | 8): FrameCase[] {
  const isText = sub === 7;
  return ROUND_TRIP_SIZES.map((size, i) => ({
    kind: 'frames' as const,
    id: `9.${sub}.${i + 1}`,
    title: `1,000 ${isText ? 'text' : 'binary'} messages of ${size} bytes, one round trip each`,
    draft: '4.2',
    expectation: 'Every message echoed intact, in order (the time is reported).',
    modes: BOTH,
    run: async (ctx: FrameCaseContext): Promise<CaseOutcome> => {
      const started = performance.now();
      for (let m = 0; m < 1000; m++) {
        const payload = isText ? asciiPattern(size, m) : binaryPattern(size, m);
        const result = await expectEcho(
          ctx,
          [isText ? textFrame(payload) : binaryFrame(payload)],
          [isText ? text(payload) : binary(payload)],
        );
        if (result.verdict !== 'OK') return failed(`message ${m + 1}: ${result.reason}`);
      }
      const ms = Math.round(performance.now() - started);
      return ok(`1,000 round trips in ${ms} ms (${(ms / 1000).toFixed(3)} ms each)`);
    },
  }));
}

export const limitCases: readonly FrameCase[] = [
  ...singleFrame(1),
  ...singleFrame(2),
  ...fragmented(3),
  ...fragmented(4),
  ...chopped(5),
  ...chopped(6),
  ...roundTrips(7),
  ...roundTrips(8),
  {
    kind: 'frames',
    id: '9.9.1',
    title: 'binary frame declaring 1 GiB, followed by 16 bytes',
    draft: '4.2',
    expectation:
      'Refused from the header (connection failed) without allocating 1 GiB; waiting is INFORMATIONAL (-02 sets no limit).',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [Buffer.concat([fromHex('05 7f 00 00 00 00 40 00 00 00'), binaryPattern(16)])],
        noProbe: true,
        ignored: 'INFORMATIONAL',
        why: '',
        silent: 'INFORMATIONAL',
      }),
  },
  {
    kind: 'frames',
    id: '9.9.2',
    title: 'text frame declaring 2^62 bytes, followed by "Hello"',
    draft: '4.2',
    expectation: 'Refused from the header (connection failed); waiting is INFORMATIONAL.',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [Buffer.concat([fromHex('04 7f 40 00 00 00 00 00 00 00'), Buffer.from('Hello')])],
        noProbe: true,
        ignored: 'INFORMATIONAL',
        why: '',
        silent: 'INFORMATIONAL',
      }),
  },
  {
    kind: 'frames',
    id: '9.9.3',
    title: 'text message of 10,000 empty fragments, then "end"',
    draft: '4.3',
    expectation: 'Echoed as "end", or refused as a fragment flood (INFORMATIONAL).',
    modes: BOTH,
    run: async (ctx) => {
      const frames: Buffer[] = [frameBytes({ op: OP.TEXT, more: true })];
      for (let i = 0; i < 9998; i++) frames.push(frameBytes({ op: OP.CONTINUATION, more: true }));
      frames.push(frameBytes({ op: OP.CONTINUATION, payload: 'end' }));
      return bigEcho(ctx, frames, Buffer.from('end'), true);
    },
  },
  {
    kind: 'frames',
    id: '9.9.4',
    title: '10,000 Pings in one burst',
    draft: '4.4',
    expectation: 'Ten thousand Pongs in order, or the flood refused (INFORMATIONAL).',
    modes: BOTH,
    run: async (ctx) => {
      const N = 10_000;
      const pings = Buffer.concat(
        Array.from({ length: N }, (_, i) => frameBytes({ op: OP.PING, payload: `${i}` })),
      );
      const sending = ctx.conn.send(pings);
      const got = await collect(ctx, N, allowance(ctx, pings.length) * 3);
      await sending;
      const v = senderViolation(ctx);
      if (v) return v;
      for (let i = 0; i < got.events.length; i++) {
        const e = got.events[i]!;
        if (e.type === 'close')
          return informational(`answered ${i} Pings, then closed: a flood limit`);
        if (e.type !== 'pong' || e.data.toString('latin1') !== `${i}`)
          return failed(`answer ${i + 1} is ${describe(e)}, not Pong "${i}"`);
      }
      if (got.events.length === N) return ok(`answered all ${N} Pings in order`);
      if (got.end === 'closed')
        return informational(`answered ${got.events.length} Pings, then closed: a flood limit`);
      return failed(`answered only ${got.events.length} of ${N} Pings (${got.end})`);
    },
  },
];

export const autoFragmentationCases: readonly FrameCase[] = [
  {
    kind: 'frames',
    id: '10.1.1',
    title: 'text message of 64 KiB in one frame: any fragmentation of the echo is fine',
    draft: '4.3',
    expectation: 'Echoed intact, in however many frames the peer likes (the count is reported).',
    modes: BOTH,
    run: (ctx) => {
      const payload = asciiPattern(64 * KiB, 3);
      return bigEcho(ctx, textFrame(payload), payload, true);
    },
  },
  {
    kind: 'frames',
    id: '10.1.2',
    title: 'binary message of 1 MiB in 7 uneven fragments',
    draft: '4.3',
    expectation: 'Echoed intact, in any fragmentation.',
    modes: BOTH,
    run: (ctx) => {
      const payload = binaryPattern(MiB, 5);
      const cuts = [1, 1000, 65535, 65536, 200_000, 300_001];
      const frames: Buffer[] = [];
      let start = 0;
      for (let i = 0; i <= cuts.length; i++) {
        const end = i < cuts.length ? start + cuts[i]! : payload.length;
        frames.push(
          frameBytes({
            op: i === 0 ? OP.BINARY : OP.CONTINUATION,
            more: i < cuts.length,
            payload: payload.subarray(start, end),
          }),
        );
        start = end;
      }
      return bigEcho(ctx, frames, payload, false);
    },
  },
];
