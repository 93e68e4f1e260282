/**
 * The event pipeline: dedupe (exposures only) → batch (by size and interval) → one delivery channel per
 * sink. `flush(timeoutMs)` hands the open batch to every sink and waits until they have delivered
 * everything or the timeout passes; `shutdown(timeoutMs)` does the same, then stops and counts what
 * is left as dropped.
 */
import type { Logger } from '../logger';
import { ExposureDedupe } from './dedupe';
import type { StatsigEvent } from './event';
import type { EventSink } from './event-sink';
import { SinkChannel, type SinkHealth } from './sink-channel';

export interface EventLoggerConfig {
  readonly sinks: readonly EventSink[];
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxQueuedBatches: number;
  readonly retryLimit: number;
  readonly retryBackoffMs: number;
  readonly retryMaxBackoffMs: number;
  readonly dedupeMaxKeys: number;
  readonly dedupeWindowMs: number;
  readonly disabled: boolean;
  readonly logger: Logger;
}

export interface EventCounters {
  /** Events accepted into the pipeline (after dedupe). */
  readonly logged: number;
  /** Repeated exposures dropped by dedupe (not counted as logged). */
  readonly deduped: number;
  /** Events refused because logging is disabled or the pipeline is shut down. */
  readonly refused: number;
  /** Events in the open batch, not yet handed to a sink. */
  readonly buffered: number;
  readonly sinks: readonly SinkHealth[];
}

export interface FlushResult {
  /** true when every sink delivered everything queued before the timeout. */
  readonly complete: boolean;
  /** Events still queued across sinks when flush returned. */
  readonly pending: number;
}

export class EventLogger {
  readonly #c: EventLoggerConfig;
  readonly #channels: SinkChannel[];
  readonly #dedupe: ExposureDedupe;
  #buffer: StatsigEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #logged = 0;
  #refused = 0;
  #closed = false;

  constructor(config: EventLoggerConfig) {
    this.#c = config;
    this.#dedupe = new ExposureDedupe(config.dedupeMaxKeys, config.dedupeWindowMs);
    this.#channels = config.sinks.map(
      (sink) =>
        new SinkChannel(sink, {
          maxBatches: config.maxQueuedBatches,
          maxBatchSize: config.batchSize,
          retryLimit: config.retryLimit,
          backoff: { baseMs: config.retryBackoffMs, capMs: config.retryMaxBackoffMs },
          logger: config.logger,
        }),
    );
    if (!config.disabled && this.#channels.length > 0) {
      this.#timer = setInterval(() => this.#handOff(), config.flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** true when events are accepted at all (false with logging disabled, no sinks or after shutdown). */
  get enabled(): boolean {
    return !this.#c.disabled && !this.#closed && this.#channels.length > 0;
  }

  /**
   * Queues an event. With a `dedupeKey`, an event whose key was seen in the current window is dropped
   * (exposures); custom events have none. Returns true when the event was queued.
   */
  log(event: StatsigEvent, dedupeKey?: string): boolean {
    if (!this.enabled) {
      this.#refused++;
      return false;
    }
    if (dedupeKey !== undefined && !this.#dedupe.firstSeen(dedupeKey, event.time)) return false;
    this.#logged++;
    this.#buffer.push(event);
    if (this.#buffer.length >= this.#c.batchSize) this.#handOff();
    return true;
  }

  async flush(timeoutMs = 5_000): Promise<FlushResult> {
    this.#handOff();
    for (const ch of this.#channels) ch.expedite();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const complete = await Promise.race([Promise.all(this.#channels.map((ch) => ch.idle())).then(() => true), timedOut]);
    clearTimeout(timer);
    let pending = 0;
    for (const ch of this.#channels) pending += ch.health().queuedEvents;
    return { complete, pending };
  }

  /**
   * Delivers what it can within `timeoutMs`, then stops; the remainder is counted as dropped.
   * Events logged once shutdown has begun are refused (and counted as refused), so none can slip
   * in behind the final flush uncounted.
   */
  async shutdown(timeoutMs = 5_000): Promise<FlushResult> {
    if (this.#closed) return { complete: true, pending: 0 };
    this.#closed = true;
    clearInterval(this.#timer);
    const result = await this.flush(timeoutMs);
    await Promise.all(this.#channels.map((ch) => ch.close()));
    return result;
  }

  counters(): EventCounters {
    return {
      logged: this.#logged,
      deduped: this.#dedupe.deduped,
      refused: this.#refused,
      buffered: this.#buffer.length,
      sinks: this.#channels.map((ch) => ch.health()),
    };
  }

  /** Events waiting anywhere in the pipeline (the open batch plus the fullest sink queue). */
  queueDepth(): number {
    let deepest = 0;
    for (const ch of this.#channels) deepest = Math.max(deepest, ch.health().queuedEvents);
    return this.#buffer.length + deepest;
  }

  #handOff(): void {
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    for (const ch of this.#channels) ch.push(batch);
  }
}
