import { FrameError } from './frame-error.js';

/**
 * What to do with the bytes of a Text message (section 6):
 * - `replace`: each invalid sequence becomes U+FFFD, exactly as the WHATWG UTF-8 decoder
 *   (`TextDecoder`) replaces them. Section 6.1 requires it of clients; it is also the project's
 *   server default (section 6.2 leaves the server's behaviour open).
 * - `fail`: invalid UTF-8 fails the connection with `FRAME_INVALID_UTF8`.
 * - `raw`: no decoding; the bytes are delivered as a `Uint8Array` with `binary: false`.
 */
export type TextPolicy = 'replace' | 'fail' | 'raw';

// `ignoreBOM: true`: a leading U+FEFF is message content, not a byte-order mark to strip.
// Without `stream`, decode() is stateless, so one shared instance per mode is safe.
const replaceDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const fatalDecoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });

/** @internal Throws FRAME_INVALID_ARGUMENT for an unknown policy. */
export function checkTextPolicy(policy: string): TextPolicy {
  if (policy !== 'replace' && policy !== 'fail' && policy !== 'raw') {
    throw new FrameError('FRAME_INVALID_ARGUMENT', '6', `unknown text policy ${policy}`);
  }
  return policy;
}

function invalid(cause: unknown): FrameError {
  return new FrameError('FRAME_INVALID_UTF8', '6', 'text message is not valid UTF-8', { cause });
}

/** Decodes a whole text message under `policy` (section 6). */
export function decodeText(bytes: Uint8Array, policy: TextPolicy): string | Uint8Array {
  if (policy === 'replace') return replaceDecoder.decode(bytes);
  if (policy === 'fail') {
    try {
      return fatalDecoder.decode(bytes);
    } catch (error) {
      throw invalid(error);
    }
  }
  return bytes;
}

const STREAM = { stream: true } as const;
const FLUSH = { stream: false } as const;

/**
 * Decodes a text message delivered fragment by fragment: a UTF-8 sequence split across
 * fragments is joined correctly, and a sequence left incomplete by the last fragment is
 * replaced (or fails) when the message ends — the same result as decoding the whole message.
 */
export class TextStreamDecoder {
  private decoder: TextDecoder | undefined;
  constructor(private readonly policy: TextPolicy) {}

  /** Forgets a message abandoned midway. */
  reset(): void {
    this.decoder = undefined;
  }

  decode(bytes: Uint8Array, last: boolean): string | Uint8Array {
    if (this.policy === 'raw') return bytes;
    this.decoder ??= new TextDecoder('utf-8', {
      ignoreBOM: true,
      fatal: this.policy === 'fail',
    });
    try {
      return this.decoder.decode(bytes, last ? FLUSH : STREAM);
    } catch (error) {
      this.decoder = undefined; // A fatal decoder that threw mid-stream keeps partial state.
      throw invalid(error);
    }
  }
}
