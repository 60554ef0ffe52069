/** Section 3, Reserved bits (draft-02 4.2, 4.7): RSV1–RSV3 in byte 0 and RSV4 in byte 1. */
import { binaryPattern } from '../wire/bytes.js';
import { frameBytes, OP, RSV, textFrame } from '../wire/frame-bytes.js';
import type { FrameCase } from './case.js';
import { expectFailure, text } from './expect.js';

const BOTH = ['server', 'client'] as const;
const WHY =
  'the frame with reserved bits set was accepted; 4.2 says they MUST be 0 when no extension defines them, but gives a receiver no rule (SPEC-NOTES: this project fails the connection)';

interface RsvSpec {
  readonly id: string;
  readonly title: string;
  readonly prelude?: boolean;
  readonly bytewise?: boolean;
  readonly bad: Buffer;
  readonly thenPing?: boolean;
}

function rsvCase(spec: RsvSpec): FrameCase {
  return {
    kind: 'frames',
    id: spec.id,
    title: spec.title,
    draft: '4.2, 4.7',
    expectation: `${spec.prelude ? 'The valid message before is echoed; then the' : 'The'} connection is failed (no extension is in use, so no reserved bit may be set).`,
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        ...(spec.prelude
          ? { prelude: { steps: [textFrame('before')], expected: [text('before')] } }
          : {}),
        bad: [
          spec.bytewise ? { bytewise: spec.bad, pause: 2 } : spec.bad,
          ...(spec.thenPing ? [frameBytes({ op: OP.PING, payload: 'after' })] : []),
        ],
        ignored: 'NON-STRICT',
        why: WHY,
      }),
  };
}

export const reservedBitCases: readonly FrameCase[] = [
  rsvCase({
    id: '3.1',
    title: 'RSV1 on a small text frame',
    bad: frameBytes({ op: OP.TEXT, payload: 'Hello', rsv: RSV.RSV1 }),
  }),
  rsvCase({
    id: '3.2',
    title: 'RSV2 on a text frame, after a valid text message, then a Ping',
    prelude: true,
    thenPing: true,
    bad: frameBytes({ op: OP.TEXT, payload: 'Hello', rsv: RSV.RSV2 }),
  }),
  rsvCase({
    id: '3.3',
    title: 'RSV3 on a text frame, written byte by byte, after a valid message',
    prelude: true,
    bytewise: true,
    bad: frameBytes({ op: OP.TEXT, payload: 'Hello', rsv: RSV.RSV3 }),
  }),
  rsvCase({
    id: '3.4',
    title: 'RSV4 (byte 1, new in the -01/-02 layout) on a text frame',
    bad: frameBytes({ op: OP.TEXT, payload: 'Hello', rsv: RSV.RSV4 }),
  }),
  rsvCase({
    id: '3.5',
    title: 'RSV1–RSV4 all set on a binary frame',
    bad: frameBytes({ op: OP.BINARY, payload: binaryPattern(8), rsv: 0b1111 }),
  }),
  rsvCase({
    id: '3.6',
    title: 'RSV2 on a Ping, after a valid message',
    prelude: true,
    bad: frameBytes({ op: OP.PING, payload: 'ping', rsv: RSV.RSV2 }),
  }),
  rsvCase({
    id: '3.7',
    title: 'RSV3 on a Close, after a valid message',
    prelude: true,
    bad: frameBytes({ op: OP.CLOSE, rsv: RSV.RSV3 }),
  }),
  rsvCase({
    id: '3.8',
    title: 'RSV4 on the continuation frame of a fragmented text message',
    bad: Buffer.concat([
      frameBytes({ op: OP.TEXT, more: true, payload: 'frag' }),
      frameBytes({ op: OP.CONTINUATION, payload: 'ment', rsv: RSV.RSV4 }),
    ]),
  }),
];
