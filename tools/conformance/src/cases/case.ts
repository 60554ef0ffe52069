import type { WireConnection } from '../peer/wire-connection.js';
import type { Verdict } from '../verdict.js';
import type { ClientRequest, RequestFinding } from '../wire/client-request-check.js';
import type { SeededRandom } from '../wire/handshake-keys.js';

/**
 * Which kind of peer is under test: `server` — the suite connects to it as a client (server
 * mode); `client` — it connects to the suite's fuzzing server (client mode).
 */
export type Mode = 'server' | 'client';

export interface CaseOutcome {
  readonly verdict: Verdict;
  readonly reason: string;
}

export const ok = (reason: string): CaseOutcome => ({ verdict: 'OK', reason });
export const failed = (reason: string): CaseOutcome => ({ verdict: 'FAILED', reason });
export const nonStrict = (reason: string): CaseOutcome => ({ verdict: 'NON-STRICT', reason });
export const informational = (reason: string): CaseOutcome => ({
  verdict: 'INFORMATIONAL',
  reason,
});
export const unimplemented = (reason: string): CaseOutcome => ({
  verdict: 'UNIMPLEMENTED',
  reason,
});

/** Settings every case sees. */
export interface CaseSettings {
  /** How long to wait for an answer the peer should give at once, in ms. */
  readonly timeout: number;
}

/** Context of a case played over an established WebSocket connection (both modes). */
export interface FrameCaseContext extends CaseSettings {
  readonly mode: Mode;
  readonly conn: WireConnection;
  readonly id: string;
  note(text: string): void;
}

/** The server under test, as server-mode handshake cases address it. */
export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly insecure: boolean;
  /** Host field value (lowercase host, `:port` unless default). */
  readonly hostField: string;
  /** Resource name of the target URL (path and query). */
  readonly resource: string;
  readonly origin: string;
  /** The Location a server must answer for `resource` (3.2). */
  locationFor(resource: string, hostField?: string): string;
}

/** Context of a server-mode handshake case: it opens raw connections itself. */
export interface ServerHandshakeContext extends CaseSettings {
  readonly target: ServerTarget;
  readonly id: string;
  readonly random: SeededRandom;
  /** A raw TCP (TLS) connection to the server, nothing sent yet. */
  open(): Promise<WireConnection>;
  note(text: string): void;
}

/** Context of a client-mode handshake case: the client's request has arrived, nothing answered. */
export interface ClientHandshakeContext extends CaseSettings {
  readonly conn: WireConnection;
  readonly id: string;
  readonly request: ClientRequest;
  /** Rules of 5.1 steps 6–30 the request breaks. */
  readonly findings: readonly RequestFinding[];
  /** The correct 16-byte answer, or why none exists. */
  readonly answer: Buffer | string;
  /** The Location the client will require (constructed from its Host and resource name). */
  readonly location: string;
  /** The Origin the client sent ('' if none). */
  readonly origin: string;
  /** The Host value the client should have sent. */
  readonly hostField: string;
  /** Every handshake request the fuzzing server has seen from this agent so far (this one last). */
  readonly history: readonly ClientRequest[];
  note(text: string): void;
}

interface CaseBase {
  /** Autobahn-style number, e.g. `1.1.3`, `15.2.7`. */
  readonly id: string;
  readonly title: string;
  /** Draft-02 section (and step) the case checks, e.g. `4.2`, `5.1 step 31`. */
  readonly draft: string;
  /** What the peer should do. */
  readonly expectation: string;
  /** Left out of `--quick` runs (long or large). */
  readonly slow?: boolean;
}

export interface FrameCase extends CaseBase {
  readonly kind: 'frames';
  readonly modes: readonly Mode[];
  run(ctx: FrameCaseContext): Promise<CaseOutcome>;
}

export interface ServerHandshakeCase extends CaseBase {
  readonly kind: 'server-handshake';
  run(ctx: ServerHandshakeContext): Promise<CaseOutcome>;
}

export interface ClientHandshakeCase extends CaseBase {
  readonly kind: 'client-handshake';
  run(ctx: ClientHandshakeContext): Promise<CaseOutcome>;
}

export type ConformanceCase = FrameCase | ServerHandshakeCase | ClientHandshakeCase;

/** The modes a case runs in. */
export function caseModes(c: ConformanceCase): readonly Mode[] {
  if (c.kind === 'frames') return c.modes;
  return c.kind === 'server-handshake' ? ['server'] : ['client'];
}

/** Top-level sections, Autobahn's numbers where they carry over to draft-02. */
export const SECTIONS: Readonly<
  Record<string, { readonly title: string; readonly draft: string }>
> = {
  '1': { title: 'Framing', draft: '4.2' },
  '2': { title: 'Pings/Pongs', draft: '4.4' },
  '3': { title: 'Reserved bits', draft: '4.2, 4.7' },
  '4': { title: 'Opcodes', draft: '4.2, 4.7' },
  '5': { title: 'Fragmentation', draft: '4.3, 4.4' },
  '6': { title: 'UTF-8 handling', draft: '6' },
  '7': { title: 'Close handling (no close codes)', draft: '7' },
  '9': { title: 'Limits/Performance', draft: '4.2, 4.3' },
  '10': { title: 'Auto-fragmentation', draft: '4.3' },
  '14': { title: 'WebSocket URLs (draft-02)', draft: '3' },
  '15': { title: 'Opening handshake, server side (draft-02)', draft: '5.2' },
  '16': { title: 'Opening handshake, client side (draft-02)', draft: '5.1' },
};

/** The top-level section of a case id. */
export function sectionOf(id: string): string {
  return id.split('.')[0]!;
}
