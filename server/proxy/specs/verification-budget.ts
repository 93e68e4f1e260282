/**
 * How many SDK keys the proxy may verify with upstream per minute (a token bucket, refilled
 * continuously). Made-up keys each cost an upstream request; without a cap, a client inventing keys
 * makes the proxy hammer Statsig on its behalf. Regular polls of keys that have specs do not count.
 */
export class VerificationBudget {
  readonly #perMinute: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
    this.#tokens = perMinute;
    this.#at = now();
  }

  #refill(): void {
    const t = this.#now();
    this.#tokens = Math.min(this.#perMinute, this.#tokens + ((t - this.#at) * this.#perMinute) / 60_000);
    this.#at = t;
  }

  /** Takes one verification; false when the minute's budget is spent. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whole seconds until take() can succeed again (at least 1). */
  retryAfterSeconds(): number {
    this.#refill();
    return Math.max(1, Math.ceil(((1 - this.#tokens) * 60) / this.#perMinute));
  }
}
