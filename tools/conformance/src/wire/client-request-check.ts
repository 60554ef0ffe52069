/**
 * Reading and judging the opening handshake of a client under test (client mode): parse the
 * request head and key_3 (5.2.1), check it against what 5.1 steps 6–30 say a client sends, and
 * compute the server's answer (5.2.2 steps 4–9) — independently of @ws02/handshake.
 */
import { challengeAnswer, readKey } from './handshake-keys.js';

export interface ClientRequest {
  readonly requestLine: string;
  readonly method: string;
  readonly resource: string;
  readonly version: string;
  /** Fields as sent (name case kept), in order. */
  readonly fields: readonly (readonly [string, string])[];
  /** Raw field lines (to check the exact `Name: value` form of step 18). */
  readonly lines: readonly string[];
  /** The eight bytes after the blank line; empty for a plain HTTP request. */
  readonly key3: Buffer;
  /** True when this is a WebSocket handshake (Sec-WebSocket-Key1 present). */
  readonly websocket: boolean;
}

export type RequestParse =
  | { readonly state: 'incomplete' }
  | { readonly state: 'bad'; readonly reason: string }
  | { readonly state: 'complete'; readonly request: ClientRequest; readonly consumed: number };

const MAX_HEAD = 64 * 1024;
const decoder = new TextDecoder('utf-8');

/** Parses the request at the front of `bytes`. */
export function parseClientRequest(bytes: Uint8Array): RequestParse {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) {
    return buf.length > MAX_HEAD
      ? { state: 'bad', reason: `request head larger than ${MAX_HEAD} bytes` }
      : { state: 'incomplete' };
  }
  const lines = decoder.decode(buf.subarray(0, end)).split('\r\n');
  const requestLine = lines[0] ?? '';
  const parts = requestLine.split(' ');
  if (parts.length !== 3)
    return { state: 'bad', reason: `bad request line ${JSON.stringify(requestLine)}` };
  const fields: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { state: 'bad', reason: `bad field line ${JSON.stringify(line)}` };
    fields.push([line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')]);
  }
  const websocket = fields.some(([n]) => n.toLowerCase() === 'sec-websocket-key1');
  const headEnd = end + 4;
  if (websocket && buf.length < headEnd + 8) return { state: 'incomplete' };
  const key3 = websocket ? Buffer.from(buf.subarray(headEnd, headEnd + 8)) : Buffer.alloc(0);
  return {
    state: 'complete',
    consumed: headEnd + key3.length,
    request: {
      requestLine,
      method: parts[0]!,
      resource: parts[1]!,
      version: parts[2]!,
      fields,
      lines: lines.slice(1),
      key3,
      websocket,
    },
  };
}

/** All values of a field (case-insensitive name). */
export function fieldValues(request: ClientRequest, name: string): string[] {
  const lower = name.toLowerCase();
  return request.fields.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** A rule of 5.1 the client's request breaks. */
export interface RequestFinding {
  readonly step: string;
  /** `FAILED`: a server must abort (or the handshake cannot work); `NON-STRICT`: tolerable. */
  readonly severity: 'FAILED' | 'NON-STRICT';
  readonly message: string;
}

export interface RequestContext {
  /** The resource name the client was pointed at. */
  readonly resource: string;
  /** The Host value 5.1 steps 10–13 produce for the URL the client was given. */
  readonly hostField: string;
}

/** What a client's key must look like (5.1 steps 19–25). */
export function checkKeyShape(key: string): string | undefined {
  const k = readKey(key);
  if (k.spaces < 1 || k.spaces > 12) return `${k.spaces} spaces (step 19: 1 to 12)`;
  if (key.startsWith(' ') || key.endsWith(' ')) return 'a space at the start or end (step 25)';
  if (k.digits === '') return 'no digits (steps 22–23)';
  if (k.abort !== undefined) return k.abort;
  const others = [...key].filter((c) => c !== ' ' && (c < '0' || c > '9'));
  if (others.length < 1) return 'no random characters (step 24: one to twelve)';
  for (const c of others) {
    const code = c.charCodeAt(0);
    if (!((code >= 0x21 && code <= 0x2f) || (code >= 0x3a && code <= 0x7e))) {
      return `character U+${code.toString(16).padStart(4, '0')} outside step 24's ranges`;
    }
  }
  if (String(BigInt(k.digits)) !== k.digits) return 'leading zeros in the digits (step 23)';
  return undefined;
}

/** Every rule of 5.1 steps 6–30 the request breaks, as far as one request shows. */
export function checkClientRequest(
  request: ClientRequest,
  context: RequestContext,
): RequestFinding[] {
  const out: RequestFinding[] = [];
  const add = (step: string, severity: RequestFinding['severity'], message: string) =>
    out.push({ step, severity, message });
  // Step 6.
  if (request.method !== 'GET') add('5.1 step 6', 'FAILED', `method ${request.method}`);
  if (request.resource !== context.resource) {
    add(
      '5.1 step 6',
      'FAILED',
      `resource name ${JSON.stringify(request.resource)}, expected ${JSON.stringify(context.resource)}`,
    );
  }
  if (request.version !== 'HTTP/1.1') add('5.1 step 6', 'NON-STRICT', `version ${request.version}`);
  const one = (name: string, step: string): string | undefined => {
    const values = fieldValues(request, name);
    if (values.length !== 1) {
      add(step, 'FAILED', `${values.length} ${name} fields (one expected)`);
      return undefined;
    }
    return values[0];
  };
  // Steps 8–9: the exact strings "Upgrade: WebSocket" and "Connection: Upgrade".
  const upgrade = one('Upgrade', '5.1 step 8');
  if (upgrade !== undefined && upgrade !== 'WebSocket') {
    add(
      '5.1 step 8',
      upgrade.toLowerCase() === 'websocket' ? 'NON-STRICT' : 'FAILED',
      `Upgrade: ${upgrade}`,
    );
  }
  const connection = one('Connection', '5.1 step 9');
  if (connection !== undefined && connection !== 'Upgrade') {
    add(
      '5.1 step 9',
      connection.toLowerCase() === 'upgrade' ? 'NON-STRICT' : 'FAILED',
      `Connection: ${connection}`,
    );
  }
  // Steps 10–13.
  const host = one('Host', '5.1 step 13');
  if (host !== undefined && host !== context.hostField) {
    add(
      '5.1 steps 10–13',
      host.toLowerCase() === context.hostField ? 'NON-STRICT' : 'FAILED',
      `Host: ${host}, expected ${context.hostField}`,
    );
  }
  // Step 14 and 3.3: the origin, lowercase.
  const origin = one('Origin', '5.1 step 14');
  if (origin !== undefined && /[A-Z]/.test(origin))
    add('3.3', 'NON-STRICT', `Origin has upper-case letters: ${origin}`);
  // Step 15.
  const draft = one('Sec-WebSocket-Draft', '5.1 step 15');
  if (draft !== undefined && draft !== '2')
    add('5.1 step 15', 'FAILED', `Sec-WebSocket-Draft: ${draft}`);
  // Step 18: canonical case, "Name: value", no continuation lines.
  for (const line of request.lines) {
    if (line.startsWith(' ') || line.startsWith('\t'))
      add('5.1 step 18', 'FAILED', 'a continuation line');
    else if (!/^[^:]+: /.test(line))
      add(
        '5.1 step 18',
        'NON-STRICT',
        `field not written as "Name: value": ${JSON.stringify(line.slice(0, 60))}`,
      );
  }
  // Steps 19–26.
  for (const [name, step] of [
    ['Sec-WebSocket-Key1', '5.1 steps 19–26'],
    ['Sec-WebSocket-Key2', '5.1 steps 19–26'],
  ] as const) {
    const key = one(name, step);
    if (key === undefined) continue;
    const problem = checkKeyShape(key);
    if (problem !== undefined) {
      const fatal = readKey(key).abort !== undefined;
      add(step, fatal ? 'FAILED' : 'NON-STRICT', `${name} ${JSON.stringify(key)}: ${problem}`);
    }
  }
  // Step 29: eight bytes.
  if (request.key3.length !== 8)
    add('5.1 step 29', 'FAILED', `key_3 is ${request.key3.length} bytes`);
  return out;
}

/** The server's answer to a request (5.2.2 steps 4–9), or why none can be computed. */
export function answerFor(request: ClientRequest): Buffer | string {
  const [key1] = fieldValues(request, 'Sec-WebSocket-Key1');
  const [key2] = fieldValues(request, 'Sec-WebSocket-Key2');
  if (key1 === undefined || key2 === undefined) return 'a key field is missing';
  const k1 = readKey(key1);
  const k2 = readKey(key2);
  if (k1.part === undefined) return `Sec-WebSocket-Key1: ${k1.abort}`;
  if (k2.part === undefined) return `Sec-WebSocket-Key2: ${k2.abort}`;
  return challengeAnswer(k1.part, k2.part, request.key3);
}
