// Serverless: `after(flushAfter(statsig))` with a sink that does not answer before the invocation ends.
// What it could not deliver is in the spool when flushAfter resolves (the process may be frozen or
// killed right after), and the next invocation's instance delivers it: every event once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Statsig } from '../../server/statsig';
import { flushAfter } from '../../server/events/flush-after';
import { FileSpool } from '../../server/events/spool';
import { silentLogger } from '../../server/logger';
import type { EventSink } from '../../server/events/event-sink';
import type { StatsigEvent } from '../../server/events/event';
import { FIXTURES } from './support/fake-statsig';
import { waitFor } from './support/wait';

class Sink implements EventSink {
  readonly name = 'upstream';
  readonly got: StatsigEvent[] = [];
  constructor(readonly hang: boolean) {}
  send(batch: readonly StatsigEvent[], signal: AbortSignal): Promise<void> {
    if (!this.hang) {
      this.got.push(...batch);
      return Promise.resolve();
    }
    // never answers within the invocation; gives up only when the channel closes
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
  }
}

function instance(dir: string, sink: Sink): Statsig {
  return new Statsig('secret-x', {
    localMode: true,
    specsFile: join(FIXTURES, 'example-dcs.json'),
    eventSinks: [sink],
    eventSpoolDir: dir,
    eventQueueSize: 100,
    flushIntervalMs: 60_000,
    logEventRetryBackoffMs: 5,
    logEventRetryMaxBackoffMs: 20,
    logger: silentLogger,
  });
}

test('flushAfter: what the sink did not take in time is in the spool when it resolves; the next invocation delivers it once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-after-'));
  const first = instance(dir, new Sink(true));
  try {
    await first.initialize();
    // 1,000 is what memory holds before the spool writer has run (retryQueueSize × eventQueueSize)
    const total = 1_000;
    for (let i = 0; i < total; i++) first.logEvent({ userID: `u${i % 10}` }, 'purchase', i);
    assert.equal(first.health().counters.events.logged, total, 'all accepted');
    await flushAfter(first, 0)(); // the flush deadline passes at once: the rest must be made durable
    // read the spool as the next invocation would find it, while this one is still "frozen"
    const spool = new FileSpool(join(dir, 'upstream.spool'), 0);
    await spool.open();
    const onDisk = spool.stats().events;
    await spool.close();
    console.log(`flushAfter with a sink that does not answer: ${total} logged, ${onDisk} in the spool when flushAfter resolved`);
    assert.equal(onDisk, total, 'every undelivered event is on disk');

    const sink = new Sink(false);
    const next = instance(dir, sink);
    try {
      await next.initialize();
      await waitFor(() => sink.got.length >= total, 'the next invocation to deliver the spool');
      const values = sink.got.map((e) => e.value as number);
      assert.equal(values.length, total, '0 duplicated');
      assert.deepEqual(values, Array.from({ length: total }, (_, i) => i), 'in order, 0 lost');
    } finally {
      await next.shutdown(2_000);
    }
  } finally {
    await first.shutdown(100);
    rmSync(dir, { recursive: true, force: true });
  }
});
