import { encodeFrameChunks, Opcode } from '@ws02/frame';
import type { SendData } from './websocket.js';

/**
 * Encodes one message once, for writing to many connections (broadcast fan-out): the same
 * header and payload chunks go to every socket. A string is a Text frame, bytes a Binary frame,
 * unless `binary` says otherwise.
 */
export function encodeBroadcast(data: SendData, binary?: boolean): Uint8Array[] {
  const isBinary = binary ?? typeof data !== 'string';
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : toBytes(data);
  return encodeFrameChunks({ opcode: isBinary ? Opcode.Binary : Opcode.Text, payload });
}

function toBytes(data: Exclude<SendData, string>): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
