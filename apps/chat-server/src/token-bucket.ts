/**
 * Per-connection rate limit: a token bucket of `burst` tokens refilled at `rate` per second.
 * Every message a client sends takes one token.
 *
 * When the bucket is empty the message is refused (the client gets a `RATE_LIMITED` error) but
 * the token is still taken, so the balance goes negative: a client that backs off recovers, one
 * that keeps flooding digs deeper, and when the debt passes `burst` more tokens `take()` says
 * `'abuse'` and the server closes the connection.
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #last: number;

  constructor(
    rate: number,
    burst: number,
    private readonly now: () => number = performanceNow,
  ) {
    this.rate = rate;
    this.burst = burst;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token: `'ok'`, `'limited'` (refuse this message) or `'abuse'` (disconnect). */
  take(): 'ok' | 'limited' | 'abuse' {
    const now = this.now();
    const elapsed = now - this.#last;
    this.#last = now;
    if (elapsed > 0)
      this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.rate) / 1000);
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 'ok';
    return this.#tokens < -this.burst ? 'abuse' : 'limited';
  }

  /** Tokens available now (negative while in debt). */
  get tokens(): number {
    const elapsed = this.now() - this.#last;
    return Math.min(this.burst, this.#tokens + (Math.max(0, elapsed) * this.rate) / 1000);
  }
}

function performanceNow(): number {
  return performance.now();
}
