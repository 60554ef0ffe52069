/**
 * Server mode: the suite connects to the server under test (an echo server) once per case, as
 * a draft-02 client of its own making, and judges what comes back.
 */
import { parseWebSocketUrl } from '@ws02/url';
import type {
  CaseOutcome,
  ConformanceCase,
  FrameCaseContext,
  ServerHandshakeContext,
  ServerTarget,
} from '../cases/case.js';
import { type CaseSelection, selectCases } from '../cases/registry.js';
import { ConformanceError } from '../conformance-error.js';
import { WireConnection } from '../peer/wire-connection.js';
import { WireLog } from '../peer/wire-log.js';
import { buildReport, type CaseResult, type SuiteReport } from '../report/suite-report.js';
import { encodeRequest, standardRequest } from '../wire/client-request.js';
import { makeClientKeys, SeededRandom, seedOf } from '../wire/handshake-keys.js';
import { checkResponse } from '../wire/response-check.js';
import { caseResult, guarded } from './run-case.js';

export interface ServerRunOptions extends CaseSelection {
  /** ws:// or wss:// URL of the echo server under test. */
  readonly url: string;
  /** Origin to send (lowercase ASCII serialization). Default `http://localhost`. */
  readonly origin?: string;
  /** Name of the implementation under test (report title). Default: the URL. */
  readonly agent?: string;
  /** Answer timeout per step, ms. Default 4000. */
  readonly timeout?: number;
  /** wss: accept any certificate. */
  readonly insecure?: boolean;
  /** Called after each case. */
  readonly onCase?: (result: CaseResult) => void;
}

/** The target described by a URL (3.1), with the Location rule of 3.2. */
export function serverTarget(
  url: string,
  origin = 'http://localhost',
  insecure = false,
): ServerTarget {
  let parsed: ReturnType<typeof parseWebSocketUrl>;
  try {
    parsed = parseWebSocketUrl(url);
  } catch (cause) {
    throw new ConformanceError('CONFORMANCE_BAD_URL', '3.1', `not a WebSocket URL: ${url}`, {
      cause,
    });
  }
  const defaultPort = parsed.secure ? 443 : 80;
  const hostField = parsed.port === defaultPort ? parsed.host : `${parsed.host}:${parsed.port}`;
  const scheme = parsed.secure ? 'wss' : 'ws';
  return {
    host: parsed.host.replace(/^\[|\]$/g, ''),
    port: parsed.port,
    secure: parsed.secure,
    insecure,
    hostField,
    resource: parsed.resourceName,
    origin,
    locationFor: (resource, host = hostField) => `${scheme}://${host.toLowerCase()}${resource}`,
  };
}

/** Runs the selected cases against the server at `options.url`; resolves with the report. */
export async function runServerSuite(options: ServerRunOptions): Promise<SuiteReport> {
  const target = serverTarget(options.url, options.origin, options.insecure);
  const timeout = options.timeout ?? 4000;
  const cases = selectCases('server', options);
  if (cases.length === 0) {
    throw new ConformanceError(
      'CONFORMANCE_NO_CASES',
      '-',
      'no case matches the selection in server mode',
    );
  }
  // Fail fast when nothing listens: one connection attempt.
  try {
    (await WireConnection.connect(target, timeout)).destroy();
  } catch (cause) {
    throw new ConformanceError(
      'CONFORMANCE_UNREACHABLE',
      '-',
      `cannot connect to ${options.url}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const results: CaseResult[] = [];
  for (const c of cases) {
    const result = await runOne(c, target, timeout);
    results.push(result);
    options.onCase?.(result);
  }
  return buildReport(
    {
      mode: 'server',
      agent: options.agent ?? options.url,
      target: options.url,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      quick: options.quick === true,
    },
    results,
  );
}

async function runOne(
  c: ConformanceCase,
  target: ServerTarget,
  timeout: number,
): Promise<CaseResult> {
  const log = new WireLog();
  const notes: string[] = [];
  const note = (text: string) => {
    if (notes.length < 200) notes.push(text);
  };
  const opened: WireConnection[] = [];
  const open = async () => {
    const conn = await WireConnection.connect(target, timeout, log);
    opened.push(conn);
    return conn;
  };
  const random = new SeededRandom(seedOf(c.id));
  const started = performance.now();
  const outcome = await guarded(async (): Promise<CaseOutcome> => {
    if (c.kind === 'server-handshake') {
      const ctx: ServerHandshakeContext = { target, id: c.id, random, open, note, timeout };
      return c.run(ctx);
    }
    if (c.kind !== 'frames') return { verdict: 'FAILED', reason: 'not a server-mode case' };
    const conn = await open();
    const established = await handshake(conn, target, random, timeout);
    if (established !== undefined)
      return { verdict: 'FAILED', reason: `the opening handshake failed: ${established}` };
    const ctx: FrameCaseContext = { mode: 'server', conn, id: c.id, note, timeout };
    return c.run(ctx);
  });
  for (const conn of opened) conn.destroy();
  return caseResult(c, outcome, started, notes, log);
}

/** A conforming handshake; undefined when established (the inbox then holds only frames). */
async function handshake(
  conn: WireConnection,
  target: ServerTarget,
  random: SeededRandom,
  timeout: number,
): Promise<string | undefined> {
  const keys = makeClientKeys(random);
  const location = target.locationFor(target.resource);
  const { parts, answer } = standardRequest(
    { hostField: target.hostField, resource: target.resource, location, origin: target.origin },
    keys,
  );
  await conn.write(encodeRequest(parts));
  const expect = { origin: target.origin, location, answer };
  const deadline = performance.now() + timeout;
  for (;;) {
    const seen = conn.inbox.length;
    const verdict = checkResponse(conn.inbox.peek(1 << 16), expect, conn.peerClosed);
    if (verdict.state === 'established') {
      conn.inbox.skip(verdict.consumed);
      return undefined;
    }
    if (verdict.state === 'failed') return `5.1 step ${verdict.step}: ${verdict.reason}`;
    if (verdict.state === 'refused') return `refused: ${verdict.statusLine}`;
    const left = deadline - performance.now();
    if (left <= 0) return `no complete response within ${timeout} ms`;
    await conn.waitFor(() => conn.inbox.length > seen || conn.peerClosed, left);
  }
}
