/**
 * Events into a Redis stream for a fleet (one entry per event, field `event` = the JSON). A batch is
 * written in one MULTI so it lands whole or not at all, which keeps retries from duplicating events.
 */
import { InvalidOptionError } from '../../../lib/errors';
import { loadIoredis } from '../../fleet/ioredis';
import { checkTlsOptions, createRedisClient, parseRedisUrl, type RedisClient, type RedisTlsOptions } from '../../fleet/redis-connection';
import type { StatsigEvent } from '../event';
import { DeliveryError, type EventSink } from '../event-sink';

/**
 * What the sink uses of a Redis client: an ioredis `Redis` fits. Written out so the package's types
 * do not need ioredis's (an optional peer) to be installed.
 */
export interface RedisStreamClient {
  multi(): RedisStreamTransaction;
}

export interface RedisStreamTransaction {
  xadd(key: string, ...args: (string | number)[]): unknown;
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

export interface RedisStreamSinkOptions {
  /**
   * A connection URL (the sink owns and closes the connection; needs ioredis): redis://,
   * redis+cluster://, redis+sentinel://…?name= or rediss… for TLS, as the fleet's data store takes them.
   * Or a client, an ioredis Redis or Cluster (yours to close). A batch is one key's MULTI, so a cluster
   * runs it on one node.
   */
  redis: string | RedisStreamClient;
  /** TLS material for a rediss URL */
  tls?: RedisTlsOptions;
  /** @default 'firstlight:events' */
  streamKey?: string;
  /** Trim the stream to about this many entries (`MAXLEN ~`). @default no trimming */
  maxLength?: number;
}

const BAD_REDIS = 'firstlight: RedisStreamSink option "redis" must be a redis:// URL or an ioredis client';

export class RedisStreamSink implements EventSink {
  readonly name: string;
  readonly streamKey: string;
  /** the client; for a URL, once ioredis is loaded (rejects with MissingPackageError without it) */
  readonly #redis: Promise<RedisStreamClient>;
  #owned: RedisClient | null = null;
  readonly #maxLength: number | null;

  constructor(options: RedisStreamSinkOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('firstlight: RedisStreamSink needs options');
    if (options.maxLength !== undefined && !(Number.isInteger(options.maxLength) && options.maxLength > 0)) {
      throw new InvalidOptionError(`firstlight: RedisStreamSink option "maxLength" must be a positive integer (got ${options.maxLength})`);
    }
    const redis = options.redis;
    if (typeof redis === 'string') {
      const target = parseRedisUrl(redis);
      const tls = options.tls;
      checkTlsOptions(target, tls);
      // started now, so open() (Statsig.initialize) reports a missing ioredis before any event is sent
      this.#redis = loadIoredis('RedisStreamSink').then((ioredis) => {
        const client = createRedisClient(ioredis, target, tls, {
          connectTimeoutMs: 10_000,
          connectionName: 'firstlight:events',
          retryStrategy: (times) => Math.min(100 * 2 ** Math.max(0, times - 1), 2000),
          offlineQueue: true,
          maxRetriesPerRequest: 1,
        });
        this.#owned = client;
        return client as unknown as RedisStreamClient;
      });
      this.#redis.catch(() => {});
    } else if (redis && typeof redis.multi === 'function') {
      this.#redis = Promise.resolve(redis);
    } else {
      throw new InvalidOptionError(BAD_REDIS);
    }
    this.streamKey = options.streamKey ?? 'firstlight:events';
    this.#maxLength = options.maxLength ?? null;
    this.name = `redis-stream:${this.streamKey}`;
  }

  /** Resolves when the sink can send; rejects with MissingPackageError when ioredis is not installed. */
  async open(): Promise<void> {
    await this.#redis;
  }

  async send(batch: readonly StatsigEvent[]): Promise<void> {
    let redis: RedisStreamClient;
    try {
      redis = await this.#redis;
    } catch (err) {
      // kept and retried, not dropped: the events were accepted
      throw new DeliveryError(`redis stream ${this.streamKey}: ${(err as Error).message}`, true, { cause: err });
    }
    const multi = redis.multi();
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
    await this.#redis.catch(() => {});
    const owned = this.#owned;
    if (owned) await owned.quit().catch(() => owned.disconnect());
  }
}
