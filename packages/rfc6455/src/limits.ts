import { Rfc6455Error } from './rfc6455-error.js';

/**
 * Receive limits (section 10.4: "implementations SHOULD impose implementation-specific limits on
 * frame sizes and the total message size"). The same names, defaults and behaviour as draft-02's
 * `FrameLimits` (`@ws02/frame`): all are checked from frame headers, before any payload byte is
 * buffered, and a violation fails the connection with 1009 (7.4.1, message too big).
 */
export interface FrameLimits {
  /** Largest payload length a frame may declare. */
  readonly maxFrameSize?: number;
  /** Largest sum of declared payload lengths of one data message, over all its frames. */
  readonly maxMessageSize?: number;
  /**
   * Most frames in one data message. Floods of tiny or empty fragments are a known CPU/memory
   * denial of service in other stacks.
   */
  readonly maxFragments?: number;
}

/** 16 MiB per frame. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
/** 64 MiB per message. */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/** 65,536 frames per message (1 KiB fragments reach the message limit first). */
export const DEFAULT_MAX_FRAGMENTS = 65536;

/** @internal A limit option: a non-negative safe integer (≥ `min`) or Infinity. */
export function limitOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Rfc6455Error(
      'INVALID_ARGUMENT',
      '10.4',
      `${name} must be an integer ≥ ${min} or Infinity, got ${value}`,
      { detail: { option: name } },
    );
  }
  return value;
}
