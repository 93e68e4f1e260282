/**
 * `POST /v1/log_event` forwarding on the SDK's delivery channel (../events/sink-channel): one SinkChannel
 * per (SDK key, statsigMetadata) over an upstream sink for that key, all within one MemoryBudget. A
 * channel sends gzipped batches of up to logEventBatchSize events and logEventMaxBatchBytes bytes, a
 * batch that is not full waits logEventFlushIntervalMs for more, and a failing batch is retried with
 * the channel's capped, jittered backoff (upstream's Retry-After honoured) until upstream takes it.
 * Counted: received, sent, dropped{reason}. A 202 is a promise: only upstream's final refusal of a batch
 * (a non-retryable status) or a shutdown that outlasts its timeout drops accepted events.
 *
 * The bound holds in bytes and in events for everything the proxy holds (queued, in flight and
 * waiting to retry), so a hanging upstream cannot grow memory: a full proxy refuses new events with
 * 503 and the SDK keeps them and retries. Each event is serialized once, when it arrives (that is its
 * size, and a body that cannot be serialized is refused then), so a batch is a join of strings known
 * to fit. A channel that holds nothing is let go, and while it holds something its own cost counts
 * against the byte bound (CHANNEL_BYTES), so made-up metadata cannot pile up channels.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { keyLabel } from '../fleet/keys';
import { DeliveryError, type EventSink } from '../events/event-sink';
import { MemoryBudget, SinkChannel } from '../events/sink-channel';
import { RETRYABLE_STATUSES } from '../net/http-error';
import { retryAfterMs } from '../net/retry';
import type { Counter } from './metrics';
import type { ProxyOptions } from './options';
import type { Upstream } from './upstream';

const gzipAsync = promisify(gzip);

/**
 * What one channel costs in memory beyond its events (the channel, its sink and batch bookkeeping:
 * about 3.2 KB measured with one event held), charged to the byte bound with its metadata while the
 * channel exists: a client that sends every event under another statsigMetadata would otherwise hold
 * a channel per event outside the bound (100,000 one-event channels ≈ 320 MB under a 64 MB bound).
 */
export const CHANNEL_BYTES = 4096;

export interface LogEventCounters {
  received: Counter;
  sent: Counter;
  dropped: Counter;
}

type Log = (level: 'debug' | 'info' | 'warn', msg: string) => void;

type ForwarderOptions = Pick<
  ProxyOptions,
  | 'logEventBatchSize'
  | 'logEventFlushIntervalMs'
  | 'logEventMaxQueue'
  | 'logEventMaxQueueBytes'
  | 'logEventMaxBatchBytes'
  | 'logEventRetryBackoffMs'
  | 'logEventRetryBackoffMaxMs'
>;

/** One key's log_event upstream: a batch of serialized events under one statsigMetadata, one attempt per send. */
class UpstreamLogEventSink implements EventSink<string> {
  readonly name: string;
  constructor(
    private readonly upstream: Upstream,
    private readonly sdkKey: string,
    private readonly metadata: string,
    private readonly slots: Slots,
    private readonly c: LogEventCounters,
  ) {
    this.name = `log_event ${keyLabel(sdkKey)}`;
  }

  async send(batch: readonly string[], signal: AbortSignal): Promise<void> {
    const body = await gzipAsync(Buffer.from(`{"events":[${batch.join(',')}],"statsigMetadata":${this.metadata}}`));
    let status = 0;
    let after = 0;
    let failure = 'no response';
    await this.slots.acquire();
    try {
      const res = await this.upstream.logEvent(this.sdkKey, body, batch.length, signal);
      status = res.status;
      after = retryAfterMs(res.headers['retry-after']);
    } catch (e) {
      failure = (e as Error).message;
    } finally {
      this.slots.release();
    }
    if (status >= 200 && status < 300) {
      this.c.sent.inc(undefined, batch.length);
      return;
    }
    // the SDK's retryable statuses (statsig-node's); 0 = no answer (network error, timeout)
    if (status !== 0 && !RETRYABLE_STATUSES.has(status)) {
      this.c.dropped.inc({ reason: `http_${status}` }, batch.length);
      throw new DeliveryError(`upstream answered ${status}`, false);
    }
    throw new DeliveryError(`upstream answered ${status || failure}`, true, { retryAfterMs: after });
  }
}

export class LogEventForwarder {
  readonly #budget: MemoryBudget;
  readonly #channels = new Map<string, SinkChannel<string>>();
  /**
   * Attempts in flight upstream at once, across keys. After an outage every held batch is due together;
   * sent all at once they answer slowly, time out and are sent again (each a duplicate upstream): in the
   * memory test, 28,000 of 81,000 events arrived twice with every batch in flight, none with 4.
   */
  readonly #slots = new Slots(4);
  #stopped = false;

  constructor(
    private readonly upstream: Upstream,
    private readonly o: ForwarderOptions,
    private readonly c: LogEventCounters,
    private readonly log: Log,
  ) {
    this.#budget = new MemoryBudget({ maxEvents: o.logEventMaxQueue, maxBytes: o.logEventMaxQueueBytes });
  }

  /** Events held (queued, in flight or retrying). */
  get depth(): number {
    return this.#budget.events;
  }

  get bytes(): number {
    return this.#budget.bytes;
  }

  /** Queue a log_event body; false when the proxy holds too much (the caller answers 503). */
  enqueue(sdkKey: string, body: { events?: unknown; statsigMetadata?: unknown }): boolean {
    const events = Array.isArray(body.events) ? body.events : [];
    if (events.length === 0) return true;
    if (this.#stopped) return this.#refuse(events.length);
    let texts: string[];
    let metadata: string;
    try {
      metadata = JSON.stringify(body.statsigMetadata ?? {}) ?? '{}';
      texts = events.map((ev) => JSON.stringify(ev) ?? 'null');
    } catch {
      // a body that cannot be serialized again is refused whole, before anything is counted as received
      return this.#refuse(events.length);
    }
    const sizes = texts.map((t) => Buffer.byteLength(t));
    let bytes = 0;
    for (const n of sizes) bytes += n;
    const id = `${sdkKey}\u0000${metadata}`;
    let ch = this.#channels.get(id);
    const cost = ch ? 0 : channelCost(id);
    if (!this.#budget.fits(texts.length, bytes + cost)) return this.#refuse(events.length);
    this.c.received.inc(undefined, texts.length);
    if (!ch) {
      this.#budget.take(0, cost);
      ch = this.#channel(sdkKey, metadata);
      this.#channels.set(id, ch);
      ch.enqueue(texts, bytes, sizes);
      this.#letGoWhenIdle(id, ch);
    } else ch.enqueue(texts, bytes, sizes);
    return true;
  }

  #channel(sdkKey: string, metadata: string): SinkChannel<string> {
    const o = this.o;
    return new SinkChannel(new UpstreamLogEventSink(this.upstream, sdkKey, metadata, this.#slots, this.c), {
      bounds: this.#budget,
      maxBatchSize: o.logEventBatchSize,
      maxBatchBytes: o.logEventMaxBatchBytes,
      lingerMs: o.logEventFlushIntervalMs,
      measure: (t) => Buffer.byteLength(t),
      backoff: { baseMs: o.logEventRetryBackoffMs, capMs: o.logEventRetryBackoffMaxMs },
      logger: { warn: (m) => this.log('warn', m), error: (m) => this.log('warn', m) },
    });
  }

  #letGoWhenIdle(id: string, ch: SinkChannel<string>): void {
    void ch.idle().then(() => {
      if (this.#channels.get(id) !== ch) return;
      // events may have arrived between the channel going idle and this callback
      if (ch.isIdle) {
        this.#channels.delete(id);
        this.#budget.give(0, channelCost(id));
      } else this.#letGoWhenIdle(id, ch);
    });
  }

  #refuse(n: number): false {
    this.c.dropped.inc({ reason: 'queue_full' }, n);
    return false;
  }

  /** Send everything queued without waiting for its flush interval and wait for delivery, at most timeoutMs. */
  async flush(timeoutMs = 5000): Promise<void> {
    const channels = [...this.#channels.values()];
    for (const ch of channels) ch.expedite();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.all(channels.map((ch) => ch.idle())), timedOut]);
    clearTimeout(timer);
  }

  /** Flushes (at most timeoutMs), then stops: what upstream has not taken by then is dropped and counted. */
  async stop(timeoutMs = 5000): Promise<void> {
    await this.flush(timeoutMs);
    this.#stopped = true;
    const channels = [...this.#channels.values()];
    for (const id of this.#channels.keys()) this.#budget.give(0, channelCost(id));
    this.#channels.clear();
    await Promise.all(channels.map((ch) => ch.close()));
    let dropped = 0;
    for (const ch of channels) dropped += ch.counters.dropped.shutdown;
    if (dropped > 0) {
      this.c.dropped.inc({ reason: 'shutdown' }, dropped);
      this.log('warn', `log_event: shutting down with upstream failing; dropped ${dropped} events`);
    }
  }
}

function channelCost(id: string): number {
  return CHANNEL_BYTES + Buffer.byteLength(id);
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
