import { isMessageId } from './message-id.js';
import { canonicalRoom, validNick } from './names.js';

/**
 * The chat's JSON protocol over Text messages (PROTOCOL.md is the reference). Every client
 * message is one JSON object with a `type`; an optional `ref` (string ≤ 64 characters or
 * integer) is echoed in the one reply each command gets — its result or an `error`.
 */
export type ClientCommand =
  | {
      readonly type: 'hello';
      readonly ref: Ref;
      readonly nick: string;
      readonly token: string | undefined;
      readonly since: string | undefined;
      readonly rooms: readonly string[];
    }
  | { readonly type: 'nick'; readonly ref: Ref; readonly nick: string }
  | {
      readonly type: 'join';
      readonly ref: Ref;
      readonly room: string;
      readonly since: string | undefined;
    }
  | { readonly type: 'leave'; readonly ref: Ref; readonly room: string }
  | { readonly type: 'post'; readonly ref: Ref; readonly room: string; readonly text: string }
  | { readonly type: 'dm'; readonly ref: Ref; readonly to: string; readonly text: string }
  | { readonly type: 'rooms'; readonly ref: Ref }
  | { readonly type: 'who'; readonly ref: Ref; readonly room: string }
  | { readonly type: 'ping'; readonly ref: Ref };

export type CommandType = ClientCommand['type'];
export type Ref = string | number | undefined;

export const COMMAND_TYPES: readonly CommandType[] = [
  'hello',
  'nick',
  'join',
  'leave',
  'post',
  'dm',
  'rooms',
  'who',
  'ping',
];

/** Stable error codes sent in `error` messages (PROTOCOL.md "Errors"); none closes the connection. */
export const ERROR_CODES = {
  BAD_JSON: 'the message is not valid JSON, or not a JSON object',
  NOT_TEXT: 'binary messages are not part of the protocol',
  UNKNOWN_TYPE: 'no command has this `type`',
  BAD_MESSAGE: 'a field is missing or has the wrong type or form',
  HELLO_REQUIRED: 'send `hello` first',
  ALREADY_HELLO: '`hello` was already accepted on this connection (use `nick` to rename)',
  NICK_INVALID: 'the nick breaks the nick rules',
  NICK_TAKEN: 'someone else has this nick',
  ROOM_INVALID: 'the room name breaks the room name rules',
  ROOM_FULL: 'the room has its maximum number of members',
  TOO_MANY_ROOMS: 'you are in the maximum number of rooms',
  ROOM_LIMIT: 'the server has its maximum number of rooms; join an existing one',
  NOT_IN_ROOM: 'you are not in this room',
  NO_SUCH_ROOM: 'the room has no members',
  NO_SUCH_NICK: 'no one has this nick',
  TEXT_TOO_LONG: 'the text is longer than the maximum',
  RATE_LIMITED: 'too many messages: this one was dropped; slow down',
  INTERNAL: 'the server failed to carry out the command',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Reasons the server closes a connection, sent as the Close frame's body (section 7: in draft-02
 * the body is arbitrary; here it is `{"code":…,"message":…}` in UTF-8).
 */
export const CLOSE_REASONS = {
  RATE_LIMITED: 'rate limit exceeded repeatedly',
  MESSAGE_TOO_LARGE: 'message larger than the maximum',
  HELLO_TIMEOUT: 'no hello in time',
  REPLACED: 'this session was resumed on another connection',
  SERVER_SHUTDOWN: 'the server is shutting down',
} as const;
export type CloseReason = keyof typeof CLOSE_REASONS;

export interface CommandError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly ref: Ref;
  readonly for: CommandType | undefined;
}

export interface ParseLimits {
  readonly maxNickLength: number;
  readonly maxRoomNameLength: number;
  readonly maxTextLength: number;
  readonly maxRoomsPerUser: number;
}

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
/** C0 controls other than tab and newline, DEL, and C1 controls: never in a text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Parses one Text message into a command, or the error to answer with. Never throws. */
export function parseCommand(text: string, limits: ParseLimits): ClientCommand | CommandError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('BAD_JSON', 'the message is not valid JSON', undefined, undefined);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('BAD_JSON', 'the message must be a JSON object', undefined, undefined);
  }
  const m = value as Record<string, unknown>;
  let ref: Ref;
  if (m.ref !== undefined) {
    if (
      (typeof m.ref === 'string' && m.ref.length <= 64) ||
      (typeof m.ref === 'number' && Number.isSafeInteger(m.ref))
    ) {
      ref = m.ref;
    } else {
      return fail('BAD_MESSAGE', '`ref` must be a string of at most 64 characters or an integer');
    }
  }
  const type = m.type;
  if (typeof type !== 'string') return fail('BAD_MESSAGE', '`type` must be a string', ref);
  if (!(COMMAND_TYPES as readonly string[]).includes(type)) {
    return fail('UNKNOWN_TYPE', `unknown command type ${JSON.stringify(type.slice(0, 32))}`, ref);
  }
  const t = type as CommandType;
  switch (t) {
    case 'hello': {
      const nick = validNick(m.nick, limits.maxNickLength);
      if (nick === undefined) return badNick(m.nick, ref, t, limits);
      if (m.token !== undefined && (typeof m.token !== 'string' || !TOKEN.test(m.token))) {
        return fail('BAD_MESSAGE', '`token` must be the token a `welcome` gave', ref, t);
      }
      if (m.since !== undefined && !isMessageId(m.since)) {
        return fail('BAD_MESSAGE', '`since` must be a message id', ref, t);
      }
      let rooms: string[] = [];
      if (m.rooms !== undefined) {
        if (!Array.isArray(m.rooms) || m.rooms.length > limits.maxRoomsPerUser) {
          return fail(
            'BAD_MESSAGE',
            `\`rooms\` must be an array of at most ${limits.maxRoomsPerUser} room names`,
            ref,
            t,
          );
        }
        rooms = [];
        for (const r of m.rooms) {
          const room = canonicalRoom(r, limits.maxRoomNameLength);
          if (room === undefined) return badRoom(r, ref, t, limits);
          if (!rooms.includes(room)) rooms.push(room);
        }
      }
      return {
        type: t,
        ref,
        nick,
        token: m.token as string | undefined,
        since: m.since as string | undefined,
        rooms,
      };
    }
    case 'nick': {
      const nick = validNick(m.nick, limits.maxNickLength);
      if (nick === undefined) return badNick(m.nick, ref, t, limits);
      return { type: t, ref, nick };
    }
    case 'join': {
      const room = canonicalRoom(m.room, limits.maxRoomNameLength);
      if (room === undefined) return badRoom(m.room, ref, t, limits);
      if (m.since !== undefined && !isMessageId(m.since)) {
        return fail('BAD_MESSAGE', '`since` must be a message id', ref, t);
      }
      return { type: t, ref, room, since: m.since as string | undefined };
    }
    case 'leave':
    case 'who': {
      const room = canonicalRoom(m.room, limits.maxRoomNameLength);
      if (room === undefined) return badRoom(m.room, ref, t, limits);
      return { type: t, ref, room };
    }
    case 'post': {
      const room = canonicalRoom(m.room, limits.maxRoomNameLength);
      if (room === undefined) return badRoom(m.room, ref, t, limits);
      const error = checkText(m.text, ref, t, limits.maxTextLength);
      if (error !== undefined) return error;
      return { type: t, ref, room, text: m.text as string };
    }
    case 'dm': {
      const to = validNick(m.to, limits.maxNickLength);
      if (to === undefined) return fail('NO_SUCH_NICK', '`to` is not a valid nick', ref, t);
      const error = checkText(m.text, ref, t, limits.maxTextLength);
      if (error !== undefined) return error;
      return { type: t, ref, to, text: m.text as string };
    }
    case 'rooms':
    case 'ping':
      return { type: t, ref };
  }
}

export function isCommandError(value: ClientCommand | CommandError): value is CommandError {
  return 'code' in value;
}

function checkText(
  text: unknown,
  ref: Ref,
  type: CommandType,
  maxLength: number,
): CommandError | undefined {
  if (typeof text !== 'string' || text.length === 0) {
    return fail('BAD_MESSAGE', '`text` must be a non-empty string', ref, type);
  }
  // Code points ≤ UTF-16 units: only count them when the quick bound is not enough.
  if (text.length > maxLength && codePoints(text) > maxLength) {
    return fail('TEXT_TOO_LONG', `\`text\` is longer than ${maxLength} characters`, ref, type);
  }
  if (CONTROL.test(text)) {
    return fail('BAD_MESSAGE', '`text` must not contain control characters', ref, type);
  }
  return undefined;
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function badNick(value: unknown, ref: Ref, type: CommandType, limits: ParseLimits): CommandError {
  return fail(
    'NICK_INVALID',
    `${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : '`nick`'} is not a valid nick: 1-${limits.maxNickLength} characters, a letter or _ first, then letters, digits, _ - [ ] { } | ^`,
    ref,
    type,
  );
}

function badRoom(value: unknown, ref: Ref, type: CommandType, limits: ParseLimits): CommandError {
  return fail(
    'ROOM_INVALID',
    `${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : '`room`'} is not a valid room name: an optional #, then 1-${limits.maxRoomNameLength} of a-z 0-9 _ -, a letter or digit first`,
    ref,
    type,
  );
}

export function fail(
  code: ErrorCode,
  message: string,
  ref?: Ref,
  type?: CommandType,
): CommandError {
  return { code, message, ref, for: type };
}

// --- server messages ---

/** `{"type":"error",…}`. */
export function errorJson(error: CommandError): string {
  return JSON.stringify({
    type: 'error',
    ...(error.ref !== undefined ? { ref: error.ref } : {}),
    ...(error.for !== undefined ? { for: error.for } : {}),
    code: error.code,
    message: error.message,
  });
}

/** A reply: `{"type":…,"ref":…,…fields}` (ref only when the command had one). */
export function replyJson(type: string, ref: Ref, fields: Record<string, unknown>): string {
  return JSON.stringify(ref === undefined ? { type, ...fields } : { type, ref, ...fields });
}

/**
 * A reply embedding history: `events` are JSON texts already (as published and stored), so
 * they are spliced into the array without parsing them again.
 */
export function replyWithEvents(
  type: string,
  ref: Ref,
  fields: Record<string, unknown>,
  key: string,
  events: readonly { readonly json: string }[],
): string {
  const head = replyJson(type, ref, fields);
  let list = '';
  for (let i = 0; i < events.length; i++) list += (i === 0 ? '' : ',') + events[i]!.json;
  return `${head.slice(0, -1)},${JSON.stringify(key)}:[${list}]}`;
}

/** The Close frame body for a server-initiated close. */
export function closeBody(reason: CloseReason): string {
  return JSON.stringify({ code: reason, message: CLOSE_REASONS[reason] });
}
