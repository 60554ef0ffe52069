import { ClientError } from './client-error.js';

/** Opt-in reconnection after a connection is lost or cannot be opened. */
export interface ReconnectOptions {
  /** Attempts in a row before giving up (reset after each successful open). Default 10. */
  readonly retries?: number;
  /** Delay before the first attempt, in ms. Default 500. */
  readonly minDelay?: number;
  /** Largest delay, in ms. Default 30 000. */
  readonly maxDelay?: number;
  /** Growth of the delay per attempt. Default 2. */
  readonly factor?: number;
  /**
   * Share of each delay that is random, 0..1: the delay is `d × (1 − jitter × random())`, so
   * clients that lost the same server do not come back in step. Default 0.5.
   */
  readonly jitter?: number;
}

export type ResolvedReconnect = Required<ReconnectOptions>;

export const RECONNECT_DEFAULTS: ResolvedReconnect = Object.freeze({
  retries: 10,
  minDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
});

/** Validates the `reconnect` option; undefined when reconnection is off. */
export function resolveReconnect(
  option: boolean | ReconnectOptions | undefined,
): ResolvedReconnect | undefined {
  if (option === undefined || option === false) return undefined;
  const o = { ...RECONNECT_DEFAULTS, ...(option === true ? {} : option) };
  const bad = (name: string, value: number) =>
    new ClientError('CLIENT_INVALID_OPTION', '5.1', `reconnect.${name} is invalid: ${value}`);
  if (!(o.retries >= 0) || (!Number.isInteger(o.retries) && o.retries !== Infinity)) {
    throw bad('retries', o.retries);
  }
  if (!(o.minDelay >= 0) || !Number.isFinite(o.minDelay)) throw bad('minDelay', o.minDelay);
  if (!(o.maxDelay >= o.minDelay) || !Number.isFinite(o.maxDelay))
    throw bad('maxDelay', o.maxDelay);
  if (!(o.factor >= 1) || !Number.isFinite(o.factor)) throw bad('factor', o.factor);
  if (!(o.jitter >= 0 && o.jitter <= 1)) throw bad('jitter', o.jitter);
  return o;
}

/** The delay before attempt number `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  o: ResolvedReconnect,
  random: () => number = Math.random,
): number {
  const base = Math.min(o.maxDelay, o.minDelay * o.factor ** (attempt - 1));
  return Math.round(base * (1 - o.jitter * random()));
}
