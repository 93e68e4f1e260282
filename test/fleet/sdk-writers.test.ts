/**
 * A fleet without a proxy: several Statsig instances, each with a writer-role RedisDataStore, talking to
 * the upstream directly. The store's lease decides which one polls upstream and writes; the others
 * follow the shared copy (pushed on the channel). When the writer shuts down, another takes over.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Statsig } from '../../server/statsig';
import { RedisDataStore } from '../../server/fleet/redis-data-store';
import { dataStoreKey } from '../../server/fleet/keys';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { sleep, waitFor } from './support/wait';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `flsdk:${randomUUID().slice(0, 8)}:`;
const KEY = dataStoreKey(FIXTURE_SECRET, '/v1/download_config_specs');
const user = { userID: 'u1' };

describe('SDK instances sharing a writer-role RedisDataStore (no proxy)', () => {
  const up = new FakeUpstream();
  const members: { statsig: Statsig; store: RedisDataStore }[] = [];

  before(async () => {
    await up.start();
    for (let i = 0; i < 3; i++) {
      // a lease long enough that a stalled event loop (three instances share this process) cannot let it
      // expire mid-test: a second poller would then be a legitimate hand-over, not the fault this tests.
      // The hand-over below is by release at shutdown, which does not wait for the TTL
      const store = new RedisDataStore({ url: REDIS_URL, keyPrefix: prefix, leaseTtlMs: 6000, safetyPollMs: 500 });
      const statsig = new Statsig(FIXTURE_SECRET, {
        apiForDownloadConfigSpecs: up.url,
        api: up.url,
        dataStore: store,
        rulesetsSyncIntervalMs: 100,
        disableAllLogging: true,
        logger: { warn() {}, error() {} },
      });
      await statsig.initialize();
      members.push({ statsig, store });
    }
  });

  after(async () => {
    await Promise.all(members.map((m) => m.statsig.shutdown(1000)));
    await up.close();
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  const lcutOf = (m: { statsig: Statsig }) => m.statsig.getFeatureGateWithExposureLoggingDisabled(user, 'public_gate').details.lcut;

  test('exactly one instance writes and polls upstream; a change reaches all of them', async () => {
    await waitFor('one writer', () => members.filter((m) => m.store.isLeader(KEY)).length === 1, 5000);
    await sleep(300);
    const before = new Map(up.dcsBySession);
    await sleep(1000);
    const pollers = [...up.dcsBySession].filter(([s, n]) => n > (before.get(s) ?? 0));
    assert.equal(pollers.length, 1, `upstream polled by ${pollers.length} instances`);
    assert.equal(members.filter((m) => m.store.isLeader(KEY)).length, 1);

    const lcut = up.bump();
    await waitFor('all instances on the new lcut', () => members.every((m) => lcutOf(m) === lcut), 5000, 5);
  });

  test('the writer shuts down → another instance takes over and changes keep flowing', async () => {
    const i = members.findIndex((m) => m.store.isLeader(KEY));
    const [old] = members.splice(i, 1);
    await old!.statsig.shutdown(1000);
    await waitFor('a new writer', () => members.some((m) => m.store.isLeader(KEY)), 10_000, 5);
    const lcut = up.bump();
    await waitFor('remaining instances on the new lcut', () => members.every((m) => lcutOf(m) === lcut), 5000, 5);
  });
});
