/**
 * Section 7, Close handling (draft-02 section 7, no status codes): a Close is answered by a
 * Close echoing its body unless one was sent; data after a Close is discarded; the server then
 * closes the TCP connection (a client waits for it, with a timeout).
 */
import type { SendStep } from '../peer/wire-connection.js';
import { asciiPattern, binaryPattern, fromHex, printable, sameBytes, utf8 } from '../wire/bytes.js';
import { frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import {
  type CaseOutcome,
  type FrameCase,
  type FrameCaseContext,
  failed,
  informational,
  nonStrict,
  ok,
} from './case.js';
import { collect, describe, expectEcho, senderViolation, text } from './expect.js';

const BOTH = ['server', 'client'] as const;
const close = (body: Uint8Array | string = '') => frameBytes({ op: OP.CLOSE, payload: body });

interface CloseExpectation {
  /** Body the peer's Close should carry (echo of ours). */
  readonly body: Uint8Array;
  /** Messages expected before the Close (echoes of data sent before ours). */
  readonly before?: readonly Uint8Array[];
}

/**
 * Sends `steps` (ending with our Close somewhere), then expects: the echoes in `before`, then a
 * Close with `body`, nothing else; in server mode the server then closes TCP.
 */
async function expectCloseHandshake(
  ctx: FrameCaseContext,
  steps: readonly SendStep[],
  expect: CloseExpectation,
): Promise<CaseOutcome> {
  const sending = ctx.conn.send(...steps);
  const before = expect.before ?? [];
  const got = await collect(ctx, before.length + 1, ctx.timeout * (before.length > 0 ? 2 : 1));
  await sending;
  for (const e of got.events) ctx.note(`received ${describe(e)}`);
  const v = senderViolation(ctx);
  if (v) return v;
  for (let i = 0; i < before.length; i++) {
    const e = got.events[i];
    if (e?.type !== 'message' || !sameBytes(e.data, before[i]!)) {
      return failed(
        `expected the echo of message ${i + 1} before the Close, received ${e ? describe(e) : got.end}`,
      );
    }
  }
  const closeFrame = got.events[before.length];
  if (closeFrame === undefined) {
    return failed(
      got.end === 'closed'
        ? 'closed TCP without answering the Close with a Close (7)'
        : `no Close answered ours within ${ctx.timeout} ms`,
    );
  }
  if (closeFrame.type !== 'close')
    return failed(
      `expected the Close answer, received ${describe(closeFrame)} (data after a Close must be discarded)`,
    );
  let result = sameBytes(closeFrame.data, expect.body)
    ? ok(`answered with a Close echoing the ${expect.body.length}-byte body`)
    : nonStrict(
        `answered with a Close whose body [${printable(closeFrame.data, 40)}] does not echo ours [${printable(expect.body, 40)}]`,
      );
  // Anything after the Close answer must not be data.
  const after = await ctx.conn.nextEvent(ctx.mode === 'server' ? ctx.timeout : 200);
  if (
    after.type === 'message' ||
    after.type === 'pong' ||
    after.type === 'ping' ||
    after.type === 'close'
  ) {
    return failed(`sent ${describe(after)} after its Close (7: nothing follows a Close)`);
  }
  if (ctx.mode === 'server') {
    if (after.type === 'closed') return result;
    result = nonStrict(
      `${result.reason}, but did not close TCP within ${ctx.timeout} ms (7: the server closes the connection)`,
    );
  }
  return result;
}

function closeBodyCase(id: string, title: string, body: Buffer): FrameCase {
  return {
    kind: 'frames',
    id,
    title,
    draft: '7',
    expectation:
      'A Close echoing the body (arbitrary bytes in -02: no status codes, no length limit).',
    modes: BOTH,
    run: (ctx) => expectCloseHandshake(ctx, [close(body)], { body }),
  };
}

export const closingCases: readonly FrameCase[] = [
  {
    kind: 'frames',
    id: '7.1.1',
    title: 'text message, then Close',
    draft: '7',
    expectation:
      'The echo, then a Close with an empty body; then (server) the TCP connection is closed by the server.',
    modes: BOTH,
    run: (ctx) =>
      expectCloseHandshake(ctx, [Buffer.concat([textFrame('Hello'), close()])], {
        body: Buffer.alloc(0),
        before: [utf8('Hello')],
      }),
  },
  {
    kind: 'frames',
    id: '7.1.2',
    title: 'Close right after the handshake',
    draft: '7',
    expectation: 'A Close with an empty body.',
    modes: BOTH,
    run: (ctx) => expectCloseHandshake(ctx, [close()], { body: Buffer.alloc(0) }),
  },
  {
    kind: 'frames',
    id: '7.1.3',
    title: 'Close, then a text message in the same write',
    draft: '7',
    expectation: 'A Close; the text after our Close is discarded, not echoed.',
    modes: BOTH,
    run: (ctx) =>
      expectCloseHandshake(ctx, [Buffer.concat([close(), textFrame('after close')])], {
        body: Buffer.alloc(0),
      }),
  },
  {
    kind: 'frames',
    id: '7.1.4',
    title: 'Close, then a Ping in the same write',
    draft: '7',
    expectation: 'A Close and no Pong.',
    modes: BOTH,
    run: (ctx) =>
      expectCloseHandshake(
        ctx,
        [Buffer.concat([close(), frameBytes({ op: OP.PING, payload: 'after close' })])],
        { body: Buffer.alloc(0) },
      ),
  },
  {
    kind: 'frames',
    id: '7.1.5',
    title: 'first fragment of a text message, Close, then the last fragment',
    draft: '7, 4.3',
    expectation: 'A Close; the unfinished message is discarded (no echo).',
    modes: BOTH,
    run: (ctx) =>
      expectCloseHandshake(
        ctx,
        [
          Buffer.concat([
            frameBytes({ op: OP.TEXT, more: true, payload: 'fragment1' }),
            close(),
            frameBytes({ op: OP.CONTINUATION, payload: 'fragment2' }),
          ]),
        ],
        { body: Buffer.alloc(0) },
      ),
  },
  {
    kind: 'frames',
    id: '7.1.6',
    title: '256 KiB text message, then Close, in one write',
    draft: '7',
    expectation: 'The whole echo, then the Close.',
    modes: BOTH,
    run: (ctx) => {
      const payload = asciiPattern(256 * 1024, 5);
      return expectCloseHandshake(ctx, [Buffer.concat([textFrame(payload), close()])], {
        body: Buffer.alloc(0),
        before: [payload],
      });
    },
  },
  closeBodyCase('7.2.1', 'Close with body "Hello"', utf8('Hello')),
  closeBodyCase(
    '7.2.2',
    'Close with body 03 E8 (RFC 6455 code 1000; just two bytes in -02)',
    fromHex('03 e8'),
  ),
  closeBodyCase('7.2.3', 'Close with a non-UTF-8 body FF FE 00 01', fromHex('ff fe 00 01')),
  closeBodyCase('7.2.4', 'Close with a 125-byte body', binaryPattern(125)),
  closeBodyCase(
    '7.2.5',
    'Close with a 200-byte body (16-bit length; no limit in -02)',
    binaryPattern(200, 4),
  ),
  closeBodyCase('7.2.6', 'Close with a 65536-byte body (63-bit length)', binaryPattern(65536, 8)),
  {
    kind: 'frames',
    id: '7.3.1',
    title: 'two Close frames in one write',
    draft: '7',
    expectation: 'One Close answers; the second Close is discarded.',
    modes: BOTH,
    run: (ctx) =>
      expectCloseHandshake(ctx, [Buffer.concat([close('first'), close('second')])], {
        body: utf8('first'),
      }),
  },
  {
    kind: 'frames',
    id: '7.3.2',
    title: 'Close with MORE set (a fragmented control frame)',
    draft: '7, 4.4',
    expectation: 'The connection ends: failed (TCP closed) or closed after a Close.',
    modes: BOTH,
    run: async (ctx) => {
      await ctx.conn.send(
        frameBytes({ op: OP.CLOSE, more: true, payload: 'fragment' }),
        textFrame('probe'),
      );
      const got = await collect(ctx, 1);
      for (const e of got.events) ctx.note(`received ${describe(e)}`);
      const v = senderViolation(ctx);
      if (v) return v;
      const e = got.events[0];
      if (e === undefined && got.end === 'closed') return ok('failed the connection (closed TCP)');
      if (e?.type === 'close') return ok('answered with a Close');
      if (e?.type === 'message')
        return nonStrict(
          'ignored the Close with MORE set and echoed the next message (4.4 leaves fragmented control frames open)',
        );
      return failed(`the connection neither ended nor answered (${e ? describe(e) : got.end})`);
    },
  },
  {
    kind: 'frames',
    id: '7.3.3',
    title: 'Close written one byte per write',
    draft: '7',
    expectation: 'A Close echoing the body.',
    modes: BOTH,
    run: (ctx) =>
      expectCloseHandshake(ctx, [{ bytewise: close('bytewise'), pause: 2 }], {
        body: utf8('bytewise'),
      }),
  },
  {
    kind: 'frames',
    id: '7.4.1',
    title: 'TCP half-close (FIN) after a message, no Close frame',
    draft: '7',
    expectation:
      'The peer closes its side at once ("when a peer notices the other side closed TCP, it closes its side").',
    modes: BOTH,
    run: async (ctx) => {
      const echo = await expectEcho(ctx, [textFrame('before FIN')], [text('before FIN')]);
      if (echo.verdict !== 'OK') return echo;
      await ctx.conn.send({ halfClose: true });
      const closed = await ctx.conn.waitClosed(ctx.timeout);
      const v = senderViolation(ctx);
      if (v) return v;
      return closed
        ? ok('closed its side after our FIN')
        : nonStrict(
            `kept its side open ${ctx.timeout} ms after our FIN (7: it should close at once)`,
          );
    },
  },
  {
    kind: 'frames',
    id: '7.5.1',
    title: 'client only: after the closing handshake the server keeps TCP open',
    draft: '7',
    expectation:
      'The client closes TCP itself after a timeout (7: "a client closes it after a timeout if the server doesn\'t").',
    modes: ['client'],
    slow: true,
    run: async (ctx) => {
      await ctx.conn.send(close('bye'));
      const got = await collect(ctx, 1);
      if (got.events[0]?.type !== 'close')
        return failed(`no Close answer (${got.events[0] ? describe(got.events[0]) : got.end})`);
      const started = performance.now();
      const closed = await ctx.conn.waitClosed(15_000);
      const after = Math.round(performance.now() - started);
      return closed
        ? informational(`closed TCP ${after} ms after the closing handshake`)
        : nonStrict('still holding the TCP connection 15 s after the closing handshake');
    },
  },
];
