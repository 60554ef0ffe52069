/** Section 4, Opcodes (draft-02 4.2, 4.7): 0x6–0xF are reserved; -02's numbering is not RFC 6455's. */

import { fromHex } from '../wire/bytes.js';
import { frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import type { FrameCase } from './case.js';
import { expectFailure, text } from './expect.js';

const BOTH = ['server', 'client'] as const;
const WHY =
  'a frame with a reserved opcode was ignored; -02 reserves 0x6–0xF for extensions and none is in use (SPEC-NOTES: this project fails the connection)';

const RFC_NAMES: Readonly<Record<number, string>> = {
  8: " (RFC 6455's Close)",
  9: " (RFC 6455's Ping)",
  10: " (RFC 6455's Pong)",
};

function opcodeCase(
  id: string,
  op: number,
  variant: 'empty' | 'payload' | 'after' | 'bytewise',
): FrameCase {
  const frame = frameBytes({ op, payload: variant === 'empty' ? '' : 'reserved payload' });
  const label =
    variant === 'empty'
      ? 'no payload'
      : variant === 'payload'
        ? 'a payload'
        : variant === 'after'
          ? 'a payload, after a valid message, then a Ping'
          : 'a payload, written byte by byte';
  return {
    kind: 'frames',
    id,
    title: `reserved opcode 0x${op.toString(16)}${RFC_NAMES[op] ?? ''} with ${label}`,
    draft: '4.2, 4.7',
    expectation: 'The connection is failed: no extension defines the opcode.',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        ...(variant === 'after'
          ? { prelude: { steps: [textFrame('before')], expected: [text('before')] } }
          : {}),
        bad: [
          variant === 'bytewise' ? { bytewise: frame, pause: 2 } : frame,
          ...(variant === 'after' ? [frameBytes({ op: OP.PING, payload: 'after' })] : []),
        ],
        ignored: 'NON-STRICT',
        why: WHY,
      }),
  };
}

const VARIANTS = ['empty', 'payload', 'after', 'bytewise', 'payload'] as const;

export const opcodeCases: readonly FrameCase[] = [
  ...[0x6, 0x7, 0x8, 0x9, 0xa].map((op, i) => opcodeCase(`4.1.${i + 1}`, op, VARIANTS[i]!)),
  ...[0xb, 0xc, 0xd, 0xe, 0xf].map((op, i) => opcodeCase(`4.2.${i + 1}`, op, VARIANTS[i]!)),
  {
    kind: 'frames',
    id: '4.3.1',
    title: 'an RFC 6455 text frame 81 05 "Hello" (in -02: a Close with MORE set)',
    draft: '4.2, 4.4',
    expectation:
      'Not taken for text: in -02 opcode 0x1 is Close, and MORE on a control frame fails the connection (either way the connection ends).',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [fromHex('81 05 48 65 6c 6c 6f')],
        ignored: 'NON-STRICT',
        why: 'the Close frame with MORE set (4.4: control frames are not fragmented) was neither taken as a Close nor failed the connection',
      }),
  },
  {
    kind: 'frames',
    id: '4.3.2',
    title: 'an RFC 6455 masked text frame 81 85 + mask (in -02: RSV4 set, no masking)',
    draft: '4.2',
    expectation: 'The connection is failed: RSV4 is set and -02 has no masking.',
    modes: BOTH,
    run: (ctx) =>
      expectFailure(ctx, {
        bad: [fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58')],
        ignored: 'NON-STRICT',
        why: 'the RSV4 bit (RFC 6455 mask bit) was ignored',
      }),
  },
];
