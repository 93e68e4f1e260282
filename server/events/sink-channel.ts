/**
 * One sink's delivery queue: batches go out one at a time, in order. A retryable failure keeps the batch
 * at the head and retries after an exponential, jittered backoff; a final failure or an exhausted retry
 * budget drops it. At most `maxBatches` batches wait; a batch beyond that is dropped and counted. No
 * event is ever dropped without a counter saying why.
 */
import { getRetryDelayMs, sleep } from '../net/backoff';
import type { Logger } from '../logger';
import type { StatsigEvent } from './event';
import { DeliveryError, type EventSink } from './event-sink';

export type DropReason = 'queue_full' | 'retries_exhausted' | 'rejected' | 'shutdown';

export interface SinkCounters {
  sent: number;
  batchesSent: number;
  attempts: number;
  failedAttempts: number;
  dropped: Record<DropReason, number>;
}

export interface SinkHealth extends SinkCounters {
  readonly name: string;
  readonly queuedEvents: number;
  readonly queuedBatches: number;
  readonly lastError: { readonly message: string; readonly at: number } | null;
}

export interface SinkChannelConfig {
  readonly maxBatches: number;
  readonly maxBatchSize: number;
  readonly retryLimit: number;
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
  readonly logger: Logger;
}

interface PendingBatch {
  events: StatsigEvent[];
  attempts: number;
}

export class SinkChannel {
  readonly sink: EventSink;
  readonly counters: SinkCounters = {
    sent: 0,
    batchesSent: 0,
    attempts: 0,
    failedAttempts: 0,
    dropped: { queue_full: 0, retries_exhausted: 0, rejected: 0, shutdown: 0 },
  };
  readonly #c: SinkChannelConfig;
  readonly #queue: PendingBatch[] = [];
  readonly #abort = new AbortController();
  #draining: Promise<void> | null = null;
  #wake: AbortController | null = null;
  #idleWaiters: (() => void)[] = [];
  #lastError: SinkHealth['lastError'] = null;
  #closed = false;

  constructor(sink: EventSink, config: SinkChannelConfig) {
    this.sink = sink;
    this.#c = config;
  }

  push(events: readonly StatsigEvent[]): void {
    if (events.length === 0) return;
    if (this.#closed) {
      this.counters.dropped.shutdown += events.length;
      return;
    }
    // top up the last waiting batch rather than spend a queue slot on a small one
    const last = this.#queue.length > 1 ? this.#queue[this.#queue.length - 1] : undefined;
    if (last && last.attempts === 0 && last.events.length + events.length <= this.#c.maxBatchSize) {
      last.events.push(...events);
    } else if (this.#queue.length >= this.#c.maxBatches) {
      this.counters.dropped.queue_full += events.length;
      this.#c.logger.warn(`event sink "${this.sink.name}" is ${this.#queue.length} batches behind; dropped ${events.length} events`);
      return;
    } else {
      this.#queue.push({ events: [...events], attempts: 0 });
    }
    this.#kick();
  }

  #kick(): void {
    if (this.#draining !== null || this.#closed) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      // a push between the loop's last check and here saw a drain still set: pick its batch up
      if (this.#queue.length > 0 && !this.#closed) this.#kick();
      else this.#notifyIdle();
    });
  }

  /** Retries a batch waiting out its backoff now (flush and shutdown do not wait for a timer). */
  expedite(): void {
    this.#wake?.abort();
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && !this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops delivery. Whatever is still queued is dropped and counted as `shutdown`. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    this.#wake?.abort();
    await this.#draining?.catch(() => {});
    for (const b of this.#queue.splice(0)) this.counters.dropped.shutdown += b.events.length;
    this.#notifyIdle();
    await this.sink.close?.().catch((err) => this.#c.logger.warn(`closing event sink "${this.sink.name}" failed`, err));
  }

  health(): SinkHealth {
    let queuedEvents = 0;
    for (const b of this.#queue) queuedEvents += b.events.length;
    return {
      name: this.sink.name,
      ...this.counters,
      dropped: { ...this.counters.dropped },
      queuedEvents,
      queuedBatches: this.#queue.length,
      lastError: this.#lastError,
    };
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#queue[0]!;
      batch.attempts++;
      this.counters.attempts++;
      try {
        await this.sink.send(batch.events, this.#abort.signal);
        this.#queue.shift();
        this.counters.sent += batch.events.length;
        this.counters.batchesSent++;
        continue;
      } catch (err) {
        if (this.#closed) return;
        this.counters.failedAttempts++;
        const retryable = err instanceof DeliveryError ? err.retryable : true;
        const message = err instanceof Error ? err.message : String(err);
        this.#lastError = { message, at: Date.now() };
        if (!retryable || batch.attempts >= this.#c.retryLimit) {
          this.#queue.shift();
          const reason: DropReason = retryable ? 'retries_exhausted' : 'rejected';
          this.counters.dropped[reason] += batch.events.length;
          this.#c.logger.error(`event sink "${this.sink.name}" dropped ${batch.events.length} events (${reason}): ${message}`);
          continue;
        }
        this.#wake = new AbortController();
        await sleep(getRetryDelayMs(batch.attempts - 1, this.#c.backoff), this.#wake.signal, true);
        this.#wake = null;
      }
    }
  }

  #notifyIdle(): void {
    if (this.#queue.length > 0 && !this.#closed) return;
    for (const w of this.#idleWaiters.splice(0)) w();
  }
}
