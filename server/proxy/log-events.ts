/**
 * `POST /v1/log_event` forwarding: events are queued per (SDK key, statsigMetadata), sent upstream in
 * gzipped batches of up to logEventBatchSize events and logEventMaxBatchBytes bytes every
 * logEventFlushIntervalMs (or as soon as a batch is full), retried on retryable statuses and network
 * errors until upstream takes them (capped, jittered backoff; upstream's Retry-After honoured), and
 * counted: received, sent, dropped{reason}. A 202 is a promise: only upstream's final refusal of a
 * batch (a non-retryable status) or a shutdown that outlasts its timeout drops accepted events.
 *
 * The bound holds in bytes and in events for everything the proxy holds — queued, in flight and
 * waiting to retry — so a hanging upstream cannot grow memory: a full proxy refuses new events
 * with 503 and the SDK keeps them and retries. Each event is serialized once, when it arrives (that
 * is its size), so a batch is only a join of strings that are known to fit.
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { getRetryDelayMs, sleep } from '../net/backoff';
import { RETRYABLE_STATUSES } from '../net/http-error';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../net/retry';
import type { Counter } from './metrics';
import type { ProxyOptions } from './options';
import type { Upstream } from './upstream';

const gzipAsync = promisify(gzip);
interface Queue {
  sdkKey: string;
  /** serialized statsigMetadata */
  metadata: string;
  /** serialized events */
  events: string[];
  bytes: number;
}

export interface LogEventCounters {
  received: Counter;
  sent: Counter;
  dropped: Counter;
}

export class LogEventForwarder {
  private readonly queues = new Map<string, Queue>();
  private readonly inflight = new Set<Promise<void>>();
  /** events and bytes held: queued + in flight + retrying */
  private held = 0;
  private heldBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /**
   * Attempts in flight upstream at once. After an outage every held batch is due together; sent all at
   * once they answer slowly, time out and are sent again (each a duplicate upstream): in the memory
   * test, 28,000 of 81,000 events arrived twice with every batch in flight, none with 4.
   */
  private readonly slots = new Slots(4);
  private failing = false;
  /** aborted by stop(): cuts retry sleeps short */
  private readonly abort = new AbortController();

  constructor(
    private readonly upstream: Upstream,
    private readonly o: Pick<
      ProxyOptions,
      | 'logEventBatchSize'
      | 'logEventFlushIntervalMs'
      | 'logEventMaxQueue'
      | 'logEventMaxQueueBytes'
      | 'logEventMaxBatchBytes'
      | 'logEventRetryBackoffMs'
      | 'logEventRetryBackoffMaxMs'
    >,
    private readonly c: LogEventCounters,
    private readonly log: (level: 'debug' | 'info' | 'warn', msg: string) => void,
  ) {
    this.timer = setInterval(() => this.flushAll(), o.logEventFlushIntervalMs);
    this.timer.unref();
  }

  /** Events held (queued, in flight or retrying). */
  get depth(): number {
    return this.held;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Queue a log_event body; false when the proxy holds too much (the caller answers 503). */
  enqueue(sdkKey: string, body: { events?: unknown; statsigMetadata?: unknown }): boolean {
    const events = Array.isArray(body.events) ? body.events : [];
    if (events.length === 0) return true;
    if (this.stopped) return this.refuse(events.length);
    let texts: string[];
    let metadata: string;
    try {
      metadata = JSON.stringify(body.statsigMetadata ?? {}) ?? '{}';
      texts = events.map((ev) => JSON.stringify(ev) ?? 'null');
    } catch {
      // a body that cannot be serialized again is refused whole, before anything is counted as received
      return this.refuse(events.length);
    }
    let bytes = 0;
    for (const t of texts) bytes += Buffer.byteLength(t);
    if (this.held + texts.length > this.o.logEventMaxQueue || this.heldBytes + bytes > this.o.logEventMaxQueueBytes) {
      return this.refuse(events.length);
    }
    this.c.received.inc(undefined, texts.length);
    const id = `${sdkKey}\u0000${metadata}`;
    let q = this.queues.get(id);
    if (!q) {
      q = { sdkKey, metadata, events: [], bytes: 0 };
      this.queues.set(id, q);
    }
    for (const t of texts) q.events.push(t);
    q.bytes += bytes;
    this.held += texts.length;
    this.heldBytes += bytes;
    if (q.events.length >= this.o.logEventBatchSize || q.bytes >= this.o.logEventMaxBatchBytes) this.flushQueue(id, q);
    return true;
  }

  private refuse(n: number): false {
    this.c.dropped.inc({ reason: 'queue_full' }, n);
    return false;
  }

  private flushQueue(id: string, q: Queue): void {
    this.queues.delete(id);
    let i = 0;
    while (i < q.events.length) {
      let bytes = Buffer.byteLength(q.events[i]!);
      let j = i + 1;
      while (j < q.events.length && j - i < this.o.logEventBatchSize && bytes + Buffer.byteLength(q.events[j]!) + 1 <= this.o.logEventMaxBatchBytes) {
        bytes += Buffer.byteLength(q.events[j]!) + 1;
        j++;
      }
      const batch = q.events.slice(i, j);
      i = j;
      const p = this.send(q.sdkKey, q.metadata, batch)
        .catch((e: unknown) => {
          this.c.dropped.inc({ reason: 'error' }, batch.length);
          this.log('warn', `log_event: dropped ${batch.length} events: ${(e as Error).message}`);
        })
        .finally(() => {
          this.held -= batch.length;
          for (const t of batch) this.heldBytes -= Buffer.byteLength(t);
          this.inflight.delete(p);
        });
      this.inflight.add(p);
    }
  }

  flushAll(): void {
    for (const [id, q] of [...this.queues]) this.flushQueue(id, q);
  }

  private async send(sdkKey: string, metadata: string, events: string[]): Promise<void> {
    const body = await gzipAsync(Buffer.from(`{"events":[${events.join(',')}],"statsigMetadata":${metadata}}`));
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let after = 0;
      await this.slots.acquire();
      try {
        const res = await this.upstream.logEvent(sdkKey, body, events.length);
        status = res.status;
        after = retryAfterMs(res.headers['retry-after']);
      } catch (e) {
        this.log('debug', `log_event upstream: ${(e as Error).message}`);
      } finally {
        this.slots.release();
      }
      if (status >= 200 && status < 300) {
        this.c.sent.inc(undefined, events.length);
        if (this.failing) this.log('info', 'log_event: upstream takes events again');
        this.failing = false;
        return;
      }
      // the SDK's retryable statuses (statsig-node's); 0 = no answer (network error, timeout)
      if (status !== 0 && !RETRYABLE_STATUSES.has(status)) {
        this.c.dropped.inc({ reason: `http_${status}` }, events.length);
        this.log('warn', `log_event: upstream answered ${status}; dropped ${events.length} events`);
        return;
      }
      if (this.stopped) {
        this.c.dropped.inc({ reason: 'shutdown' }, events.length);
        this.log('warn', `log_event: shutting down with upstream failing; dropped ${events.length} events after ${attempt + 1} attempts`);
        return;
      }
      if (!this.failing) this.log('warn', `log_event: upstream answered ${status || 'no response'}; holding events and retrying until it takes them`);
      this.failing = true;
      const backoffMs = getRetryDelayMs(attempt, { baseMs: this.o.logEventRetryBackoffMs, capMs: this.o.logEventRetryBackoffMaxMs });
      await sleep(Math.max(backoffMs, Math.min(after, MAX_RETRY_AFTER_MS)), this.abort.signal, true);
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
    this.abort.abort();
  }
}

/** A counting semaphore: at most `n` holders, the rest wait in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
