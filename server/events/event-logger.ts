/**
 * The event pipeline: dedupe (exposures only) → batch (by size and interval) → one bounded delivery
 * channel per sink. An event is accepted only when every sink's channel has room for it (the open batch
 * counts against that room), so an accepted event is never dropped for lack of space: `logBatch()`
 * answers a refusal instead, which the HTTP routes turn into 503 + Retry-After.
 * `flush(timeoutMs)` hands the open batch to every sink and waits until they have delivered everything
 * or the timeout passes; `shutdown(timeoutMs)` does the same, then stops: with a spool, what is left is
 * kept on disk for the next start, without one it is counted as dropped.
 */
import type { Logger } from '../logger';
import { ExposureDedupe } from './dedupe';
import type { StatsigEvent } from './event';
import type { EventSink } from './event-sink';
import { SinkChannel, eventBytes, type Admission, type SinkHealth, type SpoolConfig } from './sink-channel';

/**
 * A sink's answer, or `disabled`: there is no sink at all (disableAllLogging, or none configured), so
 * the batch would be recorded nowhere and is refused, not accepted into nothing.
 */
export type BatchAdmission = Admission | { readonly ok: false; readonly reason: 'disabled'; readonly retryAfterSeconds: number };

export interface EventLoggerConfig {
  readonly sinks: readonly EventSink[];
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Per sink: events and bytes held in memory (open batch, waiting, in flight, retrying). */
  readonly maxQueuedEvents: number;
  readonly maxQueuedBytes: number;
  /** Per sink: a durable spool in this directory (`<dir>/<sink name>.spool`), or null for memory only. */
  readonly spool: { readonly dir: string; readonly maxBytes: number } | null;
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
  /** Events refused because a sink had no room for them (the caller was told, e.g. with a 503). */
  readonly refusedFull: number;
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
  #bufferBytes = 0;
  #refusedFull = 0;
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
          bounds: { maxEvents: config.maxQueuedEvents, maxBytes: config.maxQueuedBytes },
          maxBatchSize: config.batchSize,
          spool: spoolFor(config.spool, sink.name),
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
    const bytes = eventBytes(event);
    if (!this.#admits(1, bytes).ok) {
      this.#refuse(1);
      return false;
    }
    if (dedupeKey !== undefined && !this.#dedupe.firstSeen(dedupeKey, event.time)) return false;
    this.#accept(event, bytes);
    return true;
  }

  /**
   * Accepts every event or none: the answer for a client's batch (a refusal tells it to retry later).
   * No dedupe: these are events built elsewhere (the browser dedupes its own exposures).
   */
  logBatch(events: readonly StatsigEvent[]): BatchAdmission {
    if (!this.enabled) {
      this.#refused += events.length;
      return { ok: false, reason: this.#closed ? 'closed' : 'disabled', retryAfterSeconds: 1 };
    }
    const sizes = events.map(eventBytes);
    const total = sizes.reduce((a, b) => a + b, 0);
    const a = this.#admits(events.length, total);
    if (!a.ok) {
      this.#refuse(events.length);
      return a;
    }
    events.forEach((e, i) => this.#accept(e, sizes[i]!));
    return a;
  }

  #admits(events: number, bytes: number): Admission {
    const reserved = { events: this.#buffer.length, bytes: this.#bufferBytes };
    for (const ch of this.#channels) {
      const a = ch.admits(events, bytes, reserved);
      if (!a.ok) return a;
    }
    return { ok: true };
  }

  #refuse(events: number): void {
    this.#refusedFull += events;
    for (const ch of this.#channels) ch.noteRefused('full', events);
  }

  #accept(event: StatsigEvent, bytes: number): void {
    this.#logged++;
    this.#buffer.push(event);
    this.#bufferBytes += bytes;
    if (this.#buffer.length >= this.#c.batchSize) this.#handOff();
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
   * Hands the open batch over and waits (up to `timeoutMs`) until every sink has it in its spool: true
   * when everything not yet delivered is on disk, false without a spool or when it cannot be written.
   */
  async persist(timeoutMs = 1_000): Promise<boolean> {
    this.#handOff();
    const done = await Promise.all(this.#channels.map((ch) => ch.persisted(timeoutMs)));
    return done.every(Boolean);
  }

  /**
   * Delivers what it can within `timeoutMs`, then stops; the remainder stays in the spool for the
   * next start (or, without a spool, is counted as dropped).
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
      refusedFull: this.#refusedFull,
      buffered: this.#buffer.length,
      sinks: this.#channels.map((ch) => ch.health()),
    };
  }

  /** false while any sink is degraded (failing, spool unwritable, refusing or dropping lately). */
  ok(): boolean {
    return this.#channels.every((ch) => ch.health().ok);
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
    const bytes = this.#bufferBytes;
    this.#buffer = [];
    this.#bufferBytes = 0;
    for (const ch of this.#channels) ch.enqueue(batch, bytes);
  }
}

function spoolFor(spool: EventLoggerConfig['spool'], sinkName: string): SpoolConfig | null {
  if (!spool) return null;
  return { path: `${spool.dir}/${sinkName.replace(/[^A-Za-z0-9_.-]/g, '_')}.spool`, maxBytes: spool.maxBytes };
}
