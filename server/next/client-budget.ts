/**
 * Per-client budgets on the ingestion routes, so one client (one stable ID, one IP) cannot take the
 * event pipeline's whole room and crowd the others out.
 *
 * Each key has two token buckets: requests, and decoded body bytes. `admit()` runs before the body is
 * read — a client over its budget is refused (429 + Retry-After) without the server spending anything
 * on reading, inflating or parsing what it sent; `charge()` takes the decoded size afterwards, which
 * may leave the bucket in debt so that the next requests wait until it is paid back. A request is
 * charged to every key it carries (its stable-ID cookie and its trusted IP): changing one of the two
 * does not give a flooder a fresh budget when the other stays.
 *
 * Memory is bounded: at most `maxClients` keys, the least recently used forgotten first (a forgotten
 * client starts again with a full budget, which can only favour it).
 */

export interface BudgetConfig {
  readonly requestsPerSecond: number;
  readonly burstRequests: number;
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  readonly maxClients: number;
}

export type BudgetAnswer = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Buckets {
  requests: number;
  bytes: number;
  at: number;
}

export class ClientBudget {
  readonly #c: BudgetConfig;
  readonly #now: () => number;
  readonly #clients = new Map<string, Buckets>();
  /** Requests refused since start. */
  refused = 0;

  constructor(config: BudgetConfig, now: () => number = Date.now) {
    for (const [k, v] of Object.entries(config)) {
      if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`ClientBudget: ${k} must be a positive number (got ${String(v)})`);
    }
    this.#c = config;
    this.#now = now;
  }

  /** One request for every key, or a refusal naming when the emptiest bucket will allow one. */
  admit(keys: readonly string[]): BudgetAnswer {
    const buckets = keys.map((k) => this.#refilled(k));
    let waitMs = 0;
    for (const b of buckets) {
      if (b.requests < 1) waitMs = Math.max(waitMs, ((1 - b.requests) / this.#c.requestsPerSecond) * 1000);
      if (b.bytes < 0) waitMs = Math.max(waitMs, (-b.bytes / this.#c.bytesPerSecond) * 1000);
    }
    if (waitMs > 0) {
      this.refused++;
      return { ok: false, retryAfterSeconds: Math.min(3600, Math.max(1, Math.ceil(waitMs / 1000))) };
    }
    for (const b of buckets) b.requests -= 1;
    return { ok: true };
  }

  /** Takes `bytes` from every key's byte bucket (it may go into debt: later requests wait). */
  charge(keys: readonly string[], bytes: number): void {
    for (const k of keys) this.#refilled(k).bytes -= bytes;
  }

  get size(): number {
    return this.#clients.size;
  }

  #refilled(key: string): Buckets {
    const now = this.#now();
    let b = this.#clients.get(key);
    if (b) {
      this.#clients.delete(key); // re-inserted below: Map order is recency order
      const dt = Math.max(0, now - b.at) / 1000;
      b.requests = Math.min(this.#c.burstRequests, b.requests + dt * this.#c.requestsPerSecond);
      b.bytes = Math.min(this.#c.burstBytes, b.bytes + dt * this.#c.bytesPerSecond);
      b.at = now;
    } else {
      b = { requests: this.#c.burstRequests, bytes: this.#c.burstBytes, at: now };
      if (this.#clients.size >= this.#c.maxClients) this.#clients.delete(this.#clients.keys().next().value!);
    }
    this.#clients.set(key, b);
    return b;
  }
}
