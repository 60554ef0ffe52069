/**
 * Client mode: a (deliberately misbehaving) draft-02 server that the client under test connects
 * to, Autobahn-style. The client is scripted to:
 *
 *   1. open  ws://HOST:PORT/getCaseCount                  → one text message: the number N
 *   2. for i = 1..N: open ws://HOST:PORT/runCase?case=i&agent=NAME
 *      and echo every message it receives (text as text, binary as binary) until closed
 *   3. open  ws://HOST:PORT/updateReports?agent=NAME      → one text message: the summary line
 *
 * `/getCaseInfo?case=i` answers a JSON description of case i. A plain HTTP GET of `/` (or
 * `/report?agent=NAME`) returns the HTML report. Every management connection ends with a Close.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type {
  CaseOutcome,
  ClientHandshakeContext,
  ConformanceCase,
  FrameCaseContext,
} from '../cases/case.js';
import { type CaseSelection, selectCases } from '../cases/registry.js';
import { ConformanceError } from '../conformance-error.js';
import { WireConnection } from '../peer/wire-connection.js';
import { WireLog } from '../peer/wire-log.js';
import { renderHtml } from '../report/html-report.js';
import { buildReport, type CaseResult, type SuiteReport } from '../report/suite-report.js';
import { utf8 } from '../wire/bytes.js';
import {
  answerFor,
  type ClientRequest,
  checkClientRequest,
  fieldValues,
  parseClientRequest,
} from '../wire/client-request-check.js';
import { frameBytes, OP, textFrame } from '../wire/frame-bytes.js';
import { encodeResponse, STATUS_LINE, standardResponseFields } from '../wire/server-response.js';
import { caseResult, guarded } from './run-case.js';

export interface FuzzingServerOptions extends CaseSelection {
  /** Port to listen on (0: any free port). */
  readonly port: number;
  /** Address to listen on, default 127.0.0.1. */
  readonly host?: string;
  /** Answer timeout per step, ms. Default 4000. */
  readonly timeout?: number;
  /** Called after each case. */
  readonly onCase?: (agent: string, result: CaseResult) => void;
  /** Called on /updateReports with the agent's report. */
  readonly onReport?: (report: SuiteReport) => void | Promise<void>;
}

interface AgentState {
  readonly results: Map<string, CaseResult>;
  readonly history: ClientRequest[];
  readonly startedAt: string;
  readonly started: number;
}

export class FuzzingServer {
  readonly cases: readonly ConformanceCase[];
  readonly #options: FuzzingServerOptions;
  readonly #server: Server;
  readonly #agents = new Map<string, AgentState>();
  readonly #sockets = new Set<Socket>();
  #lastAgent: string | undefined;
  #port = 0;

  constructor(options: FuzzingServerOptions) {
    this.#options = options;
    this.cases = selectCases('client', options);
    if (this.cases.length === 0) {
      throw new ConformanceError(
        'CONFORMANCE_NO_CASES',
        '-',
        'no case matches the selection in client mode',
      );
    }
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      this.#handle(socket).catch(() => socket.destroy());
    });
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => {
        const address = this.#server.address();
        this.#port =
          typeof address === 'object' && address !== null ? address.port : this.#options.port;
        resolve(this.#port);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** The report of an agent so far (undefined if it never ran a case). */
  report(agent: string): SuiteReport | undefined {
    const state = this.#agents.get(agent);
    if (state === undefined) return undefined;
    const results = this.cases
      .map((c) => state.results.get(c.id))
      .filter((r): r is CaseResult => r !== undefined);
    return buildReport(
      {
        mode: 'client',
        agent,
        target: `ws://${this.#options.host ?? '127.0.0.1'}:${this.#port}/`,
        startedAt: state.startedAt,
        durationMs: Math.round(performance.now() - state.started),
        quick: this.#options.quick === true,
      },
      results,
    );
  }

  #agent(name: string): AgentState {
    let state = this.#agents.get(name);
    if (state === undefined) {
      state = {
        results: new Map(),
        history: [],
        startedAt: new Date().toISOString(),
        started: performance.now(),
      };
      this.#agents.set(name, state);
    }
    this.#lastAgent = name;
    return state;
  }

  async #handle(socket: Socket): Promise<void> {
    const log = new WireLog();
    const conn = new WireConnection(socket, log);
    const timeout = this.#options.timeout ?? 4000;
    const parsed = await readRequest(conn, timeout * 2);
    if (parsed.state !== 'complete') {
      conn.destroy();
      return;
    }
    const { request, consumed } = parsed;
    conn.inbox.skip(consumed);
    const url = new URL(request.resource, 'http://fuzzing-server');
    if (!request.websocket) {
      this.#plainHttp(conn, url);
      return;
    }
    const host = fieldValues(request, 'Host')[0] ?? `127.0.0.1:${this.#port}`;
    const origin = fieldValues(request, 'Origin')[0] ?? '';
    const location = `ws://${host.toLowerCase()}${request.resource}`;
    const answer = answerFor(request);
    switch (url.pathname) {
      case '/getCaseCount':
        await this.#manage(conn, location, origin, answer, `${this.cases.length}`);
        return;
      case '/getCaseInfo': {
        const c = this.cases[Number(url.searchParams.get('case')) - 1];
        const info =
          c === undefined
            ? { error: 'no such case' }
            : { id: c.id, title: c.title, draft: c.draft, expectation: c.expectation };
        await this.#manage(conn, location, origin, answer, JSON.stringify(info));
        return;
      }
      case '/updateReports': {
        const agent = url.searchParams.get('agent') ?? 'unnamed';
        const report = this.report(agent);
        if (report !== undefined) await this.#options.onReport?.(report);
        await this.#manage(conn, location, origin, answer, report?.summary ?? '0 passed, 0 failed');
        return;
      }
      case '/runCase':
        await this.#runCase(conn, url, request, { host, origin, location, answer, timeout, log });
        return;
      default:
        await this.#manage(
          conn,
          location,
          origin,
          answer,
          'unknown resource: use /getCaseCount, /runCase?case=N&agent=A, /updateReports?agent=A',
        );
    }
  }

  /** A management connection: valid handshake, one text message, closing handshake. */
  async #manage(
    conn: WireConnection,
    location: string,
    origin: string,
    answer: Buffer | string,
    message: string,
  ): Promise<void> {
    if (typeof answer === 'string') {
      conn.destroy();
      return;
    }
    await conn.write(
      Buffer.concat([
        encodeResponse(STATUS_LINE, standardResponseFields(location, origin), answer),
        textFrame(message),
        frameBytes({ op: OP.CLOSE }),
      ]),
    );
    await finish(conn, 2000, true);
  }

  #plainHttp(conn: WireConnection, url: URL): void {
    const agent = url.searchParams.get('agent') ?? this.#lastAgent;
    const report = agent === undefined ? undefined : this.report(agent);
    const body =
      report === undefined
        ? `ws02-conformance fuzzing server: ${this.cases.length} cases.\nScript the client under test: /getCaseCount, /runCase?case=N&agent=A, /updateReports?agent=A.\n`
        : renderHtml(report);
    const type = report === undefined ? 'text/plain' : 'text/html';
    const bytes = utf8(body);
    conn.socket.end(
      Buffer.concat([
        utf8(
          `HTTP/1.1 200 OK\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
        ),
        bytes,
      ]),
    );
  }

  async #runCase(
    conn: WireConnection,
    url: URL,
    request: ClientRequest,
    info: {
      host: string;
      origin: string;
      location: string;
      answer: Buffer | string;
      timeout: number;
      log: WireLog;
    },
  ): Promise<void> {
    const index = Number(url.searchParams.get('case'));
    const c = this.cases[index - 1];
    const agentName = url.searchParams.get('agent') ?? 'unnamed';
    if (c === undefined || !Number.isInteger(index)) {
      conn.destroy();
      return;
    }
    const agent = this.#agent(agentName);
    agent.history.push(request);
    // 5.1 steps 10–13: the host the client was given (whatever name it used), lowercase, and
    // this port (never the default 80 here unless we listen on it).
    const sent = info.host.toLowerCase();
    const hostField =
      sent.endsWith(`:${this.#port}`) || this.#port === 80
        ? sent.replace(/:80$/, '')
        : `${sent}:${this.#port}`;
    const findings = checkClientRequest(request, {
      resource: request.resource.startsWith('/runCase')
        ? request.resource
        : `/runCase?case=${index}&agent=${agentName}`,
      hostField,
    });
    const notes: string[] = [];
    const note = (text: string) => {
      if (notes.length < 200) notes.push(text);
    };
    const started = performance.now();
    const outcome = await guarded(async (): Promise<CaseOutcome> => {
      if (c.kind === 'client-handshake') {
        const ctx: ClientHandshakeContext = {
          conn,
          id: c.id,
          request,
          findings,
          answer: info.answer,
          location: info.location,
          origin: info.origin,
          hostField,
          history: [...agent.history],
          note,
          timeout: info.timeout,
        };
        return c.run(ctx);
      }
      if (c.kind !== 'frames') return { verdict: 'FAILED', reason: 'not a client-mode case' };
      if (typeof info.answer === 'string')
        return {
          verdict: 'FAILED',
          reason: `the client's handshake cannot be answered: ${info.answer}`,
        };
      const fatal = findings.find((f) => f.severity === 'FAILED');
      if (fatal !== undefined) note(`the request breaks ${fatal.step}: ${fatal.message}`);
      await conn.write(
        encodeResponse(
          STATUS_LINE,
          standardResponseFields(info.location, info.origin),
          info.answer,
        ),
      );
      const ctx: FrameCaseContext = { mode: 'client', conn, id: c.id, note, timeout: info.timeout };
      return c.run(ctx);
    });
    await finish(conn, 1000);
    const result = caseResult(c, outcome, started, notes, info.log);
    agent.results.set(c.id, result);
    this.#options.onCase?.(agentName, result);
  }
}

/** Waits for a whole request (head and key_3) from the client. */
async function readRequest(
  conn: WireConnection,
  ms: number,
): Promise<ReturnType<typeof parseClientRequest>> {
  const deadline = performance.now() + ms;
  for (;;) {
    const parsed = parseClientRequest(conn.inbox.peek(1 << 17));
    if (parsed.state !== 'incomplete') return parsed;
    const seen = conn.inbox.length;
    const left = deadline - performance.now();
    if (left <= 0 || conn.peerClosed) return parsed;
    await conn.waitFor(() => conn.inbox.length > seen || conn.peerClosed, left);
  }
}

/**
 * Ends a connection as a server should (section 7): if the client is still there and has not
 * sent a Close, a Close and a short wait for its answer or its FIN; then TCP closed.
 */
async function finish(conn: WireConnection, ms: number, closeSent = false): Promise<void> {
  if (!conn.peerClosed && !conn.socket.destroyed && !conn.closeReceived) {
    if (!closeSent) await conn.write(frameBytes({ op: OP.CLOSE }));
    await conn.waitFor(() => conn.peerClosed || conn.inbox.length > 0, ms);
  }
  conn.socket.end();
  setTimeout(() => conn.socket.destroy(), 200).unref();
}
