// Through the facade: exposures and custom events to a Statsig log_event endpoint that fails for a while.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import { FIXTURES, FakeStatsig, SECRET } from './support/fake-statsig';
import { waitFor } from './support/wait';

test('log_event down for a while: every event arrives exactly once after recovery; shutdown sent == logged', async () => {
  const fake = await new FakeStatsig().start();
  fake.dcsFault = { kind: 'status', status: 500 }; // specs come from the file in this test
  const statsig = new Statsig(SECRET, {
    api: fake.api,
    apiForDownloadConfigSpecs: fake.api,
    specsFile: join(FIXTURES, 'example-dcs.json'),
    initializeSources: ['file'],
    configSyncSources: [],
    idListsSyncIntervalMs: 600_000,
    eventQueueSize: 25,
    retryQueueSize: 20,
    flushIntervalMs: 20,
    logEventRetryLimit: 1_000,
    logEventRetryBackoffMs: 5,
    logEventRetryMaxBackoffMs: 40,
    logger: silentLogger,
  });
  try {
    await statsig.initialize();
    fake.logEventStatus = 503;
    for (let i = 0; i < 200; i++) {
      const user = { userID: `user-${i}`, privateAttributes: { ssn: `secret-${i}` } };
      statsig.checkGate(user, 'public_gate');
      statsig.logEvent(user, 'purchase', i);
    }
    await waitFor(() => statsig.health().counters.events.sinks[0]!.failedAttempts >= 10, 'ten failed deliveries');
    assert.equal(fake.events.length, 0);
    fake.logEventStatus = 202;
    const result = await statsig.shutdown(10_000);
    assert.deepEqual(result, { complete: true, pending: 0 });
    const h = statsig.health().counters.events;
    const sink = h.sinks[0]!;
    assert.equal(h.logged, 400);
    assert.equal(sink.sent, h.logged);
    assert.equal(fake.events.length, 400);
    const keys = fake.events.map((e) => `${e.eventName}|${(e.user as { userID: string }).userID}`);
    assert.equal(new Set(keys).size, 400, 'exactly once');
    assert.ok(!JSON.stringify(fake.events).includes('secret-'), 'private attributes never sent');
    console.log(
      `facade outage: logged ${h.logged}, sent ${sink.sent}, failed attempts ${sink.failedAttempts}, dropped ${JSON.stringify(sink.dropped)}, log_event requests ${fake.logEventRequests}`,
    );
  } finally {
    await fake.close();
  }
});
