import { FrameError } from './frame-error.js';

/**
 * Receive limits. -02 sets none (a length may declare up to 2^63 − 1 bytes), so without them a
 * peer could make a receiver buffer without bound; all are checked from frame headers, before
 * any payload byte is buffered.
 */
export interface FrameLimits {
  /** Largest declared payload (extension + application data) of one frame. */
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
export function limitOption(name: string, value: number | undefined, fallback: number, min = 0) {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FrameError(
      'FRAME_INVALID_ARGUMENT',
      '4.2',
      `${name} must be an integer ≥ ${min} or Infinity, got ${value}`,
    );
  }
  return value;
}
