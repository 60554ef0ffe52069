import { randomBytes } from 'node:crypto';

/** Width of the base-36 millisecond timestamp: enough until the year 5188. */
const TIME_WIDTH = 9;
/** Width of the base-36 per-millisecond sequence: 1,679,616 ids per millisecond per instance. */
const SEQ_WIDTH = 4;
const SEQ_LIMIT = 36 ** SEQ_WIDTH;

/**
 * Message and event ids that sort like the events they name, across processes and machines:
 * `<time>-<seq>-<instance>`, e.g. `0mhd4x2k1-0000-k3j9z1ab`.
 *
 * - `time`: milliseconds since the epoch, base 36, fixed width, so string order is time order;
 * - `seq`: a counter within the millisecond, base 36, fixed width;
 * - `instance`: the generating process's id, so two instances never produce the same id.
 *
 * Within one instance ids strictly increase even if the wall clock steps back (the last time
 * used is kept). Ids compare with plain string comparison (`compareIds`), which is what
 * resume-after-reconnect relies on: "everything after id X" is a range query.
 */
export class MessageIdGenerator {
  readonly instanceId: string;
  #lastTime = 0;
  #seq = 0;

  constructor(
    instanceId: string = newInstanceId(),
    readonly now: () => number = Date.now,
  ) {
    if (!/^[0-9a-z]{1,32}$/.test(instanceId)) {
      throw new TypeError('instanceId must be 1-32 characters of [0-9a-z]');
    }
    this.instanceId = instanceId;
  }

  /** The next id; its `time` part is also returned as the event's timestamp. */
  next(): { id: string; ts: number } {
    let time = this.now();
    if (time <= this.#lastTime) {
      time = this.#lastTime;
      this.#seq++;
      if (this.#seq >= SEQ_LIMIT) {
        // More than SEQ_LIMIT ids in one millisecond: borrow the next millisecond.
        time++;
        this.#seq = 0;
      }
    } else {
      this.#seq = 0;
    }
    this.#lastTime = time;
    const id = `${time.toString(36).padStart(TIME_WIDTH, '0')}-${this.#seq
      .toString(36)
      .padStart(SEQ_WIDTH, '0')}-${this.instanceId}`;
    return { id, ts: time };
  }
}

/** A random instance id: 8 base-36 characters. */
export function newInstanceId(): string {
  const bytes = randomBytes(8);
  let out = '';
  for (let i = 0; i < 8; i++) out += (bytes[i]! % 36).toString(36);
  return out;
}

const ID_PATTERN = /^[0-9a-z]{9}-[0-9a-z]{4}-[0-9a-z]{1,32}$/;

/** True for a well-formed message id (what clients may send back as `since`). */
export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Orders two ids: negative, zero or positive, as `a` is before, equal to or after `b`. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
