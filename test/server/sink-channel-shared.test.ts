// The delivery channel as the forward proxy uses it: many channels within one memory bound, items that
// are pre-serialized strings, batches bounded in count and bytes, a linger before a batch that is not
// full goes out, and the receiver's Retry-After obeyed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError, type EventSink } from '../../server/events/event-sink';
import { MemoryBudget, SinkChannel, type SinkChannelConfig } from '../../server/events/sink-channel';
import { silentLogger } from '../../server/logger';
import { waitFor } from './support/wait';

/** Records every batch; while `held` is set, sends wait for it (a receiver that is slow to answer). */
class RecordingSink implements EventSink<string> {
  readonly name = 'recording';
  readonly batches: string[][] = [];
  readonly attemptsAt: number[] = [];
  held: Promise<void> | null = null;
  failures: DeliveryError[] = [];
  async send(batch: readonly string[]): Promise<void> {
    this.attemptsAt.push(Date.now());
    if (this.held) await this.held;
    const f = this.failures.shift();
    if (f) throw f;
    this.batches.push([...batch]);
  }
}

function config(bounds: SinkChannelConfig<string>['bounds'], extra: Partial<SinkChannelConfig<string>> = {}): SinkChannelConfig<string> {
  return { bounds, maxBatchSize: 10, measure: (t) => Buffer.byteLength(t), backoff: { baseMs: 1, capMs: 5 }, logger: silentLogger, ...extra };
}

/** The channel's retry and linger timers do not hold the process open (a background loop must not); the test does. */
function holdOpen(t: { after(fn: () => void): void }): void {
  const timer = setInterval(() => {}, 1_000);
  t.after(() => clearInterval(timer));
}

const items = (prefix: string, n: number, size = 10) => Array.from({ length: n }, (_, i) => `${prefix}${i}`.padEnd(size, '.'));

test('channels sharing a MemoryBudget: one channel holding the bound makes the other refuse; all is given back on delivery', async () => {
  const budget = new MemoryBudget({ maxEvents: 25, maxBytes: 1_000_000 });
  const sinkA = new RecordingSink();
  const sinkB = new RecordingSink();
  let release!: () => void;
  sinkA.held = new Promise((r) => (release = r));
  const a = new SinkChannel(sinkA, config(budget));
  const b = new SinkChannel(sinkB, config(budget));
  assert.equal(a.offer(items('a', 20)).ok, true);
  const refused = b.offer(items('b', 10));
  assert.equal(refused.ok, false, 'the budget has 5 events left, the offer asks 10');
  assert.equal(!refused.ok && refused.reason, 'full');
  assert.equal(b.counters.refused.full, 10);
  assert.equal(b.offer(items('b', 5)).ok, true, 'what fits is taken');
  assert.equal(budget.events, 25);
  release();
  sinkA.held = null;
  await Promise.all([a.idle(), b.idle()]);
  assert.deepEqual(sinkA.batches.flat(), items('a', 20));
  assert.deepEqual(sinkB.batches.flat(), items('b', 5));
  assert.equal(budget.events, 0);
  assert.equal(budget.bytes, 0);
  assert.equal(b.offer(items('b', 10)).ok, true, 'room again once delivered');
  await b.idle();
  await Promise.all([a.close(), b.close()]);
});

test('batches bounded by count and bytes (an item over the byte bound goes alone); a batch that is not full waits out its linger or expedite()', async () => {
  const sink = new RecordingSink();
  // 100-byte items: 4 fit in 450 bytes (4·100 + 4), a 500-byte item is larger than a batch may be
  const ch = new SinkChannel(sink, config({ maxEvents: 1000, maxBytes: 1_000_000 }, { maxBatchSize: 10, maxBatchBytes: 450, lingerMs: 3_600_000 }));
  const small = items('s', 9, 100);
  const big = 'B'.repeat(500);
  const all = [...small.slice(0, 5), big, ...small.slice(5)];
  assert.equal(ch.offer(all).ok, true);
  // the full batches go out at once; the last one (not full) waits for its hour-long linger
  await waitFor(() => sink.batches.length === 3, 'the full batches');
  assert.deepEqual(sink.batches.map((b) => b.length), [4, 1, 1]);
  assert.equal(sink.batches[2]![0], big);
  assert.equal(ch.health().queuedEvents, 4, 'the open batch waits');
  // more items top the open batch up to its byte bound; the item that does not fit starts a new batch
  assert.equal(ch.offer(items('t', 1, 40)).ok, true);
  assert.equal(ch.health().queuedEvents, 5);
  ch.expedite();
  await ch.idle();
  assert.deepEqual(sink.batches.flat(), [...all, ...items('t', 1, 40)], 'every item once, in order');
  for (const b of sink.batches) {
    const bytes = b.reduce((n, t) => n + Buffer.byteLength(t) + 1, 0);
    assert.ok(b.length === 1 || bytes <= 450, `a batch of ${b.length} items is ${bytes} bytes`);
  }
  await ch.close();
});

test("the receiver's Retry-After is waited out even when the backoff is shorter; a non-retryable refusal drops only its batch", async (t) => {
  holdOpen(t);
  const sink = new RecordingSink();
  sink.failures = [new DeliveryError('upstream answered 503', true, { retryAfterMs: 300 })];
  const ch = new SinkChannel(sink, config({ maxEvents: 1000, maxBytes: 1_000_000 }));
  assert.equal(ch.offer(items('r', 3)).ok, true);
  await ch.idle();
  assert.equal(sink.attemptsAt.length, 2);
  const gap = sink.attemptsAt[1]! - sink.attemptsAt[0]!;
  assert.ok(gap >= 290, `retried after ${gap} ms, Retry-After said 300 (the backoff at most 5)`);
  assert.deepEqual(sink.batches, [items('r', 3)]);

  sink.failures = [new DeliveryError('upstream answered 400', false)];
  assert.equal(ch.offer(items('x', 2)).ok, true);
  await ch.idle();
  assert.equal(ch.counters.dropped.rejected, 2);
  assert.equal(ch.offer(items('y', 2)).ok, true);
  await ch.idle();
  assert.deepEqual(sink.batches.at(-1), items('y', 2));
  assert.equal(ch.health().memoryEvents, 0);
  await ch.close();
});

test('close() aborts the send in flight and counts what was still held as dropped for shutdown, its budget given back', async (t) => {
  holdOpen(t);
  const budget = new MemoryBudget({ maxEvents: 100, maxBytes: 1_000_000 });
  let inFlight = 0;
  const sink: EventSink<string> = {
    name: 'hanging',
    // a receiver that never answers; the send ends only when the channel aborts it
    send: (_batch, signal) =>
      new Promise((_resolve, reject) => {
        inFlight++;
        signal.addEventListener('abort', () => reject(new DeliveryError('aborted', true)), { once: true });
      }),
  };
  const ch = new SinkChannel(sink, config(budget, { lingerMs: 3_600_000 }));
  assert.equal(ch.offer(items('h', 12)).ok, true); // a full batch of 10 in flight, 2 lingering
  await waitFor(() => inFlight === 1, 'the first batch in flight');
  assert.equal(budget.events, 12);
  await ch.close();
  assert.equal(ch.counters.dropped.shutdown, 12);
  assert.equal(budget.events, 0);
  assert.equal(budget.bytes, 0);
  assert.equal(ch.offer(items('late', 1)).ok, false, 'a closed channel refuses');
  assert.equal(ch.counters.refused.closed, 1);
});
