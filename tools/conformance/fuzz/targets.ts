/**
 * Fuzz targets for the protocol cores: each takes raw bytes (and how to split them into chunks)
 * and checks the invariants every input must keep:
 *
 * - nothing is thrown but the package's typed errors (HandshakeError / FrameError, as results or
 *   throws where the API throws);
 * - the outcome does not depend on how the bytes are chunked (resumable at any byte);
 * - memory is bounded by the configured limits (heads by maxHeadBytes; frame payloads by
 *   maxFrameSize and messages by maxMessageSize, watched through the decoder's allocator hook);
 * - every call returns (no hang): the inputs are bounded, so a loop without progress shows up as
 *   a run that never ends.
 *
 * A violation throws a plain Error naming it. The same functions run under fast-check
 * (test/fuzz), over the regression corpus (fuzz/corpus), and under a coverage-guided fuzzer.
 */
import { FrameConnection, FrameDecoder, FrameError } from '@ws02/frame';
import { ClientHandshakeParser, HandshakeError, ServerHandshakeParser } from '@ws02/handshake';
import { isWs02Error } from '@ws02/url';

/** Splits `data` at the given cut points (sorted, de-duplicated, clipped). */
export function chunk(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(data.length, c))))].sort(
    (a, b) => a - b,
  );
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    if (p > start) out.push(data.subarray(start, p));
    start = p;
  }
  if (start < data.length || out.length === 0) out.push(data.subarray(start));
  return out;
}

class Violation extends Error {}

function violation(message: string): never {
  throw new Violation(message);
}

// ── server handshake (5.2.1) ──

export const SERVER_LIMITS = { maxHeadBytes: 2048, maxFields: 32 } as const;

/** Outcome of one server-handshake run: comparable across chunkings. */
export function runServerHandshake(chunks: readonly Uint8Array[], eof: boolean): string {
  const parser = new ServerHandshakeParser({ ...SERVER_LIMITS, protocols: ['chat'] });
  let fed = 0;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  for (const c of chunks) {
    let r: ReturnType<ServerHandshakeParser['receiveData']>;
    try {
      r = parser.receiveData(c);
    } catch (error) {
      violation(
        `ServerHandshakeParser.receiveData threw ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    fed += c.length;
    if (r.kind === 'failed') {
      if (!(r.error instanceof HandshakeError) || !isWs02Error(r.error))
        violation('failure is not a HandshakeError');
      return `failed ${r.error.code}`;
    }
    if (r.kind === 'request') {
      // `rest` plus every later chunk: the bytes after key_3, never dropped.
      const rest = r.rest.length + (total - fed);
      return `request ${r.request.resourceName} ${r.request.protocol ?? '-'} ${Buffer.from(r.request.key3).toString('hex')} rest=${rest}`;
    }
    // Still reading the head: never more than the limit (plus key_3's 8 bytes once past it).
    if (parser.phase === 'head' && fed > SERVER_LIMITS.maxHeadBytes) {
      violation(
        `still need-more after ${fed} head bytes (maxHeadBytes ${SERVER_LIMITS.maxHeadBytes})`,
      );
    }
  }
  if (!eof) return 'need-more';
  const r = parser.receiveEof();
  if (r.kind !== 'failed' || !(r.error instanceof HandshakeError))
    violation(`receiveEof gave ${r.kind}`);
  return `eof ${r.error.code}`;
}

/** The target: same outcome for the whole input and for `cuts`. */
export function serverHandshakeTarget(data: Uint8Array, cuts: readonly number[] = []): void {
  const whole = runServerHandshake([data], true);
  const split = runServerHandshake(chunk(data, cuts), true);
  if (whole !== split) violation(`chunking changes the outcome: ${whole} vs ${split}`);
}

// ── client handshake (5.1 steps 31–48) ──

export const CLIENT_EXPECT = {
  expected: new Uint8Array(Buffer.from("8jKS'y:G*Co,Wxa-", 'latin1')),
  location: 'ws://example.com/demo',
  origin: 'http://example.com',
  maxHeadBytes: 2048,
  maxFields: 32,
} as const;

export function runClientHandshake(chunks: readonly Uint8Array[], eof: boolean): string {
  const parser = new ClientHandshakeParser(CLIENT_EXPECT);
  let fed = 0;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  for (const c of chunks) {
    let r: ReturnType<ClientHandshakeParser['receiveData']>;
    try {
      r = parser.receiveData(c);
    } catch (error) {
      violation(
        `ClientHandshakeParser.receiveData threw ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    fed += c.length;
    if (r.kind === 'failed') {
      if (!(r.error instanceof HandshakeError)) violation('failure is not a HandshakeError');
      return `failed ${r.error.code} ${r.error.step ?? ''}`;
    }
    // `rest` plus every later chunk: the bytes after the reply (or the 407 head), never dropped.
    if (r.kind === 'established') return `established rest=${r.rest.length + (total - fed)}`;
    if (r.kind === 'proxy-auth-required') return `407 rest=${r.rest.length + (total - fed)}`;
    if (fed > CLIENT_EXPECT.maxHeadBytes + 16) violation(`still need-more after ${fed} bytes`);
  }
  if (!eof) return 'need-more';
  const r = parser.receiveEof();
  if (r.kind !== 'failed' || !(r.error instanceof HandshakeError))
    violation(`receiveEof gave ${r.kind}`);
  return `eof ${r.error.code}`;
}

export function clientHandshakeTarget(data: Uint8Array, cuts: readonly number[] = []): void {
  const whole = runClientHandshake([data], true);
  const split = runClientHandshake(chunk(data, cuts), true);
  if (whole !== split) violation(`chunking changes the outcome: ${whole} vs ${split}`);
}

// ── frame decoder (4.2–4.4) ──

export const FRAME_LIMITS = {
  maxFrameSize: 16 * 1024,
  maxMessageSize: 64 * 1024,
  maxFragments: 64,
} as const;

export function runFrameDecoder(chunks: readonly Uint8Array[]): string {
  let largest = 0;
  const decoder = new FrameDecoder({
    ...FRAME_LIMITS,
    allocate: (size) => {
      largest = Math.max(largest, size);
      return new Uint8Array(size);
    },
  });
  const frames: string[] = [];
  // Frames decoded before a throw in the same call are still queued: take them too.
  const take = () => {
    for (const f of decoder.takeFrames()) {
      if (f.payload.length > FRAME_LIMITS.maxFrameSize)
        violation(`delivered a ${f.payload.length}-byte payload`);
      frames.push(`${f.opcode}${f.more ? '+' : ''}:${Buffer.from(f.payload).toString('hex')}`);
    }
  };
  let ending = 'end';
  try {
    for (const c of chunks) {
      decoder.receiveData(c);
      take();
    }
    decoder.receiveEof();
  } catch (error) {
    if (error instanceof Violation) throw error;
    take();
    if (!(error instanceof FrameError))
      violation(`FrameDecoder threw ${(error as Error).name}: ${(error as Error).message}`);
    ending = error.code;
    // A failed decoder stays failed with the same error.
    try {
      decoder.receiveData(new Uint8Array([0x04, 0x00]));
      violation('a failed decoder accepted more input');
    } catch (again) {
      if (again instanceof Violation) throw again;
      if (again !== error) violation('a failed decoder threw another error');
    }
  }
  if (largest > FRAME_LIMITS.maxFrameSize)
    violation(`allocated ${largest} bytes (maxFrameSize ${FRAME_LIMITS.maxFrameSize})`);
  return `${frames.join(' ')} | ${ending}`;
}

export function frameDecoderTarget(data: Uint8Array, cuts: readonly number[] = []): void {
  const whole = runFrameDecoder([data]);
  const split = runFrameDecoder(chunk(data, cuts));
  if (whole !== split) violation(`chunking changes the frames:\n${whole}\nvs\n${split}`);
}

// ── frame connection (messages, section 6 replace policy, section 7) ──

export function runFrameConnection(chunks: readonly Uint8Array[]): string {
  let largest = 0;
  const conn = new FrameConnection({
    ...FRAME_LIMITS,
    allocate: (size) => {
      largest = Math.max(largest, size);
      return new Uint8Array(size);
    },
  });
  const events: string[] = [];
  for (const c of chunks) {
    try {
      conn.receiveData(c);
    } catch (error) {
      violation(
        `FrameConnection.receiveData threw ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    for (const e of conn.takeEvents()) {
      if (e.type === 'error') {
        if (!(e.error instanceof FrameError)) violation('error event without a FrameError');
        events.push(`error ${e.error.code}`);
      } else if (e.type === 'message') {
        const size = typeof e.data === 'string' ? Buffer.byteLength(e.data) : e.data.length;
        if (!e.binary && typeof e.data !== 'string')
          violation('text message not decoded under the replace policy');
        if (e.binary && size > FRAME_LIMITS.maxMessageSize) violation(`a ${size}-byte message`);
        events.push(
          `message ${e.binary ? 'b' : 't'} ${typeof e.data === 'string' ? Buffer.from(e.data).toString('hex') : Buffer.from(e.data).toString('hex')}`,
        );
      } else {
        events.push(e.type);
      }
    }
    conn.takeOutgoing();
  }
  conn.receiveEof();
  for (const e of conn.takeEvents())
    events.push(e.type === 'error' ? `error ${e.error.code}` : e.type);
  if (largest > FRAME_LIMITS.maxMessageSize)
    violation(`allocated ${largest} bytes (maxMessageSize ${FRAME_LIMITS.maxMessageSize})`);
  return `${events.join(' ')} | ${conn.state}`;
}

export function frameConnectionTarget(data: Uint8Array, cuts: readonly number[] = []): void {
  const whole = runFrameConnection([data]);
  const split = runFrameConnection(chunk(data, cuts));
  if (whole !== split) violation(`chunking changes the events:\n${whole}\nvs\n${split}`);
}

export const TARGETS = {
  'server-handshake': serverHandshakeTarget,
  'client-handshake': clientHandshakeTarget,
  'frame-decoder': frameDecoderTarget,
  'frame-connection': frameConnectionTarget,
} as const;

export type TargetName = keyof typeof TARGETS;
