/**
 * A bounded set of exposure keys seen recently. It forgets everything when the window passes or when
 * it would grow past `maxKeys` (default 50,000 keys, roughly 5–10 MB at worst), so memory stays bounded
 * under any cardinality; the price is an occasional repeated exposure, which Statsig deduplicates again.
 */
export class ExposureDedupe {
  readonly #maxKeys: number;
  readonly #windowMs: number;
  #keys = new Set<string>();
  #windowStart = 0;
  deduped = 0;
  resets = 0;

  constructor(maxKeys: number, windowMs: number) {
    this.#maxKeys = maxKeys;
    this.#windowMs = windowMs;
  }

  /** true the first time a key is seen in the current window. */
  firstSeen(key: string, now = Date.now()): boolean {
    if (now - this.#windowStart >= this.#windowMs) this.#reset(now);
    if (this.#keys.has(key)) {
      this.deduped++;
      return false;
    }
    if (this.#keys.size >= this.#maxKeys) this.#reset(now);
    this.#keys.add(key);
    return true;
  }

  get size(): number {
    return this.#keys.size;
  }

  #reset(now: number): void {
    if (this.#keys.size > 0) this.resets++;
    this.#keys = new Set();
    this.#windowStart = now;
  }
}
