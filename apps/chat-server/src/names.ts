/**
 * Nick and room name rules (PROTOCOL.md "Names").
 *
 * Nicks: 1 to `maxNickLength` ASCII characters; a letter or `_` first, then letters, digits and
 * `_ - [ ] { } | ^`. Unique case-insensitively: `Alice` and `alice` are the same nick (the
 * key is the lowercase form); the display form is kept as the user chose it.
 *
 * Rooms: an optional leading `#`, then 1 to `maxRoomNameLength` of `a-z 0-9 _ -`, starting with
 * a letter or digit; case-insensitive, the canonical name is lowercase without `#`. Room names
 * never contain `@`, which names direct-message inboxes on the adapter.
 */
const NICK = /^[A-Za-z_][A-Za-z0-9_\-[\]{}|^]*$/;
const ROOM = /^[a-z0-9][a-z0-9_-]*$/;

/** The nick if valid (display form), else undefined. */
export function validNick(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return undefined;
  return NICK.test(value) ? value : undefined;
}

/** The uniqueness key of a valid nick. */
export function nickKey(nick: string): string {
  return nick.toLowerCase();
}

/** The canonical room name if valid (`#General` → `general`), else undefined. */
export function canonicalRoom(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = (value.startsWith('#') ? value.slice(1) : value).toLowerCase();
  if (name.length === 0 || name.length > maxLength) return undefined;
  return ROOM.test(name) ? name : undefined;
}
