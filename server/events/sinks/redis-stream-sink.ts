/**
 * Events into a Redis stream for a fleet (one entry per event, field `event` = the JSON). A batch is
 * written in one MULTI so it lands whole or not at all, which keeps retries from duplicating events.
 */
import { Redis } from 'ioredis';
import { InvalidOptionError } from '../../../lib/errors';
import type { StatsigEvent } from '../event';
import { DeliveryError, type EventSink } from '../event-sink';

export interface RedisStreamSinkOptions {
  /** A connection URL (the sink owns and closes the connection) or an ioredis client (yours to close). */
  redis: string | Redis;
  /** @default 'firstlight:events' */
  streamKey?: string;
  /** Trim the stream to about this many entries (`MAXLEN ~`). @default no trimming */
  maxLength?: number;
}

export class RedisStreamSink implements EventSink {
  readonly name: string;
  readonly streamKey: string;
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #maxLength: number | null;

  constructor(options: RedisStreamSinkOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('firstlight: RedisStreamSink needs options');
    if (options.maxLength !== undefined && !(Number.isInteger(options.maxLength) && options.maxLength > 0)) {
      throw new InvalidOptionError(`firstlight: RedisStreamSink option "maxLength" must be a positive integer (got ${options.maxLength})`);
    }
    if (typeof options.redis === 'string') {
      if (!/^rediss?:\/\//.test(options.redis)) {
        throw new InvalidOptionError('firstlight: RedisStreamSink option "redis" must be a redis:// URL or an ioredis client');
      }
      this.#redis = new Redis(options.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
      this.#owned = true;
    } else if (options.redis && typeof options.redis.multi === 'function') {
      this.#redis = options.redis;
      this.#owned = false;
    } else {
      throw new InvalidOptionError('firstlight: RedisStreamSink option "redis" must be a redis:// URL or an ioredis client');
    }
    this.streamKey = options.streamKey ?? 'firstlight:events';
    this.#maxLength = options.maxLength ?? null;
    this.name = `redis-stream:${this.streamKey}`;
  }

  async send(batch: readonly StatsigEvent[]): Promise<void> {
    const multi = this.#redis.multi();
    for (const e of batch) {
      if (this.#maxLength === null) multi.xadd(this.streamKey, '*', 'event', JSON.stringify(e));
      else multi.xadd(this.streamKey, 'MAXLEN', '~', this.#maxLength, '*', 'event', JSON.stringify(e));
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await multi.exec();
    } catch (err) {
      throw new DeliveryError(`redis stream ${this.streamKey}: ${(err as Error).message}`, true, { cause: err });
    }
    const failed = results?.find(([err]) => err !== null);
    if (!results || failed) {
      throw new DeliveryError(`redis stream ${this.streamKey}: ${failed?.[0]?.message ?? 'transaction aborted'}`, true);
    }
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
