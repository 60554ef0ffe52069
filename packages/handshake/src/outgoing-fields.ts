import { HandshakeError, show } from './handshake-error.js';
import { hasControlCharacter, isFieldName } from './text.js';

/**
 * Checks on fields we are asked to send (client 5.1 step 18, server 5.2.2 step 11): one line
 * each, "with no use of continuation lines", and never a second copy of a field the handshake
 * writes itself (the peer requires exactly one).
 */
export function checkOutgoingValue(field: string, value: string, section: string, step: number) {
  if (hasControlCharacter(value)) {
    throw new HandshakeError(
      'HANDSHAKE_INVALID_FIELD',
      section,
      `${field} value has a control character (no continuation lines): ${show(value)}`,
      { step, field },
    );
  }
}

/** A caller-supplied field name: valid (5.2.1 part 5 syntax) and not one the handshake owns. */
export function checkOutgoingName(
  name: string,
  reserved: ReadonlySet<string>,
  section: string,
  step: number,
): void {
  if (!isFieldName(name)) {
    throw new HandshakeError(
      'HANDSHAKE_INVALID_FIELD',
      section,
      `not a valid field name: ${show(name)}`,
      { step },
    );
  }
  const lower = name.toLowerCase();
  if (reserved.has(lower)) {
    throw new HandshakeError(
      'HANDSHAKE_INVALID_FIELD',
      section,
      `${name} is written by the handshake itself and cannot be added`,
      { step, field: lower },
    );
  }
}
