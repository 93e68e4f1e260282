/**
 * `POST /v1/log_event` forwarding: events are queued per (SDK key, statsigMetadata), sent upstream in
 * gzipped batches of up to logEventBatchSize every logEventFlushIntervalMs (or as soon as a batch is
 * full), retried with exponential backoff on retryable statuses and network errors, and counted:
 * received, sent, dropped{reason}. A full queue refuses new events with 503 so the SDK keeps them
 * and retries, instead of losing them silently.
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Counter } from './metrics';
import type { ProxyOptions } from './options';
import type { Upstream } from './upstream';

const gzipAsync = promisify(gzip);
const RETRYABLE = new Set([0, 408, 429, 500, 502, 503, 504, 522, 524, 599]);

interface Queue {
  sdkKey: string;
  metadata: unknown;
  events: unknown[];
}

export interface LogEventCounters {
  received: Counter;
  sent: Counter;
  dropped: Counter;
}

export class LogEventForwarder {
  private readonly queues = new Map<string, Queue>();
  private readonly inflight = new Set<Promise<void>>();
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly upstream: Upstream,
    private readonly o: Pick<
      ProxyOptions,
      'logEventBatchSize' | 'logEventFlushIntervalMs' | 'logEventMaxQueue' | 'logEventRetries' | 'logEventRetryBackoffMs'
    >,
    private readonly c: LogEventCounters,
    private readonly log: (level: 'debug' | 'info' | 'warn', msg: string) => void,
  ) {
    this.timer = setInterval(() => this.flushAll(), o.logEventFlushIntervalMs);
    this.timer.unref();
  }

  get depth(): number {
    return this.queued;
  }

  /** Queue a log_event body; false when the queue is full (the caller answers 503). */
  enqueue(sdkKey: string, body: { events?: unknown; statsigMetadata?: unknown }): boolean {
    const events = Array.isArray(body.events) ? body.events : [];
    if (events.length === 0) return true;
    if (this.stopped || this.queued + events.length > this.o.logEventMaxQueue) {
      this.c.dropped.inc({ reason: 'queue_full' }, events.length);
      return false;
    }
    this.c.received.inc(undefined, events.length);
    const id = `${sdkKey}\u0000${JSON.stringify(body.statsigMetadata ?? null)}`;
    let q = this.queues.get(id);
    if (!q) {
      q = { sdkKey, metadata: body.statsigMetadata, events: [] };
      this.queues.set(id, q);
    }
    for (const ev of events) q.events.push(ev);
    this.queued += events.length;
    if (q.events.length >= this.o.logEventBatchSize) this.flushQueue(id, q);
    return true;
  }

  private flushQueue(id: string, q: Queue): void {
    while (q.events.length > 0) {
      const batch = q.events.splice(0, this.o.logEventBatchSize);
      this.queued -= batch.length;
      const p = this.send(q.sdkKey, q.metadata, batch).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
    this.queues.delete(id);
  }

  flushAll(): void {
    for (const [id, q] of [...this.queues]) this.flushQueue(id, q);
  }

  private async send(sdkKey: string, metadata: unknown, events: unknown[]): Promise<void> {
    const body = await gzipAsync(Buffer.from(JSON.stringify({ events, statsigMetadata: metadata ?? {} })));
    let backoff = this.o.logEventRetryBackoffMs;
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        status = (await this.upstream.logEvent(sdkKey, body, events.length)).status;
      } catch (e) {
        this.log('debug', `log_event upstream: ${(e as Error).message}`);
      }
      if (status >= 200 && status < 300) {
        this.c.sent.inc(undefined, events.length);
        return;
      }
      if (!RETRYABLE.has(status)) {
        this.c.dropped.inc({ reason: `http_${status}` }, events.length);
        this.log('warn', `log_event: upstream answered ${status}; dropped ${events.length} events`);
        return;
      }
      if (attempt >= this.o.logEventRetries) {
        this.c.dropped.inc({ reason: 'retries_exhausted' }, events.length);
        this.log('warn', `log_event: gave up after ${attempt + 1} attempts; dropped ${events.length} events`);
        return;
      }
      await new Promise((r) => setTimeout(r, backoff * (0.75 + Math.random() * 0.5)));
      backoff *= 2;
    }
  }

  /** Send everything queued and wait for in-flight batches, at most timeoutMs. */
  async flush(timeoutMs = 5000): Promise<void> {
    this.flushAll();
    const all = Promise.allSettled([...this.inflight]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  async stop(timeoutMs = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush(timeoutMs);
    this.stopped = true;
  }
}
