/** Section 1, Framing (draft-02 4.2): lengths and their encodings, the 4.6 examples. */
import { asciiPattern, binaryPattern, fromHex, sameBytes, utf8 } from '../wire/bytes.js';
import { binaryFrame, frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import { type CaseOutcome, type FrameCase, type FrameCaseContext, nonStrict } from './case.js';
import { binary, collect, expectEcho, expectFailure, senderViolation, text } from './expect.js';

const BOTH = ['server', 'client'] as const;
const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536] as const;

function lengthCases(sub: 1 | 2): FrameCase[] {
  const isText = sub === 1;
  const kind = isText ? 'text' : 'binary';
  const make = (n: number) => (isText ? asciiPattern(n) : binaryPattern(n));
  const cases: FrameCase[] = LENGTHS.map((n, i) => ({
    kind: 'frames',
    id: `1.${sub}.${i + 1}`,
    title: `${kind} message, payload length ${n}`,
    draft: '4.2',
    expectation: `The ${kind} message is echoed unchanged (${n < 126 ? '7-bit' : n < 65536 ? '16-bit' : '63-bit'} length).`,
    modes: BOTH,
    run: (ctx) => {
      const payload = make(n);
      return expectEcho(
        ctx,
        [isText ? textFrame(payload) : binaryFrame(payload)],
        [isText ? text(payload) : binary(payload)],
      );
    },
  }));
  cases.push({
    kind: 'frames',
    id: `1.${sub}.8`,
    title: `${kind} message, payload length 65536, written in chops of 997 bytes`,
    draft: '4.2',
    expectation:
      'The message is echoed unchanged: frame boundaries and TCP segments are unrelated.',
    modes: BOTH,
    run: (ctx) => {
      const payload = make(65536);
      const frame = isText ? textFrame(payload) : binaryFrame(payload);
      return expectEcho(
        ctx,
        [{ chop: frame, size: 997 }],
        [isText ? text(payload) : binary(payload)],
      );
    },
  });
  return cases;
}

/** Echo check plus an exact-bytes comparison of the echo's frame with a 4.6 vector. */
async function exactVector(
  ctx: FrameCaseContext,
  send: Buffer[],
  expectedFrame: Buffer,
  expectedBinary: boolean,
  payload: Buffer,
): Promise<CaseOutcome> {
  const sending = ctx.conn.send(...send);
  const got = await collect(ctx, 1);
  await sending;
  const violation = senderViolation(ctx);
  if (violation !== undefined) return violation;
  const event = got.events[0];
  if (event === undefined || event.type !== 'message') {
    return {
      verdict: 'FAILED',
      reason:
        event === undefined ? `no echo (${got.end})` : `received ${event.type} instead of the echo`,
    };
  }
  if (event.binary !== expectedBinary || !sameBytes(event.data, payload)) {
    return { verdict: 'FAILED', reason: 'the echoed message differs from the one sent' };
  }
  const wire = Buffer.concat(event.frames.map((f) => Buffer.concat([f.header, f.payload])));
  if (sameBytes(wire, expectedFrame))
    return { verdict: 'OK', reason: 'echoed with exactly the bytes of the 4.6 example' };
  return nonStrict(
    `echoed correctly but not in 4.6's shortest unfragmented form (${event.frames.length} frame(s), header ${event.frames[0]!.header.toString('hex')}); -02 does not require the shortest form`,
  );
}

const HELLO = utf8('Hello');

export const framingCases: readonly FrameCase[] = [
  ...lengthCases(1),
  ...lengthCases(2),
  {
    kind: 'frames',
    id: '1.3.1',
    title: '4.6 example: text "Hello" = 04 05 48 65 6c 6c 6f',
    draft: '4.6',
    expectation: 'Echoed as the same seven bytes.',
    modes: BOTH,
    run: (ctx) =>
      exactVector(
        ctx,
        [fromHex('04 05 48 65 6c 6c 6f')],
        fromHex('04 05 48 65 6c 6c 6f'),
        false,
        HELLO,
      ),
  },
  {
    kind: 'frames',
    id: '1.3.2',
    title: '4.6 example: fragmented text 84 03 "Hel" + 00 02 "lo"',
    draft: '4.6, 4.3',
    expectation: 'Echoed as the text message "Hello".',
    modes: BOTH,
    run: (ctx) => expectEcho(ctx, [fromHex('84 03 48 65 6c 00 02 6c 6f')], [text('Hello')]),
  },
  {
    kind: 'frames',
    id: '1.3.3',
    title: '4.6 example: 256-byte binary = 05 7E 01 00 + 256 bytes',
    draft: '4.6',
    expectation: 'Echoed with the header 05 7E 01 00.',
    modes: BOTH,
    run: (ctx) => {
      const payload = binaryPattern(256);
      const frame = Buffer.concat([fromHex('05 7e 01 00'), payload]);
      return exactVector(ctx, [frame], frame, true, payload);
    },
  },
  {
    kind: 'frames',
    id: '1.3.4',
    title: '4.6 example: 64 KiB binary = 05 7F 00 00 00 00 00 01 00 00 + 65536 bytes',
    draft: '4.6',
    expectation: 'Echoed with the header 05 7F 00 00 00 00 00 01 00 00.',
    modes: BOTH,
    run: (ctx) => {
      const payload = binaryPattern(65536, 3);
      const frame = Buffer.concat([fromHex('05 7f 00 00 00 00 00 01 00 00'), payload]);
      return exactVector(ctx, [frame], frame, true, payload);
    },
  },
  {
    kind: 'frames',
    id: '1.3.5',
    title: '"Hello" with a non-minimal 16-bit length (04 7E 00 05 …)',
    draft: '4.2',
    expectation:
      'Echoed: -02 does not require the shortest length encoding, so the frame is valid.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(ctx, [frameBytes({ op: OP.TEXT, payload: HELLO, lengthForm: 16 })], [text(HELLO)]),
  },
  {
    kind: 'frames',
    id: '1.3.6',
    title: '"Hello" with a non-minimal 63-bit length (04 7F 00 … 05 …)',
    draft: '4.2',
    expectation: 'Echoed: a non-minimal length is valid in -02.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(ctx, [frameBytes({ op: OP.TEXT, payload: HELLO, lengthForm: 63 })], [text(HELLO)]),
  },
  {
    kind: 'frames',
    id: '1.3.7',
    title: '200-byte binary with a non-minimal 63-bit length',
    draft: '4.2',
    expectation: 'Echoed unchanged.',
    modes: BOTH,
    run: (ctx) => {
      const payload = binaryPattern(200);
      return expectEcho(
        ctx,
        [frameBytes({ op: OP.BINARY, payload, lengthForm: 63 })],
        [binary(payload)],
      );
    },
  },
  {
    kind: 'frames',
    id: '1.3.8',
    title: 'three messages (text, binary, text) in one write',
    draft: '4.2',
    expectation: 'Three echoes, in order.',
    modes: BOTH,
    run: (ctx) => {
      const b = binaryPattern(300);
      return expectEcho(
        ctx,
        [Buffer.concat([textFrame('one'), binaryFrame(b), textFrame('three')])],
        [text('one'), binary(b), text('three')],
        { reordered: 'FAILED' },
      );
    },
  },
  {
    kind: 'frames',
    id: '1.3.9',
    title: 'the 4.6 "Hello" frame written one byte per write',
    draft: '4.2',
    expectation: 'Echoed: a receiver resumes at any byte boundary.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(ctx, [{ bytewise: fromHex('04 05 48 65 6c 6c 6f'), pause: 5 }], [text('Hello')]),
  },
  {
    kind: 'frames',
    id: '1.3.10',
    title: '300-byte text frame, header split across four writes',
    draft: '4.2',
    expectation: 'Echoed unchanged.',
    modes: BOTH,
    run: (ctx) => {
      const payload = asciiPattern(300, 7);
      const frame = textFrame(payload);
      return expectEcho(
        ctx,
        [
          frame.subarray(0, 1),
          { pause: 20 },
          frame.subarray(1, 2),
          { pause: 20 },
          frame.subarray(2, 3),
          { pause: 20 },
          frame.subarray(3),
        ],
        [text(payload)],
      );
    },
  },
  {
    kind: 'frames',
    id: '1.3.11',
    title: '63-bit length with its most significant bit set (low bits say 5)',
    draft: '4.2',
    expectation: 'The connection is failed: 4.2 says the most significant bit MUST be 0.',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [Buffer.concat([fromHex('04 7f 80 00 00 00 00 00 00 05'), HELLO])],
        ignored: 'NON-STRICT',
        why: 'the top bit of the 63-bit length was ignored (4.2 says it MUST be 0 but gives the receiver no rule)',
      }),
  },
  {
    kind: 'frames',
    id: '1.3.12',
    title: 'text frame declaring 2^53 bytes (beyond any limit), then a few bytes',
    draft: '4.2',
    expectation:
      'The connection is failed: no receiver can hold the frame; nothing is allocated for it.',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [Buffer.concat([fromHex('04 7f 00 20 00 00 00 00 00 00'), HELLO])],
        noProbe: true,
        ignored: 'INFORMATIONAL',
        why: '',
        silent: 'INFORMATIONAL',
      }),
  },
];
