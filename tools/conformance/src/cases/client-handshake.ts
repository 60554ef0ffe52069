/**
 * Section 16 (new for draft-02), the opening handshake against a client (5.1), in client mode:
 * the client's request (steps 6–30), responses it must accept, responses it must fail (steps
 * 31–48: every byte-level rule), and limits.
 */
import { utf8 } from '../wire/bytes.js';
import type { RequestField } from '../wire/client-request.js';
import { fieldValues } from '../wire/client-request-check.js';
import { textFrame } from '../wire/frame-bytes.js';
import { challengeAnswer } from '../wire/handshake-keys.js';
import { encodeResponse, STATUS_LINE, standardResponseFields } from '../wire/server-response.js';
import {
  type CaseOutcome,
  type ClientHandshakeCase,
  type ClientHandshakeContext,
  failed,
  informational,
  nonStrict,
  ok,
} from './case.js';
import {
  acceptAndProbe,
  mustAccept,
  mustFail,
  reactionText,
  respond,
  validResponse,
} from './client-responses.js';

/** A 16.1 case: judge one group of request findings, then complete the handshake. */
function requestCase(
  id: string,
  title: string,
  draft: string,
  expectation: string,
  steps: readonly string[],
): ClientHandshakeCase {
  return {
    kind: 'client-handshake',
    id,
    title,
    draft,
    expectation,
    run: async (ctx) => {
      const found = ctx.findings.filter((f) => steps.includes(f.step));
      const probe = await acceptAndProbe(ctx);
      const worst = found.find((f) => f.severity === 'FAILED') ?? found[0];
      if (worst !== undefined)
        return {
          verdict: worst.severity,
          reason: found.map((f) => `${f.step}: ${f.message}`).join('; '),
        };
      return probe;
    },
  };
}

/** The standard response with its fields transformed. */
function fieldsResponse(
  ctx: ClientHandshakeContext,
  edit: (fields: RequestField[]) => RequestField[],
  statusLine = STATUS_LINE,
  answer?: Buffer,
): Buffer {
  const base = standardResponseFields(ctx.location, ctx.origin);
  return encodeResponse(statusLine, edit([...base]), answer ?? (ctx.answer as Buffer));
}

function replace(fields: RequestField[], name: string, value: string | undefined): RequestField[] {
  const out: RequestField[] = [];
  for (const f of fields) {
    if (!('raw' in f) && f[0].toLowerCase() === name.toLowerCase()) {
      if (value !== undefined) out.push([f[0], value]);
    } else out.push(f);
  }
  return out;
}

function accepting(
  id: string,
  title: string,
  draft: string,
  build: (ctx: ClientHandshakeContext) => Parameters<typeof mustAccept>[1],
  note: string,
): ClientHandshakeCase {
  return {
    kind: 'client-handshake',
    id,
    title,
    draft,
    expectation: 'Accepted (the probe message is echoed).',
    run: (ctx) =>
      typeof ctx.answer === 'string'
        ? Promise.resolve(failed(`no valid answer exists: ${ctx.answer}`))
        : mustAccept(ctx, build(ctx), note),
  };
}

function failing(
  id: string,
  title: string,
  draft: string,
  build: (ctx: ClientHandshakeContext) => Buffer,
  note = title,
): ClientHandshakeCase {
  return {
    kind: 'client-handshake',
    id,
    title,
    draft,
    expectation:
      'The client fails the WebSocket connection (closes it) and never echoes the probe.',
    run: (ctx) =>
      typeof ctx.answer === 'string'
        ? Promise.resolve(failed(`no valid answer exists: ${ctx.answer}`))
        : mustFail(ctx, [build(ctx)], note),
  };
}

/** The raw standard response text with a substitution (for byte-level breakage). */
function rawResponse(
  ctx: ClientHandshakeContext,
  mutate: (head: string) => string,
  answer?: Buffer,
): Buffer {
  const head = fieldsResponse(ctx, (f) => f)
    .subarray(0, -16)
    .toString('utf8');
  return Buffer.concat([utf8(mutate(head)), answer ?? (ctx.answer as Buffer)]);
}

export const clientHandshakeCases: readonly ClientHandshakeCase[] = [
  // ── 16.1: the client's request ──
  requestCase(
    '16.1.1',
    'request line: GET, HTTP/1.1',
    '5.1 step 6',
    'GET <resource name> HTTP/1.1.',
    ['5.1 step 6'],
  ),
  requestCase(
    '16.1.2',
    'Upgrade: WebSocket and Connection: Upgrade',
    '5.1 steps 8–9',
    'Exactly one of each, with these values.',
    ['5.1 step 8', '5.1 step 9'],
  ),
  requestCase(
    '16.1.3',
    'Sec-WebSocket-Draft: 2',
    '5.1 step 15',
    'Exactly one Sec-WebSocket-Draft field, value 2.',
    ['5.1 step 15'],
  ),
  requestCase(
    '16.1.4',
    'Sec-WebSocket-Key1/Key2 built as steps 19–26 say',
    '5.1 steps 19–26',
    '1–12 spaces, not at the ends; 1–12 random non-digit characters; product ≤ 4,294,967,295 and a multiple of the spaces.',
    ['5.1 steps 19–26'],
  ),
  requestCase(
    '16.1.5',
    'fields written as "Name: value", no continuation lines',
    '5.1 step 18',
    'Canonical "Name: value" lines.',
    ['5.1 step 18'],
  ),
  {
    kind: 'client-handshake',
    id: '16.1.6',
    title: 'key_3 is 8 bytes and nothing follows it before the server answers',
    draft: '5.1 steps 29–30, 50',
    expectation:
      'Eight bytes after the blank line, then silence until the handshake is answered (no frames before the connection is established).',
    run: async (ctx) => {
      const early = await ctx.conn.waitFor(() => ctx.conn.inbox.length > 0, 150);
      if (early) {
        const n = ctx.conn.inbox.length;
        await acceptAndProbe(ctx);
        return failed(`sent ${n} bytes after key_3 before the server's handshake arrived`);
      }
      return acceptAndProbe(ctx);
    },
  },
  {
    kind: 'client-handshake',
    id: '16.1.7',
    title: 'fields in a random order across connections',
    draft: '5.1 step 27',
    expectation:
      'The field order varies between handshakes ("in a random order so that servers not depend on the particular order").',
    run: async (ctx) => {
      const orders = new Set(
        ctx.history.map((r) => r.fields.map(([n]) => n.toLowerCase()).join(',')),
      );
      const probe = await acceptAndProbe(ctx);
      if (probe.verdict !== 'OK') return probe;
      if (ctx.history.length < 5)
        return informational(`only ${ctx.history.length} handshakes seen so far: too few to judge`);
      return orders.size > 1
        ? ok(`${orders.size} different field orders in ${ctx.history.length} handshakes`)
        : nonStrict(
            `the same field order in all ${ctx.history.length} handshakes (step 27 asks for a random order)`,
          );
    },
  },
  {
    kind: 'client-handshake',
    id: '16.1.8',
    title: 'keys and key_3 differ across connections',
    draft: '5.1 steps 19–29',
    expectation: 'Fresh random keys for every handshake.',
    run: async (ctx) => {
      const keys3 = new Set(ctx.history.map((r) => r.key3.toString('hex')));
      const keys1 = new Set(ctx.history.map((r) => fieldValues(r, 'Sec-WebSocket-Key1')[0]));
      const probe = await acceptAndProbe(ctx);
      if (probe.verdict !== 'OK') return probe;
      if (keys3.size < ctx.history.length || keys1.size < ctx.history.length) {
        return failed(
          `repeated keys: ${ctx.history.length} handshakes, ${keys1.size} distinct Key1, ${keys3.size} distinct key_3`,
        );
      }
      return ok(`${ctx.history.length} handshakes, all keys distinct`);
    },
  },

  // ── 16.2: responses the client must accept ──
  accepting(
    '16.2.1',
    'the conforming response',
    '5.2.2 steps 10–13',
    (ctx) => [validResponse(ctx)!],
    'the conforming response',
  ),
  accepting(
    '16.2.2',
    'fields in another order, plus unknown fields',
    '5.1 step 44 (any other name: ignore)',
    (ctx) => [
      fieldsResponse(ctx, (f) => [
        ['Server', 'ws02-conformance'],
        ...f.reverse(),
        ['X-Unknown', 'ignored'],
      ]),
    ],
    'reordered and unknown fields',
  ),
  accepting(
    '16.2.3',
    'field names in mixed case (uPGRADE, SEC-WEBSOCKET-LOCATION)',
    '5.1 step 36',
    (ctx) => [
      fieldsResponse(ctx, (f) =>
        f.map((x) =>
          'raw' in x ? x : ([x[0] === 'Upgrade' ? 'uPGRADE' : x[0].toUpperCase(), x[1]] as const),
        ),
      ),
    ],
    'field names in other case (step 36 lowercases A–Z)',
  ),
  accepting(
    '16.2.4',
    'values in other case: Upgrade: websocket, Connection: UPGRADE',
    '5.1 step 44',
    (ctx) => [
      fieldsResponse(ctx, (f) =>
        replace(replace(f, 'Upgrade', 'websocket'), 'Connection', 'UPGRADE'),
      ),
    ],
    'Upgrade/Connection values in other case (compared ASCII-lowercased in -02)',
  ),
  accepting(
    '16.2.5',
    'no space after the colons (Upgrade:WebSocket)',
    '5.1 step 38',
    (ctx) => [
      fieldsResponse(ctx, (f) => f.map((x) => ('raw' in x ? x : { raw: `${x[0]}:${x[1]}` }))),
    ],
    'fields without the optional space (step 38 skips one space only if present)',
  ),
  accepting(
    '16.2.6',
    'status line "HTTP/1.1 101 Switching Protocols"',
    '5.1 steps 31–33',
    (ctx) => [fieldsResponse(ctx, (f) => f, 'HTTP/1.1 101 Switching Protocols')],
    'another reason phrase (only the code is read)',
  ),
  accepting(
    '16.2.7',
    'the response one byte per write',
    '5.1 steps 31–48',
    (ctx) => [{ bytewise: validResponse(ctx)!, pause: 1 }],
    'a response delivered byte by byte',
  ),
  {
    kind: 'client-handshake',
    id: '16.2.8',
    title: 'the response, its 16 bytes and a first frame in one write',
    draft: '5.1 steps 47–50',
    expectation: 'Accepted; the frame right after the 16 bytes is not lost (it is echoed).',
    run: async (ctx) => {
      const response = validResponse(ctx);
      if (response === undefined) return failed(`no valid answer exists: ${ctx.answer as string}`);
      const r = await respond(ctx, [Buffer.concat([response, textFrame('probe')])], false);
      return r.kind === 'accepted'
        ? ok('accepted and echoed the frame that came with the handshake')
        : failed(`${reactionText(r)} (the frame after the 16 bytes)`);
    },
  },
  accepting(
    '16.2.9',
    'the 16 bytes 300 ms after the head',
    '5.1 step 47',
    (ctx) => {
      const r = validResponse(ctx)!;
      return [r.subarray(0, -16), { pause: 300 }, r.subarray(-16)];
    },
    'the 16 bytes arriving late',
  ),
  accepting(
    '16.2.10',
    'a Set-Cookie field',
    '5.1 step 44 (cookies)',
    (ctx) => [fieldsResponse(ctx, (f) => [...f, ['Set-Cookie', 'ws02=1; Path=/']])],
    'a Set-Cookie field',
  ),
  accepting(
    '16.2.11',
    'Sec-WebSocket-Protocol although none was offered',
    '5.1 step 44',
    (ctx) => [fieldsResponse(ctx, (f) => [...f, ['Sec-WebSocket-Protocol', 'chat']])],
    'a Sec-WebSocket-Protocol nobody asked for (ignored when none was offered)',
  ),
  accepting(
    '16.2.12',
    'an unknown field with a UTF-8 value and another with an empty value',
    '5.1 steps 38–40',
    (ctx) => [fieldsResponse(ctx, (f) => [...f, ['X-Utf8', 'κόσμε'], ['X-Empty', '']])],
    'UTF-8 and empty field values',
  ),

  // ── 16.3: responses the client must fail ──
  failing('16.3.1', 'status line shorter than 7 bytes ("HTTP\\r\\n")', '5.1 step 31', (ctx) =>
    rawResponse(ctx, (h) => h.replace(/^[^\r]*/, 'HTTP')),
  ),
  failing('16.3.2', 'status line ending in LF only', '5.1 step 31', (ctx) =>
    rawResponse(ctx, (h) => h.replace('\r\n', '\n')),
  ),
  failing('16.3.3', 'a stray CR inside the status line', '5.1 step 31', (ctx) =>
    rawResponse(ctx, (h) => h.replace('101 WebSocket', '101 Web\rSocket')),
  ),
  failing('16.3.4', 'status line with a single space ("HTTP/1.1 101")', '5.1 step 31', (ctx) =>
    rawResponse(ctx, (h) => h.replace(/^[^\r]*/, 'HTTP/1.1 101')),
  ),
  failing('16.3.5', 'status 200 (everything else valid)', '5.1 step 33', (ctx) =>
    fieldsResponse(ctx, (f) => f, 'HTTP/1.1 200 OK'),
  ),
  failing('16.3.6', 'status 407 (no proxy in use)', '5.1 step 33', (ctx) =>
    fieldsResponse(
      ctx,
      (f) => [...f, ['Proxy-Authenticate', 'Basic realm="x"']],
      'HTTP/1.1 407 Proxy Authentication Required',
    ),
  ),
  failing(
    '16.3.7',
    'code "1010" ("HTTP/1.1 1010 WebSocket Protocol Handshake")',
    '5.1 steps 32–33',
    (ctx) => fieldsResponse(ctx, (f) => f, 'HTTP/1.1 1010 WebSocket Protocol Handshake'),
  ),
  failing('16.3.8', 'two spaces before the code (the code is empty)', '5.1 steps 32–33', (ctx) =>
    fieldsResponse(ctx, (f) => f, 'HTTP/1.1  101 WebSocket Protocol Handshake'),
  ),
  failing('16.3.9', 'a CR inside a field name', '5.1 step 36', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, { raw: 'X-Bad\rName: x' }]),
  ),
  failing('16.3.10', 'an LF inside a field name', '5.1 step 36', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, { raw: 'X-Bad\nName: x' }]),
  ),
  failing('16.3.11', 'an LF inside a field value', '5.1 step 38', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, { raw: 'X-Bad: a\nb' }]),
  ),
  failing('16.3.12', 'a CR not followed by LF after a value', '5.1 step 39', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, { raw: 'X-Bad: a\rb' }]),
  ),
  failing('16.3.13', 'the blank line is CR without LF', '5.1 step 42', (ctx) =>
    rawResponse(ctx, (h) => `${h.slice(0, -2)}\rX`),
  ),
  failing('16.3.14', 'no Upgrade field', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => replace(f, 'Upgrade', undefined)),
  ),
  failing('16.3.15', 'two Upgrade fields', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, ['Upgrade', 'WebSocket']]),
  ),
  failing('16.3.16', 'Upgrade: WebSocketX', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => replace(f, 'Upgrade', 'WebSocketX')),
  ),
  failing(
    '16.3.17',
    'two spaces after "Upgrade:" (the value is " WebSocket")',
    '5.1 steps 38, 44',
    (ctx) => fieldsResponse(ctx, (f) => replace(f, 'Upgrade', ' WebSocket')),
  ),
  failing('16.3.18', 'no Connection field', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => replace(f, 'Connection', undefined)),
  ),
  failing('16.3.19', 'Connection: close', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => replace(f, 'Connection', 'close')),
  ),
  failing('16.3.20', 'no Sec-WebSocket-Origin', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => replace(f, 'Sec-WebSocket-Origin', undefined)),
  ),
  failing(
    '16.3.21',
    'Sec-WebSocket-Origin in upper case (compared exactly)',
    '5.1 step 44',
    (ctx) =>
      fieldsResponse(ctx, (f) =>
        replace(
          f,
          'Sec-WebSocket-Origin',
          ctx.origin.toUpperCase() === ctx.origin ? `${ctx.origin}x` : ctx.origin.toUpperCase(),
        ),
      ),
  ),
  failing('16.3.22', 'two Sec-WebSocket-Origin fields', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, ['Sec-WebSocket-Origin', ctx.origin]]),
  ),
  failing('16.3.23', 'no Sec-WebSocket-Location', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => replace(f, 'Sec-WebSocket-Location', undefined)),
  ),
  failing('16.3.24', 'Sec-WebSocket-Location with another port', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) =>
      replace(
        f,
        'Sec-WebSocket-Location',
        ctx.location.replace(
          /:(\d+)\//,
          (_, p: string) => `:${Number(p) === 65535 ? 65534 : Number(p) + 1}/`,
        ),
      ),
    ),
  ),
  failing('16.3.25', 'Sec-WebSocket-Location without the query', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) =>
      replace(f, 'Sec-WebSocket-Location', ctx.location.replace(/\?.*$/, '')),
    ),
  ),
  failing('16.3.26', 'Sec-WebSocket-Location with wss://', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) =>
      replace(f, 'Sec-WebSocket-Location', ctx.location.replace(/^ws:/, 'wss:')),
    ),
  ),
  failing(
    '16.3.27',
    'Sec-WebSocket-Location with the host in upper case',
    '5.1 step 44, 3.2',
    (ctx) =>
      fieldsResponse(ctx, (f) =>
        replace(
          f,
          'Sec-WebSocket-Location',
          ctx.location.replace(
            /^(wss?:\/\/)([^/:]+)/,
            (_, s: string, h: string) => s + (/[a-z]/.test(h) ? h.toUpperCase() : 'LOCALHOST'),
          ),
        ),
      ),
  ),
  failing(
    '16.3.28',
    'hixie-75 field names (WebSocket-Origin, WebSocket-Location)',
    '5.1 step 44',
    (ctx) =>
      fieldsResponse(ctx, (f) =>
        f.map((x) =>
          'raw' in x ? x : ([x[0].replace('Sec-WebSocket-', 'WebSocket-'), x[1]] as const),
        ),
      ),
  ),
  failing('16.3.29', 'a field with an empty name (": x")', '5.1 step 44', (ctx) =>
    fieldsResponse(ctx, (f) => [...f, { raw: ': x' }]),
  ),
  failing('16.3.30', 'the 16 bytes with one bit flipped', '5.1 step 48', (ctx) => {
    const bad = Buffer.from(ctx.answer as Buffer);
    bad[7] = bad[7]! ^ 0x01;
    return fieldsResponse(ctx, (f) => f, STATUS_LINE, bad);
  }),
  failing(
    '16.3.31',
    'the answer to another challenge (key_3 reversed)',
    '5.1 steps 45–48',
    (ctx) => {
      const k = [...ctx.request.key3].reverse();
      const other = challengeAnswer(0, 0, Buffer.from(k));
      return fieldsResponse(ctx, (f) => f, STATUS_LINE, other);
    },
  ),
  failing('16.3.32', 'a plain web page (HTTP/1.1 200 with an HTML body)', '5.1 step 33', () =>
    utf8(
      'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 24\r\n\r\n<html>not a socket</html>',
    ),
  ),
  failing(
    '16.3.33',
    'an RFC 6455 answer (101 Switching Protocols, Sec-WebSocket-Accept, no MD5)',
    '5.1 step 44',
    () =>
      utf8(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
      ),
  ),

  // ── 16.4: limits ──
  {
    kind: 'client-handshake',
    id: '16.4.1',
    title: 'a response with 1,000 extra fields',
    draft: '5.1 steps 34–41',
    expectation: 'INFORMATIONAL: accepted, or refused by a limit of the client (-02 sets none).',
    run: async (ctx): Promise<CaseOutcome> => {
      if (typeof ctx.answer === 'string') return failed(`no valid answer exists: ${ctx.answer}`);
      const extra: RequestField[] = Array.from(
        { length: 1000 },
        (_, i) => [`X-Extra-${i}`, 'v'] as const,
      );
      const r = await respond(ctx, [fieldsResponse(ctx, (f) => [...f, ...extra])]);
      return informational(`after 1,000 extra fields the client ${reactionText(r)}`);
    },
  },
  {
    kind: 'client-handshake',
    id: '16.4.2',
    title: 'a response head that never ends (1 MiB of fields, no blank line)',
    draft: '5.1 steps 34–41',
    expectation: 'The client gives up at its limit and closes (OK); reading on is INFORMATIONAL.',
    run: async (ctx): Promise<CaseOutcome> => {
      const head = utf8(
        `${STATUS_LINE}\r\n${'X-Endless: 0123456789abcdef0123456789abcdef\r\n'.repeat(24_000)}`,
      );
      const r = await respond(ctx, [head], false);
      if (r.kind === 'failed') return ok(`gave up: ${r.how}`);
      return informational(`still reading after 1 MiB of head: ${reactionText(r)}`);
    },
  },
];
