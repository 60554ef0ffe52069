/**
 * The client's opening handshake (5.1 steps 6–30) assembled by hand, so cases can send exactly
 * the request they need: fields reordered, renamed, removed, duplicated or malformed.
 */
import { utf8 } from './bytes.js';
import { type ClientKeys, expectedAnswer } from './handshake-keys.js';

/** A field as written: `name: value` (or a raw line when `raw` is set). */
export type RequestField = readonly [name: string, value: string] | { readonly raw: string };

export interface RequestParts {
  /** The request line without CRLF, e.g. `GET / HTTP/1.1`. */
  readonly requestLine: string;
  readonly fields: readonly RequestField[];
  /** The eight key_3 bytes (or whatever a case wants to send after the blank line). */
  readonly key3: Uint8Array;
  /** Line ending, default CRLF. */
  readonly eol?: string;
}

export interface HandshakeTarget {
  /** Host field value: host (lowercase) plus `:port` when not the default (5.1 steps 10–13). */
  readonly hostField: string;
  /** The resource name (path and query). */
  readonly resource: string;
  /** The Sec-WebSocket-Location a server must answer with (3.2). */
  readonly location: string;
  readonly origin: string;
}

/** The head (request line, fields, blank line) as bytes, UTF-8. */
export function encodeHead(parts: Omit<RequestParts, 'key3'>): Buffer {
  const eol = parts.eol ?? '\r\n';
  let text = parts.requestLine + eol;
  for (const field of parts.fields) {
    text += ('raw' in field ? field.raw : `${field[0]}: ${field[1]}`) + eol;
  }
  return utf8(text + eol);
}

/** Head and key_3 in one buffer: one write, as SPEC-NOTES advises (em-websocket needs it). */
export function encodeRequest(parts: RequestParts): Buffer {
  return Buffer.concat([encodeHead(parts), parts.key3]);
}

/** The fields of a conforming request (steps 8–26), in the draft's listing order. */
export function standardFields(target: HandshakeTarget, keys: ClientKeys): [string, string][] {
  return [
    ['Upgrade', 'WebSocket'],
    ['Connection', 'Upgrade'],
    ['Host', target.hostField],
    ['Origin', target.origin],
    ['Sec-WebSocket-Draft', '2'],
    ['Sec-WebSocket-Key1', keys.key1],
    ['Sec-WebSocket-Key2', keys.key2],
  ];
}

/** A conforming request and the 16 bytes the server must answer with. */
export function standardRequest(
  target: HandshakeTarget,
  keys: ClientKeys,
): { parts: RequestParts; answer: Buffer } {
  return {
    parts: {
      requestLine: `GET ${target.resource} HTTP/1.1`,
      fields: standardFields(target, keys),
      key3: keys.key3,
    },
    answer: expectedAnswer(keys),
  };
}

/** Replaces (or, with `undefined`, removes) every field called `name` (case-insensitive). */
export function withField(
  fields: readonly RequestField[],
  name: string,
  value: string | undefined,
): RequestField[] {
  const lower = name.toLowerCase();
  const out: RequestField[] = [];
  let done = false;
  for (const f of fields) {
    if (!('raw' in f) && f[0].toLowerCase() === lower) {
      if (value !== undefined && !done) out.push([f[0], value]);
      done = true;
    } else out.push(f);
  }
  if (!done && value !== undefined) out.push([name, value]);
  return out;
}
