// The durable spool and the channel on top of it, on the real file system: torn tails repaired, a sink
// outage longer than memory holds and a shutdown in between lose nothing and duplicate nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSpool, encodeRecord } from '../../server/events/spool';
import { SinkChannel, type SinkChannelConfig } from '../../server/events/sink-channel';
import { EventLogger } from '../../server/events/event-logger';
import { JsonlFileSink } from '../../server/events/sinks/jsonl-file-sink';
import { DeliveryError, type EventSink } from '../../server/events/event-sink';
import { silentLogger } from '../../server/logger';
import type { StatsigEvent } from '../../server/events/event';
import { waitFor } from './support/wait';

function event(i: number, client = 'c'): StatsigEvent {
  return { eventName: 'custom', user: { userID: client, privateAttributes: null }, value: i, metadata: { client }, time: 1 };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fl-spool-'));
}

/** A sink that can be switched down (retryable failures) and records what it got, with batch IDs. */
class SwitchSink implements EventSink {
  readonly name = 'switch';
  down = false;
  readonly got: { id: string; events: StatsigEvent[] }[] = [];
  async send(batch: readonly StatsigEvent[], _signal: AbortSignal, meta: { batchId: string }): Promise<void> {
    if (this.down) throw new DeliveryError('down', true);
    this.got.push({ id: meta.batchId, events: [...batch] });
  }
  values(): unknown[] {
    return this.got.flatMap((b) => b.events.map((e) => e.value));
  }
}

function channelConfig(spoolPath: string | null, over: Partial<SinkChannelConfig> = {}): SinkChannelConfig {
  return {
    bounds: { maxEvents: 20, maxBytes: 1024 * 1024 },
    maxBatchSize: 5,
    backoff: { baseMs: 2, capMs: 10 },
    logger: silentLogger,
    spool: spoolPath === null ? null : { path: spoolPath, maxBytes: 1024 * 1024 },
    ...over,
  };
}

test('spool: records come back in order after a reopen; a torn or corrupt tail is cut off, the rest kept', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 's.spool');
    const a = new FileSpool(path, 0);
    for (let i = 0; i < 3; i++) await a.append({ id: `b${i}`, events: [event(i)] });
    await a.ack('b0');
    await a.close();
    const good = statSync(path).size;
    // a record cut short, as a crash or a full disk leaves it
    appendFileSync(path, encodeRecord({ id: 'torn', events: [event(9)] }).subarray(0, 20));
    const b = new FileSpool(path, 0);
    await b.open();
    assert.equal(b.stats().repairedBytes, 20);
    assert.equal(statSync(path).size, good);
    assert.deepEqual((await b.peek())?.id, 'b1', 'the acknowledged record stays delivered');
    await b.ack('b1');
    assert.deepEqual((await b.peek())?.events.map((e) => e.value), [2]);
    await b.close();
    // a flipped byte fails the checksum: that record and everything after it go
    const bytes = readFileSync(path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0xff;
    writeFileSync(path, flipped);
    const c = new FileSpool(path, 0);
    await c.open();
    assert.equal(c.stats().records, 0);
    assert.ok(c.stats().repairedBytes > 0);
    await c.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('channel with a spool: a sink down longer than memory holds, a shutdown, a new start: 0 lost, 0 duplicated, in order', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'switch.spool');
    const sink = new SwitchSink();
    sink.down = true;
    const ch = new SinkChannel(sink, channelConfig(path));
    let accepted = 0;
    let refusals = 0;
    // 200 events against a memory bound of 20: the spool holds them. A refused offer (memory full until
    // the spool writer catches up) is retried, as a client retries a 503
    for (let i = 0; i < 200; i += 5) {
      while (!ch.offer([0, 1, 2, 3, 4].map((k) => event(i + k))).ok) {
        refusals++;
        await new Promise((r) => setTimeout(r, 2));
      }
      accepted += 5;
    }
    await waitFor(() => ch.health().spool!.events === 200, 'all 200 in the spool');
    const h = ch.health();
    assert.equal(h.ok, false);
    assert.ok(h.degraded.includes('delivery_failing'));
    assert.ok(h.memoryEvents <= 20, `memory holds at most the bound (${h.memoryEvents})`);
    await ch.close();
    assert.equal(ch.health().dropped.shutdown, 0);

    // the next process: the sink is back
    const sink2 = new SwitchSink();
    const ch2 = new SinkChannel(sink2, channelConfig(path));
    await waitFor(() => sink2.values().length === 200, 'the spooled events delivered');
    await ch2.idle();
    assert.deepEqual(sink2.values(), [...Array(200).keys()], 'once each, in order');
    assert.equal(new Set(sink2.got.map((b) => b.id)).size, sink2.got.length, 'batch IDs unique');
    assert.equal(ch2.health().ok, true);
    assert.equal(ch2.health().spool!.records, 0);
    await ch2.close();
    assert.equal(statSync(path).size, 0, 'a drained spool is truncated');
    console.log(`spool outage: accepted ${accepted} (${refusals} offers refused and retried), delivered ${sink2.values().length} after restart, duplicates 0`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('channel with a spool that cannot be written: events stay in memory within the bound and are delivered', async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const sink = new SwitchSink();
    const ch = new SinkChannel(sink, channelConfig(join(dir, 'not-a-dir', 'x.spool')));
    await waitFor(() => ch.health().degraded.includes('spool_failing'), 'the spool to fail');
    sink.down = true;
    const results = [];
    for (let i = 0; i < 30; i += 5) results.push(ch.offer([0, 1, 2, 3, 4].map((k) => event(i + k))).ok);
    assert.deepEqual(results, [true, true, true, true, false, false], 'memory bound of 20 events');
    sink.down = false;
    ch.expedite();
    await waitFor(() => sink.values().length === 20, 'delivery from memory');
    assert.deepEqual(sink.values(), [...Array(20).keys()]);
    await ch.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSONL sink: a batch ID already written is not written again, also by a new instance; a torn last line is removed', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'events.jsonl');
    const a = new JsonlFileSink(path);
    const signal = new AbortController().signal;
    await a.send([event(1), event(2)], signal, { batchId: 'b-1' });
    await a.send([event(1), event(2)], signal, { batchId: 'b-1' });
    appendFileSync(path, '{"eventName":"torn","va');
    const b = new JsonlFileSink(path);
    await b.send([event(1), event(2)], signal, { batchId: 'b-1' });
    await b.send([event(3)], signal, { batchId: 'b-2' });
    assert.equal(b.repairedBytes, '{"eventName":"torn","va'.length);
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const parsed = lines.map((l) => JSON.parse(l) as { value: number; batchID: string });
    assert.deepEqual(parsed.map((e) => [e.value, e.batchID]), [[1, 'b-1'], [2, 'b-1'], [3, 'b-2']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('logger with a spool: shutdown with the sink down keeps every accepted event for the next start', async () => {
  const dir = tempDir();
  try {
    const base = {
      batchSize: 10,
      flushIntervalMs: 60_000,
      maxQueuedEvents: 50,
      maxQueuedBytes: 1024 * 1024,
      spool: { dir, maxBytes: 1024 * 1024 },
      retryBackoffMs: 2,
      retryMaxBackoffMs: 10,
      dedupeMaxKeys: 100,
      dedupeWindowMs: 60_000,
      disabled: false,
      logger: silentLogger,
    };
    const down = new SwitchSink();
    down.down = true;
    const l1 = new EventLogger({ ...base, sinks: [down] });
    for (let i = 0; i < 45; i++) assert.equal(l1.log(event(i)), true);
    const r = await l1.shutdown(100);
    assert.equal(r.complete, false);
    assert.equal(l1.counters().sinks[0]!.dropped.shutdown, 0);
    assert.equal(l1.counters().sinks[0]!.spool!.events, 45);
    const up = new SwitchSink();
    const l2 = new EventLogger({ ...base, sinks: [up] });
    await waitFor(() => up.values().length === 45, 'delivered on the next start');
    assert.deepEqual((await l2.flush(1_000)).complete, true);
    assert.deepEqual(up.values(), [...Array(45).keys()]);
    await l2.shutdown(1_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
