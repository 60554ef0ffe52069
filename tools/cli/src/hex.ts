/** Bytes as lowercase hex pairs separated by spaces: `68 65 6c 6c 6f`. */
export function formatHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

/**
 * Parses hex typed by a user: pairs of hex digits, optionally separated by spaces, colons or
 * dashes, optionally prefixed `0x`. Returns undefined when the text is not hex.
 */
export function parseHex(text: string): Buffer | undefined {
  const digits = text
    .trim()
    .replace(/^0x/i, '')
    .replace(/[\s:-]/g, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined;
  return Buffer.from(digits, 'hex');
}
