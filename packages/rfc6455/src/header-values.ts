/**
 * Reading and writing the handshake's field values: comma-separated lists (RFC 7230 section 7,
 * the `#rule` RFC 6455 uses for Connection, Upgrade, Sec-WebSocket-Protocol and
 * Sec-WebSocket-Extensions) and outgoing fields.
 */
import { type HeaderFields, isHttpFieldValue, isHttpToken } from '@ws02/protocol';
import { Rfc6455Error, show } from './rfc6455-error.js';

/**
 * The elements of a list field over all its lines, in order, trimmed; empty elements skipped
 * (RFC 7230 7: a recipient accepts them).
 */
export function listElements(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  if (values === undefined) return out;
  for (const value of values) {
    for (const part of value.split(',')) {
      const element = part.trim();
      if (element.length > 0) out.push(element);
    }
  }
  return out;
}

/** True when some element of the list field is `token`, ASCII case-insensitively. */
export function listHasToken(values: readonly string[] | undefined, token: string): boolean {
  for (const element of listElements(values)) {
    if (element.length === token.length && element.toLowerCase() === token) return true;
  }
  return false;
}

/** Fields whose values the caller cannot set: the handshake writes them itself. */
export type ReservedFields = ReadonlySet<string>;

/**
 * Checks caller-supplied fields (`headers` of accept/reject/the client): a token name not
 * written by the handshake, a value on one line with no control character (no header
 * injection), every character one byte (ISO-8859-1, as `@ws02/protocol`'s head reader reads).
 */
export function checkOutgoingFields(
  headers: Readonly<Record<string, string>> | undefined,
  reserved: ReservedFields,
  section: string,
): void {
  if (headers === undefined) return;
  for (const name of Object.keys(headers))
    checkOutgoingField(name, headers[name]!, reserved, section);
}

export function checkOutgoingField(
  name: string,
  value: string,
  reserved: ReservedFields,
  section: string,
): void {
  if (!isHttpToken(name)) {
    throw new Rfc6455Error('INVALID_ARGUMENT', section, `not a field name: ${show(name)}`, {
      detail: { field: name },
    });
  }
  if (reserved.has(name.toLowerCase())) {
    throw new Rfc6455Error(
      'INVALID_ARGUMENT',
      section,
      `${name} is written by the handshake itself and cannot be set`,
      { detail: { field: name } },
    );
  }
  if (typeof value !== 'string' || !isHttpFieldValue(value)) {
    throw new Rfc6455Error(
      'INVALID_ARGUMENT',
      section,
      `the value of ${name} has a control character or a character above U+00FF`,
      { detail: { field: name } },
    );
  }
}

/** `Name: value\r\n` for each field. */
export function fieldLines(headers: Readonly<Record<string, string>> | undefined): string {
  if (headers === undefined) return '';
  let out = '';
  for (const name of Object.keys(headers)) out += `${name}: ${headers[name]}\r\n`;
  return out;
}

/** The single value of a field that must appear once; undefined when absent or repeated. */
export function singleValue(fields: HeaderFields, name: string): string | undefined {
  const values = fields[name];
  return values !== undefined && values.length === 1 ? values[0] : undefined;
}
