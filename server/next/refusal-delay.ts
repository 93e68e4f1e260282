/**
 * A budget refusal is sent after a pause. A flooding client keeps a fixed number of requests in flight
 * and sends the next as soon as one is answered: answered at once, its refusals come back by the
 * thousand per second and each still costs the server a routed request (about a millisecond of the one
 * event loop every other client waits on). Held for a second, the same client gets a handful per
 * second. The pause costs a timer and an open connection, so at most `maxHeld` are held at once; past
 * that, refusals go out immediately.
 */
export class RefusalDelay {
  readonly #delayMs: number;
  readonly #maxHeld: number;
  #held = 0;

  constructor(delayMs: number, maxHeld: number) {
    this.#delayMs = delayMs;
    this.#maxHeld = maxHeld;
  }

  get held(): number {
    return this.#held;
  }

  async hold(): Promise<void> {
    if (this.#delayMs <= 0 || this.#held >= this.#maxHeld) return;
    this.#held++;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    } finally {
      this.#held--;
    }
  }
}
