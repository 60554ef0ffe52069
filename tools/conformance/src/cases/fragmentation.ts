/** Section 5, Fragmentation (draft-02 4.3, 4.4). */
import type { SendStep } from '../peer/wire-connection.js';
import { binaryPattern, fromHex, utf8 } from '../wire/bytes.js';
import { fragments, frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import type { FrameCase } from './case.js';
import { binary, expectEcho, expectFailure, pong, text } from './expect.js';

const BOTH = ['server', 'client'] as const;
const f = (op: number, payload: string | Uint8Array, more = false) =>
  frameBytes({ op, payload, more });

type Delivery = 'one write' | 'frame by frame' | 'byte by byte';

function deliver(frames: Buffer[], how: Delivery): SendStep[] {
  if (how === 'one write') return [Buffer.concat(frames)];
  if (how === 'byte by byte') return [{ bytewise: Buffer.concat(frames), pause: 1 }];
  return frames.flatMap((fr) => [fr, { pause: 50 }]);
}

const CONTROL_WHY =
  'a fragmented control frame was accepted or ignored; -02 leaves open whether control frames may be fragmented (4.4 note) — SPEC-NOTES decision: MORE on a control frame fails the connection';
const SEQUENCE_WHY =
  "the frame breaks 4.3's message structure (a continuation needs a message started with MORE set; no new data message inside an unfinished one), yet the connection stayed open";

function twoFragments(id: string, how: Delivery): FrameCase {
  return {
    kind: 'frames',
    id,
    title: `text message in 2 fragments, ${how}`,
    draft: '4.3',
    expectation: 'Echoed as one text message "fragment1fragment2".',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        deliver([f(OP.TEXT, 'fragment1', true), f(OP.CONTINUATION, 'fragment2')], how),
        [text('fragment1fragment2')],
        {
          ms: ctx.timeout * 2,
        },
      ),
  };
}

function pingBetween(id: string, how: Delivery): FrameCase {
  return {
    kind: 'frames',
    id,
    title: `text message in 2 fragments with a Ping between them, ${how}`,
    draft: '4.3, 4.4',
    expectation:
      'The Pong, then the echo (SPEC-NOTES decision: control frames are accepted between fragments).',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        deliver(
          [
            f(OP.TEXT, 'fragment1', true),
            f(OP.PING, 'ping payload'),
            f(OP.CONTINUATION, 'fragment2'),
          ],
          how,
        ),
        [pong('ping payload'), text('fragment1fragment2')],
        { ms: ctx.timeout * 2 },
      ),
  };
}

function fivePings(id: string, how: Delivery): FrameCase {
  return {
    kind: 'frames',
    id,
    title: `text message in 5 fragments with a Ping after each of the first four, ${how}`,
    draft: '4.3, 4.4',
    expectation: 'Four Pongs, then the echo of the whole message.',
    modes: BOTH,
    run: (ctx) => {
      const frames: Buffer[] = [];
      for (let i = 1; i <= 5; i++) {
        frames.push(f(i === 1 ? OP.TEXT : OP.CONTINUATION, `fragment${i}`, i < 5));
        if (i < 5) frames.push(f(OP.PING, `pongme ${i}`));
      }
      return expectEcho(
        ctx,
        deliver(frames, how),
        [1, 2, 3, 4]
          .map((i) => pong(`pongme ${i}`))
          .concat([text('fragment1fragment2fragment3fragment4fragment5')]),
        { ms: ctx.timeout * 3 },
      );
    },
  };
}

function badSequence(
  id: string,
  title: string,
  frames: Buffer[],
  how: Delivery,
  why = SEQUENCE_WHY,
): FrameCase {
  return {
    kind: 'frames',
    id,
    title: `${title}, ${how}`,
    draft: '4.3',
    expectation: 'The connection is failed.',
    modes: BOTH,
    run: (ctx) => expectFailure(ctx, { bad: deliver(frames, how), ignored: 'NON-STRICT', why }),
  };
}

export const fragmentationCases: readonly FrameCase[] = [
  {
    kind: 'frames',
    id: '5.1',
    title: 'Ping in 2 fragments (MORE set on the Ping, then a continuation)',
    draft: '4.4',
    expectation:
      'The connection is failed (control frames are never fragmented: SPEC-NOTES decision).',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [Buffer.concat([f(OP.PING, 'fragment1', true), f(OP.CONTINUATION, 'fragment2')])],
        ignored: 'NON-STRICT',
        why: CONTROL_WHY,
      }),
  },
  {
    kind: 'frames',
    id: '5.2',
    title: 'Pong in 2 fragments',
    draft: '4.4',
    expectation: 'The connection is failed (SPEC-NOTES decision).',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [Buffer.concat([f(OP.PONG, 'fragment1', true), f(OP.CONTINUATION, 'fragment2')])],
        ignored: 'NON-STRICT',
        why: CONTROL_WHY,
      }),
  },
  twoFragments('5.3', 'one write'),
  twoFragments('5.4', 'frame by frame'),
  twoFragments('5.5', 'byte by byte'),
  pingBetween('5.6', 'one write'),
  pingBetween('5.7', 'frame by frame'),
  pingBetween('5.8', 'byte by byte'),
  badSequence(
    '5.9',
    'continuation (MORE clear) with no message started',
    [f(OP.CONTINUATION, 'non-continuation payload')],
    'one write',
  ),
  badSequence(
    '5.10',
    'continuation (MORE clear) with no message started',
    [f(OP.CONTINUATION, 'non-continuation payload')],
    'byte by byte',
  ),
  badSequence(
    '5.11',
    'a message made only of continuations (MORE set, then MORE clear)',
    [f(OP.CONTINUATION, 'fragment1', true), f(OP.CONTINUATION, 'fragment2')],
    'one write',
  ),
  badSequence(
    '5.12',
    'a message made only of continuations',
    [f(OP.CONTINUATION, 'fragment1', true), f(OP.CONTINUATION, 'fragment2')],
    'byte by byte',
  ),
  badSequence(
    '5.13',
    'a new Text frame (MORE clear) inside an unfinished fragmented text message',
    [f(OP.TEXT, 'fragment1', true), f(OP.TEXT, 'fragment2')],
    'one write',
  ),
  badSequence(
    '5.14',
    'a new Text frame (MORE set) inside an unfinished fragmented text message',
    [f(OP.TEXT, 'fragment1', true), f(OP.TEXT, 'fragment2', true), f(OP.CONTINUATION, 'fragment3')],
    'frame by frame',
  ),
  badSequence(
    '5.15',
    'a Binary frame inside an unfinished fragmented text message',
    [f(OP.TEXT, 'fragment1', true), f(OP.BINARY, binaryPattern(4))],
    'one write',
  ),
  {
    kind: 'frames',
    id: '5.16',
    title: 'a valid fragmented message, then a continuation with nothing to continue',
    draft: '4.3',
    expectation: 'The valid message is echoed; then the connection is failed.',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        prelude: {
          steps: [Buffer.concat([f(OP.TEXT, 'fragment1', true), f(OP.CONTINUATION, 'fragment2')])],
          expected: [text('fragment1fragment2')],
        },
        bad: [f(OP.CONTINUATION, 'fragment3')],
        ignored: 'NON-STRICT',
        why: SEQUENCE_WHY,
      }),
  },
  fivePings('5.17', 'one write'),
  fivePings('5.18', 'frame by frame'),
  fivePings('5.19', 'byte by byte'),
  {
    kind: 'frames',
    id: '5.20',
    title: 'text message with empty first and last fragments (84 00, 80 03 "abc", 00 00)',
    draft: '4.3',
    expectation: 'Echoed as "abc": empty fragments are legal.',
    modes: BOTH,
    run: (ctx) => expectEcho(ctx, [fromHex('84 00 80 03 61 62 63 00 00')], [text('abc')]),
  },
  {
    kind: 'frames',
    id: '5.21',
    title: 'binary message of 1,000 one-byte fragments',
    draft: '4.3',
    expectation: 'Echoed as one 1,000-byte binary message.',
    modes: BOTH,
    run: (ctx) => {
      const payload = binaryPattern(1000, 9);
      return expectEcho(ctx, [Buffer.concat(fragments(OP.BINARY, payload, 1))], [binary(payload)]);
    },
  },
  {
    kind: 'frames',
    id: '5.22',
    title: 'text "€" split inside its UTF-8 sequence (E2 | 82 AC) across fragments',
    draft: '4.3, 6',
    expectation: 'Echoed as "€": fragments are joined before the text is decoded.',
    modes: BOTH,
    run: (ctx) => expectEcho(ctx, [Buffer.concat(fragments(OP.TEXT, utf8('€'), 1))], [text('€')]),
  },
  {
    kind: 'frames',
    id: '5.23',
    title: 'two fragmented messages back to back, one binary and one text',
    draft: '4.3',
    expectation: 'Both echoed, in order, with their types.',
    modes: BOTH,
    run: (ctx) => {
      const b = binaryPattern(50);
      return expectEcho(
        ctx,
        [
          Buffer.concat([
            ...fragments(OP.BINARY, b, 20),
            ...fragments(OP.TEXT, utf8('second message'), 4),
          ]),
        ],
        [binary(b), text('second message')],
        { reordered: 'FAILED' },
      );
    },
  },
  {
    kind: 'frames',
    id: '5.24',
    title: 'valid message after a fragmented one with a Pong between fragments',
    draft: '4.3, 4.4',
    expectation: 'Both messages echoed; the unsolicited Pong is not answered.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [
          Buffer.concat([
            f(OP.TEXT, 'frag', true),
            f(OP.PONG, 'unsolicited'),
            f(OP.CONTINUATION, 'mented'),
            textFrame('next'),
          ]),
        ],
        [text('fragmented'), text('next')],
        { reordered: 'FAILED' },
      ),
  },
];
