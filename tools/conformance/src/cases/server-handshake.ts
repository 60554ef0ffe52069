/**
 * Section 15 (new for draft-02), the opening handshake against a server (5.2): requests the
 * server must accept, with its response checked by 5.1 steps 31–48 and 5.2.2; requests it must
 * abort; the transport (key_3 segmentation, pipelining); limits and abuse.
 */

import type { Verdict } from '../verdict.js';
import { fromHex, utf8 } from '../wire/bytes.js';
import { encodeHead, encodeRequest, type RequestField, withField } from '../wire/client-request.js';
import { textFrame } from '../wire/frame-bytes.js';
import {
  challengeAnswer,
  DRAFT_EXAMPLES,
  makeClientKeys,
  readKey,
} from '../wire/handshake-keys.js';
import {
  type CaseOutcome,
  failed,
  informational,
  nonStrict,
  ok,
  type ServerHandshakeCase,
  type ServerHandshakeContext,
} from './case.js';
import {
  attempt,
  describeResponse,
  expectAbort,
  expectAccept,
  probeEcho,
} from './handshake-attempt.js';
import { standard, withFields } from './server-requests.js';

/** A request built from explicit keys (the draft's worked examples). */
function exampleCase(
  id: string,
  title: string,
  example: { key1: string; key2: string; key3: Buffer; answer: Buffer },
): ServerHandshakeCase {
  return {
    kind: 'server-handshake',
    id,
    title,
    draft: '5.2.2 steps 4–13',
    expectation: `101, Upgrade, Connection, Sec-WebSocket-Location, Sec-WebSocket-Origin, then the 16 bytes ${JSON.stringify(example.answer.toString('latin1'))}.`,
    run: async (ctx) => {
      const s = standard(ctx);
      const fields = withField(
        withField(s.parts.fields, 'Sec-WebSocket-Key1', example.key1),
        'Sec-WebSocket-Key2',
        example.key2,
      );
      const a = await attempt(
        ctx,
        { ...s.parts, fields, key3: example.key3 },
        { location: s.location, answer: example.answer },
      );
      return responseDetails(ctx, a, await probeEcho(ctx, a));
    },
  };
}

/** Adds 5.2.2 step 10–11 details to an accepted response (status line text, extra fields). */
function responseDetails(
  ctx: ServerHandshakeContext,
  a: Awaited<ReturnType<typeof attempt>>,
  outcome: CaseOutcome,
): CaseOutcome {
  a.conn.destroy();
  if (outcome.verdict !== 'OK' || a.response.state !== 'established') return outcome;
  const r = a.response;
  for (const [name, value] of r.fields) ctx.note(`field ${name}: ${value}`);
  if (r.fields.some(([n]) => n === 'sec-websocket-protocol')) {
    return nonStrict(
      'sent Sec-WebSocket-Protocol although no subprotocol was asked for (5.2.2 step 11: must not be included); clients ignore it (5.1 step 44)',
    );
  }
  if (r.statusLine !== 'HTTP/1.1 101 WebSocket Protocol Handshake') {
    return ok(
      `${outcome.reason}; status line ${JSON.stringify(r.statusLine)} (5.2.2 step 10 allows another text)`,
    );
  }
  return outcome;
}

/** A variant of the standard request that must be accepted. */
function acceptCase(
  id: string,
  title: string,
  draft: string,
  expectation: string,
  build: (fields: RequestField[], ctx: ServerHandshakeContext) => RequestField[],
): ServerHandshakeCase {
  return {
    kind: 'server-handshake',
    id,
    title,
    draft,
    expectation,
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, withFields(s, build([...s.parts.fields], ctx)), {
        location: s.location,
        answer: s.answer,
      });
      return responseDetails(ctx, a, await probeEcho(ctx, a));
    },
  };
}

/** A variant of the standard request that must be refused. */
function abortCase(
  id: string,
  title: string,
  draft: string,
  expectation: string,
  accepted: Verdict,
  why: string,
  build: (
    s: ReturnType<typeof standard>,
    ctx: ServerHandshakeContext,
  ) => Parameters<typeof encodeRequest>[0],
): ServerHandshakeCase {
  return {
    kind: 'server-handshake',
    id,
    title,
    draft,
    expectation,
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, build(s, ctx), { location: s.location, answer: s.answer });
      return expectAbort(ctx, a, accepted, why);
    },
  };
}

const key = (digits: string, spaces: number): string => {
  // A key whose digits are `digits` and with `spaces` spaces, none at the ends.
  const body = `x${digits}y`;
  return `${body.slice(0, 1)}${' '.repeat(spaces)}${body.slice(1)}`;
};

export const serverHandshakeCases: readonly ServerHandshakeCase[] = [
  exampleCase(
    '15.1.1',
    'the section 1 example request (Key1 "4 @1  46546xW%0l 1 5", key_3 "^n:ds[4U")',
    DRAFT_EXAMPLES.classic,
  ),
  exampleCase('15.1.2', 'the 5.2.2 worked example keys', DRAFT_EXAMPLES.server),
  exampleCase(
    '15.1.3',
    "the 5.1 worked example keys (13 and 14 random characters: more than step 24's 12)",
    DRAFT_EXAMPLES.client,
  ),
  acceptCase(
    '15.1.4',
    'fields in reverse order',
    '5.1 step 27, 5.2.1',
    'Accepted: servers must not depend on field order.',
    (f) => f.reverse(),
  ),
  acceptCase(
    '15.1.5',
    'field names in odd case (uPGRADE, sec-websocket-KEY1, …)',
    '5.2.1',
    'Accepted: field names are case-insensitive.',
    (f) =>
      f.map((x) =>
        'raw' in x
          ? x
          : ([
              [...x[0]].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join(''),
              x[1],
            ] as const),
      ),
  ),
  acceptCase(
    '15.1.6',
    'Upgrade: websocket and Connection: upgrade in lowercase',
    '5.2.1',
    'Accepted: the values are ASCII case-insensitive.',
    (f) => withField(withField(f, 'Upgrade', 'websocket'), 'Connection', 'upgrade'),
  ),
  acceptCase(
    '15.1.7',
    'unknown fields (User-Agent, X-Custom, Cookie, Sec-WebSocket-Future)',
    '5.2.1 other fields',
    'Accepted: unrecognized fields are ignored.',
    (f) => [
      ...f,
      ['User-Agent', 'ws02-conformance'],
      ['X-Custom', 'a; b=c'],
      ['Cookie', 'session=abc'],
      ['Sec-WebSocket-Future', 'ignore-me'],
    ],
  ),
  {
    kind: 'server-handshake',
    id: '15.1.8',
    title: 'boundary keys: key-number 4,294,967,295 (5 spaces) and key-number 0 (1 space)',
    draft: '5.2.2 steps 4–7',
    expectation: 'Accepted with parts 858,993,459 and 0.',
    run: async (ctx) => {
      const keys = {
        key1: key('4294967295', 5),
        key2: key('0', 1),
        key3: ctx.random.bytes(8),
        number1: 858_993_459,
        number2: 0,
      };
      const s = standard(ctx, ctx.target.resource, keys);
      const a = await attempt(ctx, s.parts, { location: s.location, answer: s.answer });
      return responseDetails(ctx, a, await probeEcho(ctx, a));
    },
  },
  {
    kind: 'server-handshake',
    id: '15.1.9',
    title: 'keys with 12 spaces and 12 random characters each (the most decoration 5.1 allows)',
    draft: '5.1 steps 19–25, 5.2.2',
    expectation: 'Accepted.',
    run: async (ctx) => {
      const keys = makeClientKeys(ctx.random, { spaces: 12, extra: 12 }, { spaces: 12, extra: 12 });
      const s = standard(ctx, ctx.target.resource, keys);
      const a = await attempt(ctx, s.parts, { location: s.location, answer: s.answer });
      return responseDetails(ctx, a, await probeEcho(ctx, a));
    },
  },
  {
    kind: 'server-handshake',
    id: '15.1.10',
    title: 'fields written without a space after the colon (Upgrade:WebSocket)',
    draft: '5.2.1',
    expectation: 'INFORMATIONAL: HTTP allows it; -02 clients always send ": ".',
    run: async (ctx) => {
      const s = standard(ctx);
      const fields: RequestField[] = s.parts.fields.map((f) =>
        'raw' in f ? f : { raw: `${f[0]}:${f[1]}` },
      );
      const a = await attempt(ctx, withFields(s, fields), {
        location: s.location,
        answer: s.answer,
      });
      const r = await probeEcho(ctx, a);
      a.conn.destroy();
      return r.verdict === 'OK'
        ? informational('accepted fields without the optional space')
        : informational(`did not accept: ${describeResponse(a)}`);
    },
  },
  {
    kind: 'server-handshake',
    id: '15.1.11',
    title: 'a subprotocol offered (Sec-WebSocket-Protocol: ws02-conformance-unknown)',
    draft: '5.2.1 |Sec-WebSocket-Protocol|, 5.2.2 step 11',
    expectation:
      'Aborted if the server does not speak it ("should abort"); if it does, the reply names it.',
    run: async (ctx) => {
      const s = standard(ctx);
      const protocol = 'ws02-conformance-unknown';
      const a = await attempt(
        ctx,
        withFields(s, [...s.parts.fields, ['Sec-WebSocket-Protocol', protocol]]),
        {
          location: s.location,
          answer: s.answer,
          protocols: [protocol],
        },
      );
      a.conn.destroy();
      if (a.response.state === 'established')
        return informational(
          `accepted and selected ${protocol}: the server speaks it (or echoes any)`,
        );
      if (a.status === '101') {
        return nonStrict(
          `answered 101 without selecting the protocol (${describeResponse(a)}): a client that offered one fails (5.1 step 44); the server should have aborted`,
        );
      }
      return ok(`aborted: ${describeResponse(a)}`);
    },
  },
  {
    kind: 'server-handshake',
    id: '15.1.12',
    title: 'two subprotocols offered, space-separated (SPEC-NOTES decision)',
    draft: '5.1 step 16, 5.2.2 step 11',
    expectation: 'INFORMATIONAL: refused (neither spoken), or one of the two selected.',
    run: async (ctx) => {
      const s = standard(ctx);
      const offered = ['ws02-a', 'ws02-b'];
      const a = await attempt(
        ctx,
        withFields(s, [...s.parts.fields, ['Sec-WebSocket-Protocol', offered.join(' ')]]),
        {
          location: s.location,
          answer: s.answer,
          protocols: offered,
        },
      );
      a.conn.destroy();
      if (a.response.state === 'established')
        return informational(`selected ${a.response.protocol}`);
      return informational(describeResponse(a));
    },
  },

  // ── 15.2: requests the server must abort ──
  abortCase(
    '15.2.1',
    'Sec-WebSocket-Draft: 99 (no such draft)',
    '5.2.1 |Sec-WebSocket-Draft|',
    'Aborted: "If this value is not equal to a version of the draft protocol that the server understands, the server MUST abort".',
    'FAILED',
    'no server understands a draft 99; -02 says MUST abort',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Draft', '99')),
  ),
  {
    kind: 'server-handshake',
    id: '15.2.2',
    title: 'Sec-WebSocket-Draft: 3 (the next draft)',
    draft: '5.2.1 |Sec-WebSocket-Draft|',
    expectation:
      'INFORMATIONAL: a server that also understands draft 3 may accept; one that does not must abort.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(
        ctx,
        withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Draft', '3')),
        { location: s.location, answer: s.answer },
      );
      a.conn.destroy();
      return informational(describeResponse(a));
    },
  },
  abortCase(
    '15.2.3',
    'no Sec-WebSocket-Draft field (a hixie-76 request)',
    '5.2.1, SPEC-NOTES decision',
    'Refused: not a draft-02 client (SPEC-NOTES); a hixie-76 answer is a deviation.',
    'NON-STRICT',
    'the request without Sec-WebSocket-Draft was answered (as hixie-76/hybi-00); -02 does not say what a server does then',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Draft', undefined)),
  ),
  abortCase(
    '15.2.4',
    'key-number above 4,294,967,295 whose part fits in 32 bits ("8589934590" with 2 spaces)',
    '5.2.2 step 4',
    'Aborted: the key-number itself is above 4,294,967,295 ("a symptom of an attack").',
    'FAILED',
    '5.2.2 step 4 aborts on the key-number, before dividing',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key1', key('8589934590', 2))),
  ),
  abortCase(
    '15.2.5',
    'a key of 400 digits (overflow attempt)',
    '5.2.2 step 4',
    'Aborted.',
    'FAILED',
    'the key-number is far above 4,294,967,295',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key1', key('9'.repeat(400), 1))),
  ),
  abortCase(
    '15.2.6',
    'a key without spaces ("x1234567890y")',
    '5.2.2 step 5',
    'Aborted ("a symptom of a cross-protocol attack"; a naive server divides by zero).',
    'FAILED',
    'zero spaces must abort',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key2', 'x1234567890y')),
  ),
  abortCase(
    '15.2.7',
    'key-number not a multiple of the spaces (11 with 2 spaces)',
    '5.2.2 step 6',
    'Aborted.',
    'FAILED',
    'a key-number not divisible by its spaces must abort',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key1', key('11', 2))),
  ),
  {
    kind: 'server-handshake',
    id: '15.2.8',
    title: 'a key without digits ("a b")',
    draft: '5.2.2 step 4',
    expectation:
      'INFORMATIONAL: -02 reads the digits as a number; with none, aborting or reading 0 are both defensible.',
    run: async (ctx) => {
      const s = standard(ctx);
      const other = readKey(s.keys.key2);
      const a = await attempt(
        ctx,
        withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key1', 'a b')),
        {
          location: s.location,
          answer: challengeAnswer(0, other.part ?? 0, s.keys.key3),
        },
      );
      a.conn.destroy();
      return informational(describeResponse(a));
    },
  },
  abortCase(
    '15.2.9',
    'no Sec-WebSocket-Key1',
    '5.2.1, 5.2.2 step 4',
    'Aborted: no answer can be computed.',
    'FAILED',
    'without Key1 no correct answer exists',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key1', undefined)),
  ),
  abortCase(
    '15.2.10',
    'no Sec-WebSocket-Key2',
    '5.2.1, 5.2.2 step 4',
    'Aborted: no answer can be computed.',
    'FAILED',
    'without Key2 no correct answer exists',
    (s) => withFields(s, withField(s.parts.fields, 'Sec-WebSocket-Key2', undefined)),
  ),
  abortCase(
    '15.2.11',
    'two different Sec-WebSocket-Key1 fields',
    '5.2.1, 8',
    'Aborted: ambiguous ("when in doubt, disconnect", 8).',
    'NON-STRICT',
    'an ambiguous request was answered',
    (s, ctx) =>
      withFields(s, [...s.parts.fields, ['Sec-WebSocket-Key1', makeClientKeys(ctx.random).key1]]),
  ),
  abortCase(
    '15.2.12',
    'method POST',
    '5.2.1 part 1',
    'Aborted.',
    'NON-STRICT',
    'the handshake starts with "GET"; 5.2.1 says the server should abort otherwise',
    (s) => ({
      ...s.parts,
      requestLine: s.parts.requestLine.replace(/^GET/, 'POST'),
    }),
  ),
  {
    kind: 'server-handshake',
    id: '15.2.13',
    title: 'HTTP/1.0 in the request line',
    draft: '5.2.1 part 4',
    expectation: 'INFORMATIONAL: -02 lets a server ignore the version.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(
        ctx,
        { ...s.parts, requestLine: s.parts.requestLine.replace('HTTP/1.1', 'HTTP/1.0') },
        { location: s.location, answer: s.answer },
      );
      a.conn.destroy();
      return informational(describeResponse(a));
    },
  },
  abortCase(
    '15.2.14',
    'no Upgrade field',
    '5.2.1 |Upgrade|',
    'Aborted.',
    'NON-STRICT',
    'Upgrade is an invariant part of the handshake',
    (s) => withFields(s, withField(s.parts.fields, 'Upgrade', undefined)),
  ),
  abortCase(
    '15.2.15',
    'Upgrade: h2c',
    '5.2.1 |Upgrade|',
    'Aborted.',
    'NON-STRICT',
    'Upgrade must be WebSocket',
    (s) => withFields(s, withField(s.parts.fields, 'Upgrade', 'h2c')),
  ),
  abortCase(
    '15.2.16',
    'no Connection field',
    '5.2.1 |Connection|',
    'Aborted.',
    'NON-STRICT',
    'Connection: Upgrade is an invariant part of the handshake',
    (s) => withFields(s, withField(s.parts.fields, 'Connection', undefined)),
  ),
  abortCase(
    '15.2.17',
    'Connection: keep-alive',
    '5.2.1 |Connection|',
    'Aborted.',
    'NON-STRICT',
    'Connection must be Upgrade',
    (s) => withFields(s, withField(s.parts.fields, 'Connection', 'keep-alive')),
  ),
  abortCase(
    '15.2.18',
    'no Host field',
    '5.2.1 |Host|',
    'Aborted.',
    'NON-STRICT',
    'Host is part of every draft-02 request and the Location is built from it',
    (s) => withFields(s, withField(s.parts.fields, 'Host', undefined)),
  ),
  {
    kind: 'server-handshake',
    id: '15.2.19',
    title: 'no Origin field',
    draft: '5.2.1 |Origin|, 5.1 step 14',
    expectation:
      'INFORMATIONAL: a draft-02 client always sends Origin; refusing (this project) or answering an empty Sec-WebSocket-Origin are both seen.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, withFields(s, withField(s.parts.fields, 'Origin', undefined)), {
        location: s.location,
        answer: s.answer,
        origin: '',
      });
      a.conn.destroy();
      return informational(describeResponse(a));
    },
  },
  abortCase(
    '15.2.20',
    'lines ending in LF only',
    '5.2.1',
    'Aborted: lines end in CRLF.',
    'NON-STRICT',
    'LF-only lines were accepted',
    (s) => ({ ...s.parts, eol: '\n' }),
  ),
  abortCase(
    '15.2.21',
    'a continuation line (obs-fold) inside Sec-WebSocket-Key1',
    '5.1 step 18, 5.2.1',
    'Aborted: clients never fold (step 18) and folding makes the key ambiguous.',
    'NON-STRICT',
    'a folded field was accepted',
    (s) => {
      const key1 = s.keys.key1;
      const cut = key1.lastIndexOf(' ');
      const fields: RequestField[] = s.parts.fields.flatMap((f): RequestField[] =>
        !('raw' in f) && f[0] === 'Sec-WebSocket-Key1'
          ? [
              { raw: `Sec-WebSocket-Key1: ${key1.slice(0, cut)}` },
              { raw: ` ${key1.slice(cut + 1)}` },
            ]
          : [f],
      );
      return withFields(s, fields);
    },
  ),
  abortCase(
    '15.2.22',
    'a NUL byte inside a field value',
    '5.2.1, 8',
    'Aborted.',
    'NON-STRICT',
    'a control character in a field was accepted',
    (s) => withFields(s, [...s.parts.fields, ['X-Nul', 'a\u0000b']]),
  ),
  abortCase(
    '15.2.23',
    'an empty Sec-WebSocket-Protocol',
    '3.3, 5.2.1',
    'Aborted: protocols are non-empty.',
    'NON-STRICT',
    'an empty protocol was accepted',
    (s) => withFields(s, [...s.parts.fields, ['Sec-WebSocket-Protocol', '']]),
  ),
  abortCase(
    '15.2.24',
    'Sec-WebSocket-Protocol "chat chat" (a duplicate)',
    '3.3, 5.2.1',
    'Aborted: protocols are unique.',
    'NON-STRICT',
    'a duplicate protocol list was accepted',
    (s) => withFields(s, [...s.parts.fields, ['Sec-WebSocket-Protocol', 'chat chat']]),
  ),
  {
    kind: 'server-handshake',
    id: '15.2.25',
    title: 'a TLS ClientHello sent to the server (cross-protocol)',
    draft: '5.2.1, 8',
    expectation: 'No 101.',
    run: async (ctx) => {
      const hello = fromHex(
        `16 03 01 00 2f 01 00 00 2b 03 03${' 00'.repeat(32)} 00 00 02 00 2f 01 00`,
      );
      const a = await attempt(ctx, undefined, {
        steps: [hello],
        location: ctx.target.locationFor(ctx.target.resource),
        answer: Buffer.alloc(16),
      });
      return expectAbort(ctx, a, 'FAILED', 'a TLS handshake is not a WebSocket request', 'OK');
    },
  },
  {
    kind: 'server-handshake',
    id: '15.2.26',
    title: 'a plain HTTP GET (no Upgrade, no keys)',
    draft: '5.2.1',
    expectation: 'No 101 (any HTTP answer, e.g. 426, or a closed connection).',
    run: async (ctx) => {
      const head = encodeHead({
        requestLine: `GET ${ctx.target.resource} HTTP/1.1`,
        fields: [['Host', ctx.target.hostField]],
      });
      const a = await attempt(ctx, undefined, {
        steps: [head],
        location: ctx.target.locationFor(ctx.target.resource),
        answer: Buffer.alloc(16),
      });
      return expectAbort(ctx, a, 'FAILED', 'a plain GET cannot be upgraded', 'OK');
    },
  },

  // ── 15.3: the transport ──
  {
    kind: 'server-handshake',
    id: '15.3.1',
    title: 'key_3 in its own TCP segment, 200 ms after the head',
    draft: '5.2.1 part 6',
    expectation:
      'Accepted: TCP is a byte stream; key_3 may arrive whenever (SPEC-NOTES: our server must accept it).',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, undefined, {
        steps: [encodeHead(s.parts), { pause: 200 }, s.keys.key3],
        location: s.location,
        answer: s.answer,
      });
      return expectAccept(ctx, a);
    },
  },
  {
    kind: 'server-handshake',
    id: '15.3.2',
    title: 'the whole request one byte per write',
    draft: '5.2.1',
    expectation: 'Accepted.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, undefined, {
        steps: [{ bytewise: encodeRequest(s.parts), pause: 1 }],
        location: s.location,
        answer: s.answer,
        ms: ctx.timeout * 3,
      });
      return expectAccept(ctx, a);
    },
  },
  {
    kind: 'server-handshake',
    id: '15.3.3',
    title: 'the head split inside a field name and between CR and LF',
    draft: '5.2.1',
    expectation: 'Accepted.',
    run: async (ctx) => {
      const s = standard(ctx);
      const bytes = encodeRequest(s.parts);
      const cut1 = bytes.indexOf('Connection') + 4;
      const cut2 = bytes.indexOf('\r\n\r\n') + 1;
      const a = await attempt(ctx, undefined, {
        steps: [
          bytes.subarray(0, cut1),
          { pause: 50 },
          bytes.subarray(cut1, cut2),
          { pause: 50 },
          bytes.subarray(cut2),
        ],
        location: s.location,
        answer: s.answer,
      });
      return expectAccept(ctx, a);
    },
  },
  {
    kind: 'server-handshake',
    id: '15.3.4',
    title: 'a Text frame pipelined right after key_3 in the same write',
    draft: '5.2.1, 5.1 step 50',
    expectation:
      'Accepted and the message echoed (SPEC-NOTES: bytes after key_3 are frames); refusing is NON-STRICT: a conforming client sends data only once established (5.1 step 50), so it never pipelines.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, undefined, {
        steps: [Buffer.concat([encodeRequest(s.parts), textFrame('pipelined')])],
        location: s.location,
        answer: s.answer,
      });
      if (a.response.state !== 'established') {
        a.conn.destroy();
        return nonStrict(
          `${describeResponse(a)} when frame bytes followed key_3 (a conforming client waits for the answer, 5.1 step 50, but lenient servers accept them)`,
        );
      }
      a.conn.inbox.skip(a.response.consumed);
      const event = await a.conn.nextEvent(ctx.timeout);
      a.conn.destroy();
      if (event.type === 'message' && event.data.toString() === 'pipelined')
        return ok('completed the handshake and echoed the pipelined message');
      return failed(`completed the handshake but lost the pipelined message (${event.type})`);
    },
  },
  {
    kind: 'server-handshake',
    id: '15.3.5',
    title: 'only 7 bytes of key_3, then a half-close',
    draft: '5.2.1 part 6',
    expectation: 'No 101: the server cannot answer without the eighth byte.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, undefined, {
        steps: [
          Buffer.concat([encodeHead(s.parts), s.keys.key3.subarray(0, 7)]),
          { halfClose: true },
        ],
        location: s.location,
        answer: s.answer,
      });
      return expectAbort(ctx, a, 'FAILED', 'an answer without key_3 cannot be right', 'NON-STRICT');
    },
  },

  // ── 15.4: limits and abuse ──
  {
    kind: 'server-handshake',
    id: '15.4.1',
    title: '1,000 extra fields',
    draft: '5.2.1 other fields',
    expectation: 'INFORMATIONAL: accepted or refused (-02 sets no limit).',
    run: async (ctx) => {
      const s = standard(ctx);
      const extra: RequestField[] = Array.from(
        { length: 1000 },
        (_, i) => [`X-Extra-${i}`, 'v'] as const,
      );
      const a = await attempt(ctx, withFields(s, [...s.parts.fields, ...extra]), {
        location: s.location,
        answer: s.answer,
      });
      a.conn.destroy();
      return informational(describeResponse(a));
    },
  },
  floodCase('15.4.2', '10,000 extra fields (a header flood)', (s) => {
    const extra: RequestField[] = Array.from(
      { length: 10_000 },
      (_, i) => [`X-Flood-${i}`, 'v'] as const,
    );
    return encodeRequest(withFields(s, [...s.parts.fields, ...extra]));
  }),
  floodCase('15.4.3', 'a 1 MiB field value', (s) =>
    encodeRequest(withFields(s, [...s.parts.fields, ['X-Big', 'a'.repeat(1 << 20)]])),
  ),
  floodCase('15.4.4', 'a 1 MiB resource name', (s) =>
    encodeRequest({ ...s.parts, requestLine: `GET /${'a'.repeat(1 << 20)} HTTP/1.1` }),
  ),
  {
    kind: 'server-handshake',
    id: '15.4.5',
    title: 'a head that never ends (1 MiB of field lines, no blank line)',
    draft: '5.2.1',
    expectation:
      'The server stops reading at its limit and closes (OK); reading on without bound is INFORMATIONAL.',
    run: async (ctx) => {
      const s = standard(ctx);
      const lines = utf8(
        `GET / HTTP/1.1\r\nHost: ${ctx.target.hostField}\r\n${'X-Endless: 0123456789abcdef0123456789abcdef\r\n'.repeat(24_000)}`,
      );
      const a = await attempt(ctx, undefined, {
        steps: [lines],
        location: s.location,
        answer: s.answer,
        ms: ctx.timeout * 2,
      });
      a.conn.destroy();
      if (a.conn.peerClosed || a.response.state === 'refused')
        return ok(`stopped: ${describeResponse(a)}`);
      return informational(`still reading after 1 MiB of head: ${describeResponse(a)}`);
    },
  },
];

function floodCase(
  id: string,
  title: string,
  bytes: (s: ReturnType<typeof standard>) => Buffer,
): ServerHandshakeCase {
  return {
    kind: 'server-handshake',
    id,
    title,
    draft: '5.2.1, 8',
    expectation: 'Refused (a limit); accepting is INFORMATIONAL (-02 sets no limit).',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(ctx, undefined, {
        steps: [bytes(s)],
        location: s.location,
        answer: s.answer,
        ms: ctx.timeout * 2,
      });
      return expectAbort(
        ctx,
        a,
        'INFORMATIONAL',
        'no limit on the head below this size',
        'INFORMATIONAL',
      );
    },
  };
}
