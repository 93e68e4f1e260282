// The event pipeline against a real HTTP log_event endpoint on loopback: retries, bounds, exactly-once
// delivery after an outage, shutdown accounting, and the local sinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLogger, type EventLoggerConfig } from '../../server/events/event-logger';
import { StatsigLogEventSink } from '../../server/events/sinks/statsig-log-event-sink';
import { JsonlFileSink } from '../../server/events/sinks/jsonl-file-sink';
import { ExposureDedupe } from '../../server/events/dedupe';
import { HttpClient } from '../../server/net/http-client';
import { normalizeOptions } from '../../server/options';
import { silentLogger } from '../../server/logger';
import type { StatsigEvent } from '../../server/events/event';
import type { EventSink } from '../../server/events/event-sink';
import { FakeStatsig, SECRET } from './support/fake-statsig';
import { waitFor } from './support/wait';

function event(i: number): StatsigEvent {
  return { eventName: 'custom', user: { userID: `u${i}`, privateAttributes: null }, value: i, metadata: { seq: String(i) }, time: Date.now() };
}

function config(sinks: EventSink[], over: Partial<EventLoggerConfig> = {}): EventLoggerConfig {
  return {
    sinks,
    batchSize: 10,
    flushIntervalMs: 60_000,
    maxQueuedEvents: 100,
    maxQueuedBytes: 1024 * 1024,
    spool: null,
    retryBackoffMs: 2,
    retryMaxBackoffMs: 20,
    dedupeMaxKeys: 1_000,
    dedupeWindowMs: 60_000,
    disabled: false,
    logger: silentLogger,
    ...over,
  };
}

async function withUpstream(fn: (fake: FakeStatsig, sink: StatsigLogEventSink, client: HttpClient) => Promise<void>) {
  const fake = await new FakeStatsig().start();
  const client = new HttpClient(SECRET, normalizeOptions(SECRET, {}).http);
  try {
    await fn(fake, new StatsigLogEventSink(client, fake.api), client);
  } finally {
    await client.close();
    await fake.close();
  }
}

test('an upstream that fails for a while: every event queued within the bound arrives exactly once after recovery', async () => {
  await withUpstream(async (fake, sink) => {
    const logger = new EventLogger(config([sink], { maxQueuedEvents: 50 }));
    fake.logEventStatus = 503;
    for (let i = 0; i < 45; i++) logger.log(event(i));
    await logger.flush(0); // hand the open batch over without waiting
    await waitFor(() => logger.counters().sinks[0]!.failedAttempts >= 20, '20 failed attempts');
    assert.equal(fake.events.length, 0);
    fake.logEventStatus = 202;
    const result = await logger.flush(10_000);
    assert.deepEqual(result, { complete: true, pending: 0 });
    const seqs = fake.events.map((e) => Number((e.metadata as { seq: string }).seq));
    assert.deepEqual(seqs, [...Array(45).keys()], 'every event once, in order');
    const c = logger.counters();
    assert.equal(c.logged, 45);
    assert.equal(c.sinks[0]!.sent, 45);
    assert.deepEqual(c.sinks[0]!.dropped, { rejected: 0, shutdown: 0 });
    console.log(`outage: logged ${c.logged}, sent ${c.sinks[0]!.sent}, failed attempts ${c.sinks[0]!.failedAttempts}, dropped 0`);
    await logger.shutdown(1_000);
  });
});

test('beyond the memory bound new events are refused, never accepted and dropped; every accepted one is delivered', async () => {
  await withUpstream(async (fake, sink) => {
    const logger = new EventLogger(config([sink], { maxQueuedEvents: 20 }));
    fake.logEventStatus = 500;
    const accepted: number[] = [];
    for (let i = 0; i < 50; i++) if (logger.log(event(i))) accepted.push(i);
    await logger.flush(0);
    await waitFor(() => logger.counters().sinks[0]!.failedAttempts >= 1, 'a failed attempt');
    assert.deepEqual(accepted, [...Array(20).keys()], 'the first 20 fit, the rest were refused');
    const batch = logger.logBatch([event(100), event(101)]);
    assert.equal(batch.ok, false);
    assert.equal(!batch.ok && batch.reason, 'full');
    assert.ok(!batch.ok && batch.retryAfterSeconds >= 1);
    const during = logger.counters();
    assert.equal(during.refusedFull, 32);
    assert.equal(during.sinks[0]!.refused.full, 32);
    assert.equal(during.sinks[0]!.ok, false);
    assert.ok(during.sinks[0]!.degraded.includes('delivery_failing') && during.sinks[0]!.degraded.includes('refusing'));
    fake.logEventStatus = 202;
    await logger.flush(10_000);
    const c = logger.counters();
    assert.equal(c.logged, 20);
    assert.equal(c.sinks[0]!.sent, 20);
    assert.deepEqual(c.sinks[0]!.dropped, { rejected: 0, shutdown: 0 });
    assert.deepEqual(fake.events.map((e) => e.value), accepted);
    // room again: a batch is accepted whole
    assert.deepEqual(logger.logBatch([event(200), event(201)]), { ok: true });
    console.log(`overflow: accepted ${c.logged}, sent ${c.sinks[0]!.sent}, refused ${c.refusedFull}, dropped 0`);
    await logger.shutdown(1_000);
  });
});

test('a byte bound refuses a batch that would pass it, whole', async () => {
  const got: StatsigEvent[] = [];
  const logger = new EventLogger(config([{ name: 'mem', send: async (b) => void got.push(...b) }], { maxQueuedBytes: 4096, batchSize: 1000 }));
  const big = (i: number): StatsigEvent => ({ ...event(i), metadata: { pad: 'x'.repeat(1000) } });
  assert.deepEqual(logger.logBatch([big(0), big(1), big(2)]), { ok: true });
  const r = logger.logBatch([big(3), big(4)]);
  assert.equal(r.ok, false, 'five 1 KB events do not fit in 4 KB');
  assert.equal(logger.counters().buffered, 3, 'nothing of the refused batch was kept');
  await logger.shutdown(1_000);
  assert.deepEqual(got.map((e) => e.value), [0, 1, 2]);
});

test('a non-retryable status drops the batch at once and counts it; retryable ones are retried until delivered', async () => {
  await withUpstream(async (fake, sink) => {
    const logger = new EventLogger(config([sink]));
    fake.logEventStatus = 400;
    for (let i = 0; i < 10; i++) logger.log(event(i));
    await logger.flush(5_000);
    const s = logger.counters().sinks[0]!;
    assert.equal(s.dropped.rejected, 10);
    assert.equal(s.attempts, 1, '400 is not retried');
    assert.ok(s.degraded.includes('dropping'));
    for (const status of [408, 500, 502, 503, 504, 522, 524, 599]) {
      fake.logEventStatus = status;
      const before = logger.counters().sinks[0]!.attempts;
      logger.log(event(status));
      await logger.flush(0);
      await waitFor(() => logger.counters().sinks[0]!.attempts - before >= 4, `${status} retried`);
      fake.logEventStatus = 202;
      await logger.flush(5_000);
      assert.ok(fake.events.some((e) => e.value === status), `${status}: delivered once the upstream recovered`);
    }
    for (const status of [401, 403, 404, 413, 429]) {
      fake.logEventStatus = status;
      const before = logger.counters().sinks[0]!.attempts;
      logger.log(event(status));
      await logger.flush(5_000);
      assert.equal(logger.counters().sinks[0]!.attempts - before, 1, `${status} is not retried`);
    }
    assert.equal(fake.events.length, 8);
    await logger.shutdown(1_000);
  });
});

test('log_event requests are gzip JSON with Statsig headers and the event count', async () => {
  await withUpstream(async (fake, sink) => {
    const logger = new EventLogger(config([sink]));
    for (let i = 0; i < 3; i++) logger.log(event(i));
    await logger.flush(5_000);
    const req = fake.requests.find((r) => r.path === '/v1/log_event')!;
    assert.equal(req.headers['content-encoding'], 'gzip');
    assert.equal(req.headers['statsig-event-count'], '3');
    assert.equal(req.headers['statsig-api-key'], SECRET);
    assert.equal(req.headers['statsig-sdk-type'], 'statsig-node');
    assert.match(String(req.headers['statsig-server-session-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(req.headers['statsig-client-time']), /^\d+$/);
    assert.equal(fake.events.length, 3);
    await logger.shutdown(1_000);
  });
});

test('shutdown delivers everything queued (sent == logged); with the sink down it counts the rest as dropped', async () => {
  await withUpstream(async (fake, sink) => {
    // 66 events in batches of 7 = 10 batches, within the bound of 70 events
    const logger = new EventLogger(config([sink], { batchSize: 7, maxQueuedEvents: 70 }));
    for (let i = 0; i < 66; i++) logger.log(event(i));
    const r = await logger.shutdown(10_000);
    assert.deepEqual(r, { complete: true, pending: 0 });
    const c = logger.counters();
    assert.equal(c.sinks[0]!.sent, c.logged);
    assert.equal(fake.events.length, 66);
    assert.equal(logger.log(event(1)), false, 'closed');
    assert.equal(logger.counters().refused, 1);
  });
  await withUpstream(async (fake, sink) => {
    fake.logEventStatus = 503;
    const logger = new EventLogger(config([sink], { retryBackoffMs: 5, retryMaxBackoffMs: 5 }));
    for (let i = 0; i < 25; i++) logger.log(event(i));
    const r = await logger.shutdown(50);
    assert.equal(r.complete, false);
    const s = logger.counters().sinks[0]!;
    assert.equal(s.sent, 0);
    assert.equal(s.dropped.shutdown, 25);
    console.log(`shutdown with the sink down: logged 25, sent 0, dropped shutdown ${s.dropped.shutdown}`);
  });
});

test('batches go out by size and by interval', async () => {
  await withUpstream(async (fake, sink) => {
    const logger = new EventLogger(config([sink], { batchSize: 5, flushIntervalMs: 20 }));
    for (let i = 0; i < 5; i++) logger.log(event(i));
    await waitFor(() => fake.events.length === 5, 'a full batch to be sent without a flush');
    logger.log(event(5));
    await waitFor(() => fake.events.length === 6, 'the interval to send a partial batch');
    await logger.shutdown(1_000);
  });
});

test('the JSONL file sink appends one event per line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-events-'));
  try {
    const path = join(dir, 'nested', 'events.jsonl');
    const logger = new EventLogger(config([new JsonlFileSink(path)]));
    for (let i = 0; i < 12; i++) logger.log(event(i));
    await logger.shutdown(5_000);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((e) => e.value), [...Array(12).keys()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sink that throws non-delivery errors is retried; two sinks each get every event', async () => {
  let failures = 3;
  const got: StatsigEvent[] = [];
  const flaky: EventSink = {
    name: 'flaky',
    async send(batch) {
      if (failures-- > 0) throw new Error('boom');
      got.push(...batch);
    },
  };
  const other: StatsigEvent[] = [];
  const steady: EventSink = { name: 'steady', send: async (b) => void other.push(...b) };
  const logger = new EventLogger(config([flaky, steady]));
  for (let i = 0; i < 15; i++) logger.log(event(i));
  await logger.shutdown(5_000);
  assert.equal(got.length, 15);
  assert.equal(other.length, 15);
});

test('exposure dedupe: a key logs once per window; the set resets on overflow and when the window passes', () => {
  const d = new ExposureDedupe(3, 1_000);
  assert.equal(d.firstSeen('a', 0), true);
  assert.equal(d.firstSeen('a', 10), false);
  assert.equal(d.firstSeen('b', 10), true);
  assert.equal(d.firstSeen('c', 10), true);
  assert.equal(d.firstSeen('d', 10), true, 'overflow resets');
  assert.equal(d.size, 1);
  assert.equal(d.firstSeen('a', 20), true, 'forgotten after the reset');
  assert.equal(d.firstSeen('a', 1_500), true, 'a new window');
  assert.equal(d.deduped, 1);
  assert.equal(d.resets, 2);
});

test('disabled logging accepts nothing and counts it', () => {
  const logger = new EventLogger(config([{ name: 'x', send: async () => {} }], { disabled: true }));
  assert.equal(logger.log(event(1)), false);
  assert.equal(logger.counters().refused, 1);
  assert.equal(logger.counters().logged, 0);
});

/** A sink that records batches and lets a test run code right after a send resolves. */
class RecordingSink implements EventSink {
  readonly name = 'recording';
  readonly batches: StatsigEvent[][] = [];
  afterSend: (() => void) | null = null;
  async send(batch: readonly StatsigEvent[]): Promise<void> {
    this.batches.push([...batch]);
    const after = this.afterSend;
    this.afterSend = null;
    // runs in the continuation after send resolves, before the drain loop has finished
    if (after) queueMicrotask(after);
  }
}

test('a batch handed over while the drain is finishing is still delivered (no stranded batch)', async () => {
  for (const depth of [0, 1, 2, 3, 4, 5, 8]) {
    const sink = new RecordingSink();
    const logger = new EventLogger(config([sink], { batchSize: 2 }));
    let i = 0;
    sink.afterSend = () => {
      // log a full batch a few microtasks after the send resolved
      let hop = () => {
        logger.log(event(i++));
        logger.log(event(i++));
      };
      for (let d = 0; d < depth; d++) {
        const next = hop;
        hop = () => queueMicrotask(next);
      }
      hop();
    };
    logger.log(event(i++));
    logger.log(event(i++));
    await waitFor(() => sink.batches.length >= 2, `second batch delivered (depth ${depth})`);
    const r = await logger.shutdown(1_000);
    assert.deepEqual(r, { complete: true, pending: 0 }, `depth ${depth}`);
    assert.equal(sink.batches.flat().length, 4, `depth ${depth}`);
    assert.equal(logger.counters().sinks[0]!.dropped.shutdown, 0);
  }
});

test('events logged while shutdown is flushing are refused and counted, never lost silently', async () => {
  const sink = new RecordingSink();
  const logger = new EventLogger(config([sink], { batchSize: 100 }));
  logger.log(event(1));
  sink.afterSend = () => logger.log(event(2));
  const r = await logger.shutdown(1_000);
  assert.deepEqual(r, { complete: true, pending: 0 });
  const c = logger.counters();
  assert.equal(sink.batches.flat().length, 1);
  assert.equal(c.logged, 1);
  assert.equal(c.refused, 1, 'the late event is counted');
  assert.equal(c.buffered, 0);
});
