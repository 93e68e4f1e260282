/**
 * One sink's delivery queue, bounded, that never drops what it accepted.
 *
 *   const ch = new SinkChannel(sink, { bounds: { maxEvents, maxBytes }, maxBatchSize, backoff, logger, spool });
 *   const a = ch.offer(events);            // { ok: true } — or { ok: false, reason, retryAfterSeconds }
 *   if (!a.ok) return 503 with Retry-After: a.retryAfterSeconds
 *
 * Bounds count every event the channel holds in memory: waiting, in flight and retrying. An offer that
 * would pass them is refused whole (nothing of it is kept), so the caller can answer 503 and the client
 * retries; an accepted event is delivered once, in order. A retryable failure keeps the batch at the head
 * and retries it after an exponential, jittered backoff, for as long as it takes; only a non-retryable
 * rejection (the sink says the batch itself is bad) drops it, counted as `rejected`.
 *
 * With a spool (./spool), every batch is written to local disk (fsync) before delivery, so what was
 * accepted survives an outage longer than memory holds, a shutdown and a crash; the spool has its own
 * byte bound, and the memory bound then only covers batches not yet on disk. When the spool cannot be
 * written (read-only directory, full disk), batches stay in memory within the memory bound and are
 * delivered from there; the spool is retried.
 *
 * Every batch has an ID that stays the same across retries and restarts; sinks that can use it make a
 * repeated delivery a no-op (the JSONL sink does).
 *
 * Many channels can share one memory bound (a MemoryBudget): the forward proxy keeps one channel per
 * SDK key and statsigMetadata, all within the proxy's one bound. The items need not be event objects:
 * the proxy queues each event as the JSON text it measured on arrival (no second serialization, no
 * surprise at delivery). With `lingerMs`, a batch that is not full waits that long for more events
 * before it is delivered (the proxy's flush interval); expedite() ends the wait.
 */
import { randomUUID } from 'node:crypto';
import { getRetryDelayMs, sleep } from '../net/backoff';
import { MAX_RETRY_AFTER_MS } from '../net/retry';
import type { Logger } from '../logger';
import type { StatsigEvent } from './event';
import { DeliveryError, type EventSink } from './event-sink';
import { FileSpool } from './spool';

export type DropReason = 'rejected' | 'shutdown';
export type RefusalReason = 'full' | 'closed';

/** The answer to an offer. Refused offers kept nothing. */
export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RefusalReason; readonly retryAfterSeconds: number };

export interface ChannelBounds {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/**
 * Events and bytes held in memory against one bound, by one channel or shared by many: what a channel
 * holds is taken when it is queued and given back when it is delivered, dropped or spooled.
 */
export class MemoryBudget {
  readonly bounds: ChannelBounds;
  #events = 0;
  #bytes = 0;
  constructor(bounds: ChannelBounds) {
    this.bounds = bounds;
  }
  get events(): number {
    return this.#events;
  }
  get bytes(): number {
    return this.#bytes;
  }
  fits(events: number, bytes: number): boolean {
    return this.#events + events <= this.bounds.maxEvents && this.#bytes + bytes <= this.bounds.maxBytes;
  }
  take(events: number, bytes: number): void {
    this.#events += events;
    this.#bytes += bytes;
  }
  give(events: number, bytes: number): void {
    this.#events -= events;
    this.#bytes -= bytes;
  }
}

export interface SpoolConfig {
  /** The spool file; its cursor lives next to it (`<path>.ack`). */
  readonly path: string;
  /** Bytes of undelivered batches the spool may hold. */
  readonly maxBytes: number;
}

export interface SinkChannelConfig<T = StatsigEvent> {
  /**
   * What the channel holds in memory (waiting, in flight and retrying, not yet on disk); a MemoryBudget
   * when several channels share one bound.
   */
  readonly bounds: ChannelBounds | MemoryBudget;
  readonly maxBatchSize: number;
  /** Bytes of one batch (the sum of its items' sizes plus one per item); an item larger than this goes alone. */
  readonly maxBatchBytes?: number;
  /** How long a batch that is not full waits for more items before delivery (0: deliver at once). */
  readonly lingerMs?: number;
  /** An item's size against the bounds (default: its JSON size). */
  readonly measure?: (item: T) => number;
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
  readonly logger: Logger;
  readonly spool?: SpoolConfig | null;
}

export interface SinkCounters {
  sent: number;
  batchesSent: number;
  attempts: number;
  failedAttempts: number;
  /** Events that were accepted and then not delivered, by reason. */
  dropped: Record<DropReason, number>;
  /** Events refused at the door (never accepted), by reason. */
  refused: Record<RefusalReason, number>;
  /** Failed writes to the spool (the batch stayed in memory). */
  spoolWriteFailures: number;
}

export interface SinkHealth extends SinkCounters {
  readonly name: string;
  /** false while the sink fails, the spool cannot be written, or events were refused or dropped lately. */
  readonly ok: boolean;
  /** Why `ok` is false (empty when ok). */
  readonly degraded: readonly DegradedReason[];
  readonly queuedEvents: number;
  readonly queuedBatches: number;
  /** Events and bytes held in memory (counted against the memory bound). */
  readonly memoryEvents: number;
  readonly memoryBytes: number;
  readonly spool: { readonly records: number; readonly events: number; readonly bytes: number; readonly repairedBytes: number } | null;
  readonly lastError: { readonly message: string; readonly at: number } | null;
  readonly lastSpoolError: { readonly message: string; readonly at: number } | null;
}

export type DegradedReason = 'delivery_failing' | 'spool_failing' | 'refusing' | 'dropping';

/** How long a refusal or drop keeps the channel reported as degraded. */
export const RECENT_MS = 5_000;

interface Batch<T> {
  readonly id: string;
  events: T[];
  bytes: number;
  attempts: number;
  /** true when the batch is in the spool (acknowledge it there once delivered). */
  spooled: boolean;
  /** When its first item arrived (the linger counts from there). */
  readonly createdAt: number;
  /** Delivered without waiting out the linger (expedite() was called). */
  due: boolean;
}

/** What one event costs against a byte bound: its JSON size. */
export function eventBytes(event: StatsigEvent): number {
  return Buffer.byteLength(JSON.stringify(event), 'utf8');
}

export class SinkChannel<T = StatsigEvent> {
  readonly sink: EventSink<T>;
  readonly counters: SinkCounters = {
    sent: 0,
    batchesSent: 0,
    attempts: 0,
    failedAttempts: 0,
    dropped: { rejected: 0, shutdown: 0 },
    refused: { full: 0, closed: 0 },
    spoolWriteFailures: 0,
  };
  readonly #c: SinkChannelConfig<T>;
  readonly #budget: MemoryBudget;
  readonly #maxBatchBytes: number;
  readonly #lingerMs: number;
  #lingerTimer: NodeJS.Timeout | null = null;
  readonly #spool: FileSpool | null;
  /** Batches in memory that are not in the spool, oldest first. */
  readonly #pending: Batch<T>[] = [];
  /** The batch being delivered (from the spool or from #pending), or null. */
  #head: Batch<T> | null = null;
  #memEvents = 0;
  #memBytes = 0;
  #appending: Batch<T> | null = null;
  #appendDone: Promise<void> | null = null;
  #spoolBroken = false;
  readonly #abort = new AbortController();
  #draining: Promise<void> | null = null;
  #writing: Promise<void> | null = null;
  /** Backoff sleeps in progress (delivery's and the spool writer's); expedite() and close() cut them short. */
  readonly #sleeps = new Set<AbortController>();
  #idleWaiters: (() => void)[] = [];
  #lastError: SinkHealth['lastError'] = null;
  #lastSpoolError: SinkHealth['lastSpoolError'] = null;
  #lastRefusalAt = 0;
  #lastDropAt = 0;
  #failing = false;
  #closed = false;

  constructor(sink: EventSink<T>, config: SinkChannelConfig<T>) {
    this.sink = sink;
    this.#c = config;
    this.#budget = config.bounds instanceof MemoryBudget ? config.bounds : new MemoryBudget(config.bounds);
    this.#maxBatchBytes = config.maxBatchBytes ?? Infinity;
    this.#lingerMs = config.lingerMs ?? 0;
    this.#spool = config.spool ? new FileSpool(config.spool.path, this.#budget.bounds.maxBytes) : null;
    // batches a previous process spooled go out first
    if (this.#spool) {
      this.#spool.open().then(
        () => this.#kick(),
        (err: unknown) => this.#spoolFailed(err),
      );
    }
  }

  /**
   * Would `events` more events of `bytes` bytes be accepted now? `reserved` counts what the caller holds
   * for this channel but has not handed over yet (the logger's open batch).
   */
  admits(events: number, bytes: number, reserved: { events: number; bytes: number } = { events: 0, bytes: 0 }): Admission {
    if (this.#closed) return { ok: false, reason: 'closed', retryAfterSeconds: 1 };
    const memOk = this.#budget.fits(reserved.events + events, reserved.bytes + bytes);
    const spoolOk = this.#spool === null || this.#spool.stats().bytes + this.#memBytes + reserved.bytes + bytes <= this.#c.spool!.maxBytes;
    if (memOk && spoolOk) return { ok: true };
    return { ok: false, reason: 'full', retryAfterSeconds: this.#retryAfterSeconds() };
  }

  /** Records a refusal the caller made on this channel's answer (counts and marks health degraded). */
  noteRefused(reason: RefusalReason, events: number): void {
    this.counters.refused[reason] += events;
    this.#lastRefusalAt = Date.now();
  }

  /** Accepts the events whole or refuses them whole. */
  offer(events: readonly T[]): Admission {
    const measure = this.#c.measure ?? (eventBytes as (item: T) => number);
    const sizes = events.map(measure);
    let bytes = 0;
    for (const n of sizes) bytes += n;
    const a = this.admits(events.length, bytes);
    if (!a.ok) {
      this.noteRefused(a.reason, events.length);
      return a;
    }
    this.enqueue(events, bytes, sizes);
    return a;
  }

  /**
   * Queues events the caller has admitted (see admits()). Never drops; the bounds are the caller's check.
   * With `sizes` (each event's share of `bytes`), the events fill the last waiting batch up to
   * maxBatchSize and maxBatchBytes and start new batches for the rest; without, they join the last
   * waiting batch when all of them fit its count, else they are one batch of their own.
   */
  enqueue(events: readonly T[], bytes: number, sizes?: readonly number[]): void {
    if (events.length === 0) return;
    if (this.#closed) {
      // an admitted offer cannot reach a closed channel; if a caller skipped admits(), say so loudly
      this.counters.dropped.shutdown += events.length;
      this.#lastDropAt = Date.now();
      this.#c.logger.error(`event sink "${this.sink.name}" is closed; dropped ${events.length} events`);
      return;
    }
    this.#memEvents += events.length;
    this.#memBytes += bytes;
    this.#budget.take(events.length, bytes);
    if (sizes) this.#fill(events, sizes);
    else {
      // top up the last waiting batch rather than start a small one
      const last = this.#open();
      if (last && last.events.length + events.length <= this.#c.maxBatchSize) {
        last.events.push(...events);
        last.bytes += bytes;
      } else {
        this.#pending.push(this.#batch([...events], bytes));
      }
    }
    this.#kickWriter();
    this.#kick();
  }

  /** The last waiting batch, when it can still take events. */
  #open(): Batch<T> | undefined {
    const last = this.#pending[this.#pending.length - 1];
    return last && last !== this.#appending && last.attempts === 0 ? last : undefined;
  }

  #batch(events: T[], bytes: number): Batch<T> {
    return { id: randomUUID(), events, bytes, attempts: 0, spooled: false, createdAt: Date.now(), due: false };
  }

  #fill(events: readonly T[], sizes: readonly number[]): void {
    let b = this.#open();
    for (let i = 0; i < events.length; i++) {
      const n = sizes[i]!;
      if (!b || b.events.length >= this.#c.maxBatchSize || (b.events.length > 0 && b.bytes + b.events.length + n > this.#maxBatchBytes)) {
        b = this.#batch([], 0);
        this.#pending.push(b);
      }
      b.events.push(events[i]!);
      b.bytes += n;
    }
  }

  /** A waiting batch goes out once it is full, a later one has begun, it was expedited or its linger is over. */
  #isDue(b: Batch<T>, now = Date.now()): boolean {
    if (this.#lingerMs === 0 || b.due || b !== this.#pending[this.#pending.length - 1]) return true;
    if (b.events.length >= this.#c.maxBatchSize || b.bytes + b.events.length >= this.#maxBatchBytes) return true;
    return now - b.createdAt >= this.#lingerMs;
  }

  #armLinger(b: Batch<T>): void {
    if (this.#lingerTimer !== null || this.#closed) return;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = null;
      this.#kick();
    }, Math.max(1, b.createdAt + this.#lingerMs - Date.now()));
    this.#lingerTimer.unref();
  }

  /** true when nothing is queued, spooled or in flight. */
  get isIdle(): boolean {
    return this.#isIdle();
  }

  /** Retries a batch waiting out its backoff now and delivers waiting batches without their linger (flush and shutdown do not wait for a timer). */
  expedite(): void {
    for (const s of this.#sleeps) s.abort();
    if (this.#pending.length === 0) return;
    for (const b of this.#pending) b.due = true;
    this.#kick();
  }

  /**
   * Resolves true once every batch in memory is in the spool (delivered or not), false when there is
   * no spool, it cannot be written, or `timeoutMs` passes first. For a serverless invocation that ends
   * before delivery: what is on disk is delivered by the next one.
   */
  async persisted(timeoutMs: number): Promise<boolean> {
    if (!this.#spool) return this.#pending.length === 0 && (this.#head === null || this.#head.spooled);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const unsaved = this.#pending.length > 0 || (this.#head !== null && !this.#head.spooled);
      if (!unsaved) return true;
      if (this.#spoolBroken || this.#closed || Date.now() >= deadline) return false;
      // the head taken from memory while the spool was broken is not in the spool: write it back in front
      this.#kickWriter();
      await new Promise<void>((r) => setTimeout(r, 5));
    }
  }

  /** Resolves when nothing is queued, spooled or in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops delivery. With a spool, what is still in memory is written to it first (delivered by the next
   * process); what cannot be written is dropped and counted as `shutdown`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    if (this.#lingerTimer !== null) clearTimeout(this.#lingerTimer);
    this.expedite();
    await Promise.all([this.#draining?.catch(() => {}), this.#writing?.catch(() => {})]);
    const unsaved = [...(this.#head && !this.#head.spooled ? [this.#head] : []), ...this.#pending];
    this.#head = null;
    this.#pending.length = 0;
    for (const b of unsaved) {
      try {
        if (!this.#spool) throw new Error('no spool');
        await this.#spool.append({ id: b.id, events: b.events as unknown as StatsigEvent[] });
      } catch {
        this.counters.dropped.shutdown += b.events.length;
      }
      this.#release(b);
    }
    this.#notifyIdle(true);
    await this.#spool?.close();
    await this.sink.close?.().catch((err) => this.#c.logger.warn(`closing event sink "${this.sink.name}" failed`, err));
  }

  health(): SinkHealth {
    const now = Date.now();
    const degraded: DegradedReason[] = [];
    if (this.#failing) degraded.push('delivery_failing');
    if (this.#spoolBroken) degraded.push('spool_failing');
    if (now - this.#lastRefusalAt < RECENT_MS) degraded.push('refusing');
    if (now - this.#lastDropAt < RECENT_MS) degraded.push('dropping');
    const spool = this.#spool?.stats() ?? null;
    let queuedEvents = spool?.events ?? 0;
    let queuedBatches = spool?.records ?? 0;
    for (const b of this.#pending) {
      queuedEvents += b.events.length;
      queuedBatches++;
    }
    if (this.#head && !this.#head.spooled) {
      queuedEvents += this.#head.events.length;
      queuedBatches++;
    }
    return {
      name: this.sink.name,
      ok: degraded.length === 0,
      degraded,
      ...this.counters,
      dropped: { ...this.counters.dropped },
      refused: { ...this.counters.refused },
      queuedEvents,
      queuedBatches,
      memoryEvents: this.#memEvents,
      memoryBytes: this.#memBytes,
      spool,
      lastError: this.#lastError,
      lastSpoolError: this.#lastSpoolError,
    };
  }

  #retryAfterSeconds(): number {
    // a failing sink frees room no sooner than its next retry; a busy one within a second or so
    if (!this.#failing) return 1;
    return Math.min(60, Math.max(1, Math.ceil(this.#c.backoff.capMs / 1000)));
  }

  #release(b: Batch<T>): void {
    if (b.spooled) return;
    this.#memEvents -= b.events.length;
    this.#memBytes -= b.bytes;
    this.#budget.give(b.events.length, b.bytes);
  }

  #isIdle(): boolean {
    return this.#head === null && this.#pending.length === 0 && (this.#spool?.stats().records ?? 0) === 0;
  }

  // ---- the spool writer: moves #pending to disk, oldest first -------------------------------------

  #kickWriter(): void {
    if (!this.#spool || this.#writing !== null || this.#closed) return;
    this.#writing = this.#write().finally(() => {
      this.#writing = null;
      if (this.#pending.length > 0 && !this.#closed) this.#kickWriter();
    });
  }

  async #write(): Promise<void> {
    const spool = this.#spool!;
    for (let failures = 0; !this.#closed; ) {
      const b = this.#pending[0];
      if (!b) return;
      this.#appending = b;
      let done!: () => void;
      this.#appendDone = new Promise((r) => (done = r));
      try {
        await spool.append({ id: b.id, events: b.events as unknown as StatsigEvent[] });
        const i = this.#pending.indexOf(b);
        if (i >= 0) this.#pending.splice(i, 1);
        this.#release(b);
        b.spooled = true;
        this.#spoolBroken = false;
        failures = 0;
      } catch (err) {
        this.#spoolFailed(err);
        failures++;
      } finally {
        this.#appending = null;
        done();
      }
      this.#kick();
      if (failures > 0) await this.#sleep(getRetryDelayMs(failures - 1, this.#c.backoff));
    }
  }

  async #sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.#sleeps.add(wake);
    await sleep(ms, wake.signal, true);
    this.#sleeps.delete(wake);
  }

  #spoolFailed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (!this.#spoolBroken) this.#c.logger.warn(`event spool ${this.#spool?.path} cannot be written; holding events in memory: ${message}`);
    this.#spoolBroken = true;
    this.counters.spoolWriteFailures++;
    this.#lastSpoolError = { message, at: Date.now() };
  }

  // ---- delivery -----------------------------------------------------------------------------------

  #kick(): void {
    if (this.#draining !== null || this.#closed) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      // work that arrived between the loop's last check and here
      if (!this.#closed && this.#hasDeliverable()) this.#kick();
      else this.#notifyIdle(false);
    });
  }

  /** true when #next() has a batch to hand out now (not only once the writer has spooled one). */
  #hasDeliverable(): boolean {
    if (this.#head || (this.#spool?.isOpen && this.#spool.stats().records > 0)) return true;
    const first = this.#pending[0];
    return first !== undefined && (this.#spool === null || this.#spoolBroken || first === this.#appending) && this.#isDue(first);
  }

  /** The oldest undelivered batch: the spool's first record, else the oldest in memory. */
  async #next(): Promise<Batch<T> | null> {
    while (!this.#closed) {
      if (this.#head) return this.#head;
      if (this.#spool?.isOpen && this.#spool.stats().records > 0) {
        const rec = await this.#spool.peek();
        if (rec && !this.#head) this.#head = { id: rec.id, events: [...rec.events] as unknown as T[], bytes: 0, attempts: 0, spooled: true, createdAt: 0, due: true };
        continue;
      }
      const first = this.#pending[0];
      if (!first) return null;
      if (first === this.#appending) {
        // it is being written: deliver it from the spool once it is there (or from memory if that fails)
        await this.#appendDone;
        continue;
      }
      if (this.#spool && !this.#spoolBroken) return null; // the writer will spool it, then we deliver
      if (!this.#isDue(first)) {
        this.#armLinger(first);
        return null;
      }
      this.#pending.shift();
      this.#head = first;
    }
    return null;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const batch = await this.#next();
      if (!batch || this.#closed) return;
      batch.attempts++;
      this.counters.attempts++;
      try {
        await this.sink.send(batch.events, this.#abort.signal, { batchId: batch.id });
      } catch (err) {
        if (this.#closed) return;
        this.counters.failedAttempts++;
        const retryable = err instanceof DeliveryError ? err.retryable : true;
        // the sink's Retry-After (upstream asked for a pause), capped as the SDK's HTTP client caps it
        const after = err instanceof DeliveryError ? Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
        const message = err instanceof Error ? err.message : String(err);
        this.#lastError = { message, at: Date.now() };
        if (retryable) {
          if (!this.#failing) this.#c.logger.warn(`event sink "${this.sink.name}" is failing; holding events and retrying: ${message}`);
          this.#failing = true;
          await this.#sleep(Math.max(after, getRetryDelayMs(batch.attempts - 1, this.#c.backoff)));
          continue;
        }
        this.counters.dropped.rejected += batch.events.length;
        this.#lastDropAt = Date.now();
        this.#c.logger.error(`event sink "${this.sink.name}" rejected ${batch.events.length} events: ${message}`);
        await this.#done(batch);
        continue;
      }
      this.#failing = false;
      this.counters.sent += batch.events.length;
      this.counters.batchesSent++;
      await this.#done(batch);
    }
  }

  async #done(batch: Batch<T>): Promise<void> {
    this.#head = null;
    this.#release(batch);
    if (batch.spooled) {
      await this.#spool!.ack(batch.id).catch((err: unknown) => this.#spoolFailed(err));
    }
  }

  #notifyIdle(force: boolean): void {
    if (!force && !this.#isIdle()) return;
    for (const w of this.#idleWaiters.splice(0)) w();
  }
}
