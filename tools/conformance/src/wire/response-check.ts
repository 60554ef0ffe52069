/**
 * The server's handshake as a draft-02 client must read it: 5.1 steps 31–48, byte by byte,
 * written from the draft and independent of @ws02/handshake. Run on the bytes received so far;
 * says `incomplete` until it can decide.
 */

export interface ResponseExpectations {
  /** The origin the client sent: Sec-WebSocket-Origin must equal it exactly (step 44). */
  readonly origin: string;
  /** The URL the client constructs (3.2): Sec-WebSocket-Location must equal it exactly. */
  readonly location: string;
  /** Subprotocols offered; when any, exactly one Sec-WebSocket-Protocol naming one is required. */
  readonly protocols?: readonly string[];
  /** The 16 bytes of step 46. */
  readonly answer: Uint8Array;
}

export type ResponseVerdict =
  | { readonly state: 'incomplete' }
  /** Step 33 with a code other than 101: an ordinary HTTP refusal (or 407). */
  | { readonly state: 'refused'; readonly code: string; readonly statusLine: string }
  /** A step of 5.1 fails: the client must fail the WebSocket connection. */
  | { readonly state: 'failed'; readonly step: number; readonly reason: string }
  /** Steps 31–48 passed. `consumed` = head + 16 bytes; what follows is frames. */
  | {
      readonly state: 'established';
      readonly statusLine: string;
      readonly fields: readonly (readonly [string, string])[];
      readonly protocol: string | undefined;
      readonly consumed: number;
    };

const INCOMPLETE: ResponseVerdict = { state: 'incomplete' };
const decoder = new TextDecoder('utf-8');

/** Checks the response in `bytes`; `ended` = the server closed the connection after them. */
export function checkResponse(
  bytes: Uint8Array,
  expect: ResponseExpectations,
  ended = false,
): ResponseVerdict {
  const fail = (step: number, reason: string): ResponseVerdict => ({
    state: 'failed',
    step,
    reason,
  });
  const eof = (step: number): ResponseVerdict =>
    ended ? fail(step, 'the connection closed before this step could read its bytes') : INCOMPLETE;
  // Step 31: bytes up to and including the first 0x0A.
  const lf = bytes.indexOf(0x0a);
  if (lf === -1) return eof(31);
  const line = bytes.subarray(0, lf + 1);
  const n = line.length;
  let spaces = 0;
  let strayCr = false;
  for (let i = 0; i < n; i++) {
    if (line[i] === 0x20) spaces++;
    if (line[i] === 0x0d && i !== n - 2) strayCr = true;
  }
  if (n < 7) return fail(31, `status line shorter than 7 bytes (${n})`);
  if (line[n - 2] !== 0x0d) return fail(31, 'status line does not end in CRLF');
  if (strayCr) return fail(31, 'status line contains a CR other than before its LF');
  if (spaces < 2) return fail(31, 'status line has fewer than two spaces');
  const statusLine = decoder.decode(line.subarray(0, n - 2));
  // Step 32: /code/ is between the first and the second 0x20.
  const sp1 = line.indexOf(0x20);
  const sp2 = line.indexOf(0x20, sp1 + 1);
  const code = decoder.decode(line.subarray(sp1 + 1, sp2));
  // Step 33.
  if (code !== '101') return { state: 'refused', code, statusLine };
  // Steps 34–41: the fields.
  const fields: [string, string][] = [];
  let pos = lf + 1;
  for (;;) {
    // Steps 35–36: the name, A–Z lowered, until ':'; CR with an empty name ends the fields.
    const nameStart = pos;
    let endOfFields = false;
    for (;;) {
      if (pos >= bytes.length) return eof(36);
      const b = bytes[pos++]!;
      if (b === 0x0d) {
        if (pos - 1 === nameStart) {
          endOfFields = true;
          break;
        }
        return fail(36, 'a CR inside a field name');
      }
      if (b === 0x0a) return fail(36, 'an LF inside a field name');
      if (b === 0x3a) break;
    }
    if (endOfFields) break;
    const name = lowerAZ(decoder.decode(bytes.subarray(nameStart, pos - 1)));
    // Steps 37–38: skip one space right after the colon; the value runs to CR; LF fails.
    if (pos >= bytes.length) return eof(38);
    if (bytes[pos] === 0x20) pos++;
    const valueStart = pos;
    for (;;) {
      if (pos >= bytes.length) return eof(38);
      const b = bytes[pos++]!;
      if (b === 0x0d) break;
      if (b === 0x0a) return fail(38, `an LF inside the value of ${name}`);
    }
    const value = decoder.decode(bytes.subarray(valueStart, pos - 1));
    // Step 39: the LF after the CR.
    if (pos >= bytes.length) return eof(39);
    if (bytes[pos++] !== 0x0a)
      return fail(39, `the CR after the value of ${name} is not followed by LF`);
    fields.push([name, value]); // step 40
  }
  // Step 42: the LF of the blank line.
  if (pos >= bytes.length) return eof(42);
  if (bytes[pos++] !== 0x0a) return fail(42, 'the blank line CR is not followed by LF');
  // Step 44: exactly one of each required field; no empty names; values as required.
  const count = (name: string) => fields.filter(([f]) => f === name).length;
  const offered = expect.protocols ?? [];
  for (const required of [
    'upgrade',
    'connection',
    'sec-websocket-origin',
    'sec-websocket-location',
  ]) {
    const c = count(required);
    if (c !== 1) return fail(44, `${c} ${required} fields (exactly one required)`);
  }
  if (offered.length > 0 && count('sec-websocket-protocol') !== 1) {
    return fail(
      44,
      `${count('sec-websocket-protocol')} sec-websocket-protocol fields (protocols were offered)`,
    );
  }
  if (count('') > 0) return fail(44, 'a field with an empty name');
  let protocol: string | undefined;
  for (const [name, value] of fields) {
    if (name === 'upgrade' && lowerAZ(value) !== 'websocket')
      return fail(44, `Upgrade is ${JSON.stringify(value)}`);
    if (name === 'connection' && lowerAZ(value) !== 'upgrade')
      return fail(44, `Connection is ${JSON.stringify(value)}`);
    if (name === 'sec-websocket-origin' && value !== expect.origin)
      return fail(
        44,
        `Sec-WebSocket-Origin ${JSON.stringify(value)} is not ${JSON.stringify(expect.origin)}`,
      );
    if (name === 'sec-websocket-location' && value !== expect.location)
      return fail(
        44,
        `Sec-WebSocket-Location ${JSON.stringify(value)} is not ${JSON.stringify(expect.location)}`,
      );
    if (name === 'sec-websocket-protocol' && offered.length > 0) {
      if (!offered.includes(value))
        return fail(44, `Sec-WebSocket-Protocol ${JSON.stringify(value)} was not offered`);
      protocol = value;
    }
  }
  // Steps 47–48: sixteen bytes equal to /expected/.
  if (bytes.length - pos < 16) return eof(47);
  const reply = bytes.subarray(pos, pos + 16);
  for (let i = 0; i < 16; i++) {
    if (reply[i] !== expect.answer[i])
      return fail(48, 'the 16-byte reply is not the expected MD5 answer');
  }
  return { state: 'established', statusLine, fields, protocol, consumed: pos + 16 };
}

/** ASCII A–Z to a–z only (the draft's "converted to ASCII lowercase"). */
export function lowerAZ(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x20));
}
