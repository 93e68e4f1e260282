// The Redis stream sink against the real Redis at REDIS_URL: one stream entry per event, whole batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStreamSink } from '../../server/events/sinks/redis-stream-sink';
import { EventLogger } from '../../server/events/event-logger';
import { silentLogger } from '../../server/logger';
import { InvalidOptionError } from '../../lib/errors';

const url = process.env.REDIS_URL;

test('events land in the stream exactly once each, in order', { skip: !url && 'REDIS_URL is not set' }, async () => {
  const streamKey = `firstlight:test:events:${randomUUID()}`;
  const redis = new Redis(url!);
  try {
    const logger = new EventLogger({
      sinks: [new RedisStreamSink({ redis: url!, streamKey })],
      batchSize: 8,
      flushIntervalMs: 60_000,
      maxQueuedEvents: 80,
      maxQueuedBytes: 1024 * 1024,
      spool: null,
      retryBackoffMs: 5,
      retryMaxBackoffMs: 50,
      dedupeMaxKeys: 100,
      dedupeWindowMs: 60_000,
      disabled: false,
      logger: silentLogger,
    });
    for (let i = 0; i < 30; i++) {
      logger.log({ eventName: 'purchase', user: { userID: `u${i}`, privateAttributes: null }, value: i, metadata: null, time: 1 });
    }
    const r = await logger.shutdown(5_000);
    assert.deepEqual(r, { complete: true, pending: 0 });
    const entries = await redis.xrange(streamKey, '-', '+');
    assert.equal(entries.length, 30);
    const values = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]!).value);
    assert.deepEqual(values, [...Array(30).keys()]);
    assert.equal(logger.counters().sinks[0]!.sent, 30);
  } finally {
    await redis.del(streamKey);
    await redis.quit();
  }
});

test('maxLength trims the stream approximately', { skip: !url && 'REDIS_URL is not set' }, async () => {
  const streamKey = `firstlight:test:events:${randomUUID()}`;
  const redis = new Redis(url!);
  const sink = new RedisStreamSink({ redis, streamKey, maxLength: 10 });
  try {
    for (let b = 0; b < 20; b++) {
      await sink.send(Array.from({ length: 50 }, (_, i) => ({ eventName: 'e', user: null, value: b * 50 + i, metadata: null, time: 1 })));
    }
    assert.ok((await redis.xlen(streamKey)) < 1_000);
  } finally {
    await sink.close();
    await redis.del(streamKey);
    await redis.quit();
  }
});

test('bad sink options are rejected with a clear error', () => {
  assert.throws(() => new RedisStreamSink({ redis: 'http://nope' }), InvalidOptionError);
  assert.throws(() => new RedisStreamSink({ redis: 'redis://x', maxLength: -1 }), /maxLength/);
});
