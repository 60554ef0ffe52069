/**
 * Section 14 (new for draft-02), WebSocket URLs (section 3) as they meet the handshake: the
 * server constructs Sec-WebSocket-Location from the request (5.2.2 steps 2–3 with 3.2); the
 * client writes its request line and Host from the URL it was given (5.1 steps 6, 10–13).
 */
import { encodeRequest, withField } from '../wire/client-request.js';
import {
  type ClientHandshakeCase,
  failed,
  informational,
  ok,
  type ServerHandshakeCase,
} from './case.js';
import { acceptAndProbe } from './client-responses.js';
import { attempt, describeResponse, expectAbort, expectAccept } from './handshake-attempt.js';
import { standard, withFields } from './server-requests.js';

function locationCase(
  id: string,
  title: string,
  resource: string,
  expectation: string,
): ServerHandshakeCase {
  return {
    kind: 'server-handshake',
    id,
    title,
    draft: '3.2, 5.2.2 steps 2–3',
    expectation,
    run: async (ctx) => {
      const s = standard(ctx, resource);
      return expectAccept(
        ctx,
        await attempt(ctx, s.parts, { location: s.location, answer: s.answer }),
      );
    },
  };
}

export const urlServerCases: readonly ServerHandshakeCase[] = [
  locationCase(
    '14.1.1',
    'resource name with a query: /?case=1&x=%20y',
    '/?case=1&x=%20y',
    'Sec-WebSocket-Location carries the query exactly (3.1 step 11, 3.2).',
  ),
  locationCase(
    '14.1.2',
    'resource name /a/b/c/ (path only)',
    '/a/b/c/',
    'Sec-WebSocket-Location ends with /a/b/c/.',
  ),
  locationCase(
    '14.1.3',
    "resource name with every allowed punctuation character: /!$&'()*+,-.:;=@_~%41?q=/?",
    "/!$&'()*+,-.:;=@_~%41?q=/?",
    'Sec-WebSocket-Location echoes it byte for byte (U+0021–U+007E are all allowed, 3.3).',
  ),
  {
    kind: 'server-handshake',
    id: '14.1.4',
    title: 'Host with upper-case letters (LocalHost:port)',
    draft: '5.2.2 step 2, 3.2',
    expectation:
      'Sec-WebSocket-Location uses the host in lowercase (-02: "the /host/ value must be lowercase"); a client compares it exactly.',
    run: async (ctx) => {
      const s = standard(ctx);
      const port = ctx.target.hostField.includes(':')
        ? ctx.target.hostField.slice(ctx.target.hostField.lastIndexOf(':'))
        : '';
      const hostField = `LocalHost${port}`;
      const a = await attempt(ctx, withFields(s, withField(s.parts.fields, 'Host', hostField)), {
        location: ctx.target.locationFor(ctx.target.resource, `localhost${port}`),
        answer: s.answer,
      });
      if (
        a.response.state === 'failed' &&
        a.response.step === 44 &&
        a.response.reason.includes('Location')
      ) {
        a.conn.destroy();
        return failed(
          `${a.response.reason}: the host is not lowercased, so a draft-02 client fails the connection`,
        );
      }
      if (a.response.state === 'refused') {
        a.conn.destroy();
        return informational(
          `refused the Host (HTTP ${a.response.code}): the server checks Host against its own name`,
        );
      }
      return expectAccept(ctx, a);
    },
  },
  {
    kind: 'server-handshake',
    id: '14.1.5',
    title: 'resource name with a raw non-ASCII byte (UTF-8 "é")',
    draft: '5.2.1 part 3, 3.3',
    expectation:
      'Aborted: the resource name "will only include characters in the range U+0021 to U+007E".',
    run: async (ctx) => {
      const s = standard(ctx, '/caf\u00e9');
      const a = await attempt(ctx, undefined, {
        steps: [encodeRequest(s.parts)],
        location: s.location,
        answer: s.answer,
      });
      return expectAbort(
        ctx,
        a,
        'NON-STRICT',
        'a resource name outside U+0021–U+007E was accepted (5.2.1 says the server should abort a handshake that does not match)',
      );
    },
  },
  {
    kind: 'server-handshake',
    id: '14.1.6',
    title: 'request-URI without the leading "/" (GET chat HTTP/1.1)',
    draft: '5.2.1 part 3',
    expectation: 'Aborted: the resource name begins with U+002F.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(
        ctx,
        { ...s.parts, requestLine: 'GET chat HTTP/1.1' },
        { location: ctx.target.locationFor('chat'), answer: s.answer },
      );
      return expectAbort(
        ctx,
        a,
        'NON-STRICT',
        'a resource name not starting with "/" was accepted',
      );
    },
  },
  {
    kind: 'server-handshake',
    id: '14.1.7',
    title: 'absolute URI in the request line (GET http://host/ HTTP/1.1)',
    draft: '5.2.1 part 3',
    expectation:
      'Aborted: -02 requires the resource name (starting with "/"), not an absolute URI.',
    run: async (ctx) => {
      const s = standard(ctx);
      const a = await attempt(
        ctx,
        { ...s.parts, requestLine: `GET http://${ctx.target.hostField}/ HTTP/1.1` },
        { location: s.location, answer: s.answer },
      );
      return expectAbort(ctx, a, 'NON-STRICT', 'an absolute URI was accepted as the resource name');
    },
  },
  {
    kind: 'server-handshake',
    id: '14.1.8',
    title: 'Host without a port while the server listens on a non-default one',
    draft: '5.2.2 step 2',
    expectation:
      "INFORMATIONAL: which port Sec-WebSocket-Location carries (the Host's default, or the port the connection came in on).",
    run: async (ctx) => {
      const s = standard(ctx);
      const bare = ctx.target.hostField.replace(/:\d+$/, '');
      const withoutPort = ctx.target.locationFor(ctx.target.resource, bare);
      const a = await attempt(ctx, withFields(s, withField(s.parts.fields, 'Host', bare)), {
        location: withoutPort,
        answer: s.answer,
      });
      a.conn.destroy();
      if (a.response.state === 'established')
        return informational(`Location ${withoutPort} (from the Host field)`);
      if (a.response.state === 'failed' && a.response.step === 44)
        return informational(`Location not from Host: ${a.response.reason}`);
      return informational(describeResponse(a));
    },
  },
];

export const urlClientCases: readonly ClientHandshakeCase[] = [
  {
    kind: 'client-handshake',
    id: '14.2.1',
    title: "the request line carries the URL's resource name, query included",
    draft: '3.1 step 11, 5.1 step 6',
    expectation: 'GET /runCase?case=N&agent=A HTTP/1.1, the resource name exactly as in the URL.',
    run: async (ctx) => {
      const bad = ctx.findings.find((f) => f.step === '5.1 step 6');
      const probe = await acceptAndProbe(ctx);
      if (bad) return { verdict: bad.severity, reason: bad.message };
      return probe.verdict === 'OK'
        ? ok(`request line ${JSON.stringify(ctx.request.requestLine)}`)
        : probe;
    },
  },
  {
    kind: 'client-handshake',
    id: '14.2.2',
    title: "Host is the URL's host, lowercase, with the non-default port",
    draft: '5.1 steps 10–13',
    expectation: `Host: host:port exactly.`,
    run: async (ctx) => {
      const bad = ctx.findings.find(
        (f) => f.step === '5.1 steps 10–13' || f.step === '5.1 step 13',
      );
      const probe = await acceptAndProbe(ctx);
      if (bad) return { verdict: bad.severity, reason: bad.message };
      return probe.verdict === 'OK' ? ok(`Host: ${ctx.hostField}`) : probe;
    },
  },
  {
    kind: 'client-handshake',
    id: '14.2.3',
    title: 'Origin is a lowercase ASCII serialization',
    draft: '3.3, 5.1 step 14',
    expectation: 'Exactly one Origin field, no A–Z.',
    run: async (ctx) => {
      const bad = ctx.findings.find((f) => f.step === '3.3' || f.step === '5.1 step 14');
      const probe = await acceptAndProbe(ctx);
      if (bad)
        return {
          verdict: bad.severity === 'FAILED' ? 'FAILED' : 'NON-STRICT',
          reason: bad.message,
        };
      return probe.verdict === 'OK' ? ok(`Origin: ${ctx.origin}`) : probe;
    },
  },
];
