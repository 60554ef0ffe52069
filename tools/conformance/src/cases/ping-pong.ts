/** Section 2, Pings/Pongs (draft-02 4.4): no 125-byte limit on control frames in -02. */
import { binaryPattern, fromHex, sameBytes, utf8 } from '../wire/bytes.js';
import { frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import { type FrameCase, nonStrict } from './case.js';
import { collect, expectEcho, pong, senderViolation, text } from './expect.js';

const BOTH = ['server', 'client'] as const;
const ping = (payload: Uint8Array | string = '') => frameBytes({ op: OP.PING, payload });
const unsolicitedPong = (payload: Uint8Array | string = '') => frameBytes({ op: OP.PONG, payload });

function pingCase(id: string, title: string, payload: Buffer, extra = ''): FrameCase {
  return {
    kind: 'frames',
    id,
    title,
    draft: '4.4',
    expectation: `A Pong with identical application data${extra}.`,
    modes: BOTH,
    run: (ctx) => expectEcho(ctx, [ping(payload)], [pong(payload)]),
  };
}

export const pingPongCases: readonly FrameCase[] = [
  pingCase('2.1', 'Ping without payload', Buffer.alloc(0)),
  {
    kind: 'frames',
    id: '2.2',
    title: '4.6 example: ping 02 05 "Hello"',
    draft: '4.6, 4.4',
    expectation: 'The Pong 03 05 48 65 6c 6c 6f.',
    modes: BOTH,
    run: async (ctx) => {
      const sending = ctx.conn.send(fromHex('02 05 48 65 6c 6c 6f'));
      const got = await collect(ctx, 1);
      await sending;
      const v = senderViolation(ctx);
      if (v) return v;
      const e = got.events[0];
      if (e?.type !== 'pong' || !sameBytes(e.data, utf8('Hello'))) {
        return {
          verdict: 'FAILED',
          reason: e ? `received ${e.type}, not the pong` : `no pong (${got.end})`,
        };
      }
      const wire = Buffer.concat([e.frame.header, e.frame.payload]);
      if (sameBytes(wire, fromHex('03 05 48 65 6c 6c 6f')))
        return { verdict: 'OK', reason: 'answered with exactly 03 05 "Hello"' };
      return nonStrict(`answered "Hello" with header ${e.frame.header.toString('hex')}, not 03 05`);
    },
  },
  pingCase(
    '2.3',
    'Ping with binary payload 00 01 … fe ff',
    fromHex('00 01 02 03 04 05 06 07 fe ff'),
  ),
  pingCase('2.4', 'Ping with 125-byte payload', binaryPattern(125)),
  pingCase(
    '2.5',
    'Ping with 126-byte payload (16-bit length)',
    binaryPattern(126),
    '; -02 has no 125-byte limit on control frames',
  ),
  pingCase(
    '2.6',
    'Ping with 200-byte payload',
    binaryPattern(200, 1),
    '; -02 has no 125-byte limit (SPEC-NOTES)',
  ),
  pingCase(
    '2.7',
    'Ping with 65536-byte payload (63-bit length)',
    binaryPattern(65536, 2),
    '; no size limit on control frames in -02',
  ),
  {
    kind: 'frames',
    id: '2.8',
    title: 'unsolicited Pong without payload, then a text message',
    draft: '4.4',
    expectation: 'Nothing answers the Pong; the text message is echoed.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [Buffer.concat([unsolicitedPong(), textFrame('after pong')])],
        [text('after pong')],
      ),
  },
  {
    kind: 'frames',
    id: '2.9',
    title: 'unsolicited Pong with payload, then a text message',
    draft: '4.4',
    expectation: 'Nothing answers the Pong; the text message is echoed.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [Buffer.concat([unsolicitedPong('unsolicited'), textFrame('after pong')])],
        [text('after pong')],
      ),
  },
  {
    kind: 'frames',
    id: '2.10',
    title: '10 Pings in one write',
    draft: '4.4',
    expectation: "Ten Pongs, in order, each with its Ping's payload.",
    modes: BOTH,
    run: (ctx) => {
      const payloads = Array.from({ length: 10 }, (_, i) => utf8(`payload-${i}`));
      return expectEcho(
        ctx,
        [Buffer.concat(payloads.map((p) => ping(p)))],
        payloads.map((p) => pong(p)),
        { reordered: 'FAILED' },
      );
    },
  },
  {
    kind: 'frames',
    id: '2.11',
    title: '10 Pings, each written one byte per write',
    draft: '4.4',
    expectation: 'Ten Pongs, in order.',
    modes: BOTH,
    run: (ctx) => {
      const payloads = Array.from({ length: 10 }, (_, i) => utf8(`p${i}`));
      return expectEcho(
        ctx,
        payloads.map((p) => ({ bytewise: ping(p), pause: 1 })),
        payloads.map((p) => pong(p)),
        {
          reordered: 'FAILED',
          ms: ctx.timeout * 2,
        },
      );
    },
  },
  {
    kind: 'frames',
    id: '2.12',
    title: 'Ping and a text message in one write',
    draft: '4.4',
    expectation: 'The Pong, then the echo ("as soon as practical": the Pong is not held back).',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [Buffer.concat([ping('first'), textFrame('second')])],
        [pong('first'), text('second')],
      ),
  },
];
