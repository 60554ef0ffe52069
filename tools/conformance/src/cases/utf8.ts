/**
 * Section 6, UTF-8 handling (draft-02 section 6). A client must turn every invalid sequence
 * into U+FFFD (6.1); what a server does is left open (6.2) — replace (this project's default),
 * fail the connection, or anything else — so server-mode invalid cases are INFORMATIONAL,
 * recording the policy seen.
 */
import { fromHex, printable, sameBytes, utf8 } from '../wire/bytes.js';
import { fragments, frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
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
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const replacing = new TextDecoder('utf-8', { ignoreBOM: true });

function isValid(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Frames carrying `payload` as one text message: whole, or in pieces of `size` bytes. */
function textFrames(payload: Buffer, size?: number): Buffer {
  return size === undefined ? textFrame(payload) : Buffer.concat(fragments(OP.TEXT, payload, size));
}

/** Sends a text message (maybe invalid UTF-8) and a probe; judges the echo by section 6. */
async function utf8Echo(
  ctx: FrameCaseContext,
  payload: Buffer,
  size?: number,
): Promise<CaseOutcome> {
  if (isValid(payload)) return expectEcho(ctx, [textFrames(payload, size)], [text(payload)]);
  // The WHATWG decoder's U+FFFD replacement (one per maximal subpart): an independent reference.
  const replaced = utf8(replacing.decode(payload));
  const sending = ctx.conn.send(textFrames(payload, size), textFrame('probe'));
  const got = await collect(ctx, 2);
  await sending;
  for (const e of got.events) ctx.note(`received ${describe(e)}`);
  const v = senderViolation(ctx);
  if (v) return v;
  const first = got.events[0];
  const server = ctx.mode === 'server';
  const policy = (what: string, clientVerdict: CaseOutcome['verdict']): CaseOutcome =>
    server
      ? informational(`server policy: ${what} (6.2 leaves this open)`)
      : {
          verdict: clientVerdict,
          reason: `${what}; 6.1 requires each invalid sequence to become U+FFFD`,
        };
  if (first === undefined || first.type !== 'message') {
    if (got.end === 'closed' || first?.type === 'close')
      return policy('failed the connection on invalid UTF-8', 'FAILED');
    return failed(
      `no answer to the text message (${got.end}${first ? `, received ${first.type}` : ''})`,
    );
  }
  if (first.binary) return failed('echoed the text message as a binary message');
  if (!first.binary && first.data.toString('latin1') === 'probe' && got.events.length === 1) {
    return policy('dropped the invalid text message silently (the probe was echoed)', 'FAILED');
  }
  if (sameBytes(first.data, replaced)) {
    return server
      ? informational(
          'server policy: replaced each invalid sequence with U+FFFD, as 6.1 asks of clients (6.2 leaves servers free)',
        )
      : ok('replaced each invalid sequence with U+FFFD (6.1)');
  }
  if (sameBytes(first.data, payload)) {
    return server
      ? nonStrict('echoed the invalid bytes verbatim in a Text frame (4.5: text is UTF-8)')
      : failed('passed the invalid bytes through instead of U+FFFD (6.1)');
  }
  if (isValid(first.data) && replacing.decode(first.data).includes('\uFFFD')) {
    return server
      ? informational(
          `server policy: replaced invalid sequences with U+FFFD, with another granularity than WHATWG's (${printable(first.data, 60)})`,
        )
      : nonStrict(
          `replaced with U+FFFD, but not one per maximal subpart as the WHATWG decoder does (${printable(first.data, 60)})`,
        );
  }
  return failed(`echoed something else: ${printable(first.data, 60)}`);
}

function utf8Case(id: string, title: string, payload: Buffer, size?: number): FrameCase {
  const valid = isValid(payload);
  return {
    kind: 'frames',
    id,
    title,
    draft: valid ? '4.5, 6' : '6.1, 6.2',
    expectation: valid
      ? 'Valid UTF-8: echoed unchanged.'
      : 'Invalid UTF-8: a client replaces each invalid sequence with U+FFFD (6.1); a server may replace, fail or otherwise (6.2, INFORMATIONAL).',
    modes: BOTH,
    run: (ctx) => utf8Echo(ctx, payload, size),
  };
}

const KOSME = fromHex('ce ba e1 bd b9 cf 83 ce bc ce b5'); // κόσμε

const VALID_CODE_POINTS: readonly [string, number][] = [
  ['U+0000', 0x0],
  ['U+007F', 0x7f],
  ['U+0080', 0x80],
  ['U+07FF', 0x7ff],
  ['U+0800', 0x800],
  ['U+D7FF', 0xd7ff],
  ['U+E000', 0xe000],
  ['U+FFFD', 0xfffd],
  ['U+FFFE (noncharacter, valid UTF-8)', 0xfffe],
  ['U+FFFF (noncharacter, valid UTF-8)', 0xffff],
  ['U+10000', 0x10000],
  ['U+10FFFF', 0x10ffff],
];

const INVALID: readonly [string, string][] = [
  ['lone continuation byte 80', '80'],
  ['lone continuation byte BF', 'bf'],
  ['two continuation bytes 80 BF', '80 bf'],
  ['seven continuation bytes', '80 bf 80 bf 80 bf 80'],
  [
    'all 64 continuation bytes 80–BF',
    Array.from({ length: 64 }, (_, i) => (0x80 + i).toString(16)).join(' '),
  ],
  ['lonely start byte C0 followed by a space', 'c0 20'],
  ['lonely start byte E0 followed by a space', 'e0 20'],
  ['lonely start byte F0 followed by a space', 'f0 20'],
  ['lonely start byte F8 followed by a space', 'f8 20'],
  ['lonely start byte FC followed by a space', 'fc 20'],
  ['2-byte sequence missing its last byte (C2)', 'c2'],
  ['3-byte sequence missing its last byte (E0 A0)', 'e0 a0'],
  ['4-byte sequence missing its last byte (F0 90 80)', 'f0 90 80'],
  ['truncated sequences concatenated (C2 E0 A0 F0 90 80)', 'c2 e0 a0 f0 90 80'],
  ['impossible byte FE', 'fe'],
  ['impossible byte FF', 'ff'],
  ['impossible bytes FE FE FF FF', 'fe fe ff ff'],
  ['overlong "/" in 2 bytes (C0 AF)', 'c0 af'],
  ['overlong "/" in 3 bytes (E0 80 AF)', 'e0 80 af'],
  ['overlong "/" in 4 bytes (F0 80 80 AF)', 'f0 80 80 af'],
  ['largest overlong 2-byte sequence (C1 BF)', 'c1 bf'],
  ['largest overlong 3-byte sequence (E0 9F BF)', 'e0 9f bf'],
  ['largest overlong 4-byte sequence (F0 8F BF BF)', 'f0 8f bf bf'],
  ['overlong NUL (C0 80)', 'c0 80'],
  ['UTF-16 surrogate U+D800 (ED A0 80)', 'ed a0 80'],
  ['UTF-16 surrogate U+DFFF (ED BF BF)', 'ed bf bf'],
  ['surrogate pair U+D800 U+DC00 encoded separately (CESU-8)', 'ed a0 80 ed b0 80'],
  ['code point above U+10FFFF (F4 90 80 80)', 'f4 90 80 80'],
  ['F7 BF BF BF (above U+10FFFF)', 'f7 bf bf bf'],
  ['5-byte form (F8 88 80 80 80)', 'f8 88 80 80 80'],
  ['6-byte form (FC 84 80 80 80 80)', 'fc 84 80 80 80 80'],
];

function cp(n: number): Buffer {
  return utf8(String.fromCodePoint(n));
}

export const utf8Cases: readonly FrameCase[] = [
  {
    kind: 'frames',
    id: '6.1.1',
    title: 'empty text message',
    draft: '4.5',
    expectation: 'Echoed as an empty text message.',
    modes: BOTH,
    run: (ctx) => expectEcho(ctx, [textFrame('')], [text('')]),
  },
  {
    kind: 'frames',
    id: '6.1.2',
    title: 'text message of three empty fragments',
    draft: '4.3, 4.5',
    expectation: 'Echoed as an empty text message.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [
          Buffer.concat([
            frameBytes({ op: OP.TEXT, more: true }),
            frameBytes({ op: OP.CONTINUATION, more: true }),
            frameBytes({ op: OP.CONTINUATION }),
          ]),
        ],
        [text('')],
      ),
  },
  {
    kind: 'frames',
    id: '6.1.3',
    title: 'text message: empty, "middle frame payload", empty fragments',
    draft: '4.3, 4.5',
    expectation: 'Echoed as "middle frame payload".',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [
          Buffer.concat([
            frameBytes({ op: OP.TEXT, more: true }),
            frameBytes({ op: OP.CONTINUATION, more: true, payload: 'middle frame payload' }),
            frameBytes({ op: OP.CONTINUATION }),
          ]),
        ],
        [text('middle frame payload')],
      ),
  },
  utf8Case(
    '6.2.1',
    'valid UTF-8 "Hello-µ@ßöäüàá-UTF-8!!" in one frame',
    utf8('Hello-µ@ßöäüàá-UTF-8!!'),
  ),
  {
    kind: 'frames',
    id: '6.2.2',
    title: 'valid UTF-8 fragmented at code point boundaries',
    draft: '4.3, 6',
    expectation: 'Echoed unchanged.',
    modes: BOTH,
    run: (ctx) => {
      const s = 'Hello-µ@ßöäüàá-UTF-8!!';
      const chars = [...s];
      const frames = chars.map((c, i) =>
        frameBytes({
          op: i === 0 ? OP.TEXT : OP.CONTINUATION,
          more: i < chars.length - 1,
          payload: c,
        }),
      );
      return expectEcho(ctx, [Buffer.concat(frames)], [text(s)]);
    },
  },
  {
    kind: 'frames',
    id: '6.2.3',
    title: 'valid UTF-8 in one frame, written one byte per write',
    draft: '6',
    expectation: 'Echoed unchanged.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(
        ctx,
        [{ bytewise: textFrame('Hello-µ@ßöäüàá-UTF-8!!'), pause: 1 }],
        [text('Hello-µ@ßöäüàá-UTF-8!!')],
        { ms: ctx.timeout * 2 },
      ),
  },
  utf8Case('6.2.4', 'valid UTF-8 "κόσμε" in one-byte fragments (sequences split)', KOSME, 1),
  utf8Case(
    '6.3.1',
    '"κόσμε" followed by a UTF-16 surrogate and "edited" (invalid)',
    fromHex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64'),
  ),
  utf8Case(
    '6.3.2',
    'the same invalid text in one-byte fragments',
    fromHex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64'),
    1,
  ),
  {
    kind: 'frames',
    id: '6.4.1',
    title: 'invalid sequence (F4 90 80 80) in the middle fragment of three',
    draft: '6.1, 6.2',
    expectation: 'As 6.3.1: replaced (client), any policy (server, INFORMATIONAL).',
    modes: BOTH,
    run: (ctx) => {
      const payload = Buffer.concat([KOSME, fromHex('f4 90 80 80'), utf8('edited')]);
      return utf8Echo(ctx, payload, KOSME.length);
    },
  },
  utf8Case('6.5.1', 'valid "κόσμε"', KOSME),
  ...VALID_CODE_POINTS.map(([name, n], i) =>
    utf8Case(`6.5.${i + 2}`, `valid code point ${name}`, cp(n)),
  ),
  {
    kind: 'frames',
    id: '6.5.14',
    title: 'a leading U+FEFF (BOM) is content, kept',
    draft: '4.5, 6',
    expectation: 'Echoed with the EF BB BF bytes: a receiver must not strip it.',
    modes: BOTH,
    run: (ctx) =>
      expectEcho(ctx, [textFrame(fromHex('ef bb bf 68 69'))], [text(fromHex('ef bb bf 68 69'))]),
  },
  ...INVALID.map(([name, hex], i) => utf8Case(`6.6.${i + 1}`, `invalid: ${name}`, fromHex(hex))),
];
