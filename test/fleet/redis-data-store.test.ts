/**
 * RedisDataStore against a real Redis: key scheme (no secret in Redis), one writer per key, the
 * compare-and-set on lcut, announcements, the safety poll, lease hand-over and expiry, and an outage of
 * a private redis-server (last good value served, degraded health, recovery without a restart).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisDataStore } from '../../server/fleet/redis-data-store';
import { dataStoreKey, leaseKeyOf } from '../../server/fleet/keys';
import { PrivateRedis } from './support/private-redis';
import { waitFor } from './support/wait';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'secret-fleet-store-key-0123456789';
const KEY = dataStoreKey(SECRET, '/v1/download_config_specs');

const stores: RedisDataStore[] = [];
const admin = new Redis(REDIS_URL, { lazyConnect: true });
const prefixes: string[] = [];

function prefix(): string {
  const p = `fltest:${randomUUID().slice(0, 8)}:`;
  prefixes.push(p);
  return p;
}

async function store(opts: ConstructorParameters<typeof RedisDataStore>[0] = {}): Promise<RedisDataStore> {
  const s = new RedisDataStore({ url: REDIS_URL, leaseTtlMs: 1000, safetyPollMs: 200, ...opts });
  stores.push(s);
  await s.initialize();
  return s;
}

after(async () => {
  await Promise.all(stores.map((s) => s.shutdown()));
  await admin.connect().catch(() => {});
  for (const p of prefixes) {
    const keys = await admin.keys(`${p}*`);
    if (keys.length) await admin.del(...keys);
  }
  admin.disconnect();
});

describe('RedisDataStore', () => {
  test('uses Statsig key scheme; neither the secret nor a prefix of it reaches Redis', async () => {
    assert.match(KEY, /^statsig\|\/v1\/download_config_specs\|plain_text\|[A-Za-z0-9+/]{43}=$/);
    const p = prefix();
    const a = await store({ keyPrefix: p });
    assert.equal(await a.write(KEY, '{"v":1}', 10), 'written');
    await admin.connect().catch(() => {});
    const keys = await admin.keys(`${p}*`);
    assert.ok(keys.length >= 2, `expected data + lease keys, got ${keys}`);
    for (const k of keys) {
      assert.ok(!k.includes(SECRET.slice(0, 6)), `key ${k} leaks a prefix of the secret`);
      const type = await admin.type(k);
      const values = type === 'hash' ? Object.values(await admin.hgetall(k)) : [await admin.get(k)];
      for (const v of values) assert.ok(!String(v).includes(SECRET.slice(0, 6)), `value under ${k} leaks the secret`);
    }
  });

  test('one writer per key; the other instance reads the shared copy', async () => {
    const p = prefix();
    const a = await store({ keyPrefix: p });
    const b = await store({ keyPrefix: p });
    assert.equal(await a.contend(KEY), true);
    assert.equal(await b.contend(KEY), false);
    assert.equal(a.supportsPollingUpdatesFor('/v1/download_config_specs'), false);
    assert.equal(b.supportsPollingUpdatesFor('/v1/download_config_specs'), true);
    assert.equal(await b.write(KEY, '{"from":"b"}', 5), 'not-leader');
    assert.equal(await a.write(KEY, '{"from":"a"}', 5), 'written');
    assert.deepEqual(await b.get(KEY), { result: '{"from":"a"}', time: 5 });
    const reader = await store({ keyPrefix: p, role: 'reader' });
    assert.equal(await reader.write(KEY, 'x', 99), 'not-writer');
    assert.equal(reader.supportsPollingUpdatesFor('/v1/download_config_specs'), true);
  });

  test('compare-and-set: an older or equal lcut never replaces a newer one', async () => {
    const p = prefix();
    const a = await store({ keyPrefix: p });
    assert.equal(await a.write(KEY, 'v10', 10), 'written');
    assert.equal(await a.write(KEY, 'v5', 5), 'stale');
    assert.equal(await a.write(KEY, 'v10b', 10), 'stale');
    assert.deepEqual(await a.get(KEY), { result: 'v10', time: 10 });
    assert.equal(await a.write(KEY, 'v11', 11), 'written');
    assert.deepEqual(await a.get(KEY), { result: 'v11', time: 11 });
  });

  test('a writer that lost its lease cannot write, even before it notices', async () => {
    const p = prefix();
    const a = await store({ keyPrefix: p, leaseTtlMs: 60_000 });
    const b = await store({ keyPrefix: p, leaseTtlMs: 60_000 });
    assert.equal(await a.contend(KEY), true);
    assert.equal(await a.write(KEY, 'a1', 1), 'written');
    // the lease moves to b behind a's back (as after a long pause of a)
    await admin.connect().catch(() => {});
    await admin.del(leaseKeyOf(p, KEY));
    assert.equal(await b.contend(KEY), true);
    assert.equal(a.isLeader(KEY), true, 'a has not noticed yet');
    assert.equal(await a.write(KEY, 'a2', 2), 'not-leader');
    assert.equal(a.isLeader(KEY), false, 'a stops writing');
    assert.equal(await b.write(KEY, 'b2', 2), 'written');
    assert.deepEqual(await a.get(KEY), { result: 'b2', time: 2 });
  });

  test('subscribers hear each newer lcut once; the safety poll covers a missed announcement', async () => {
    const p = prefix();
    const w = await store({ keyPrefix: p });
    const r = await store({ keyPrefix: p, role: 'reader', safetyPollMs: 100 });
    const heard: number[] = [];
    const unsubscribe = r.subscribe(KEY, (lcut) => heard.push(lcut));
    await waitFor('subscription', () => r.health().connected);
    await new Promise((res) => setTimeout(res, 50));
    await w.write(KEY, 'x1', 100);
    await w.write(KEY, 'x0', 50); // stale: not announced
    await w.write(KEY, 'x2', 200);
    await waitFor('both announcements', () => heard.includes(200));
    // the safety poll (every 100 ms here) repeats an lcut until this reader has read it, by design, so
    // under load 200 can be heard again before the check: the invariant is the order of distinct lcuts
    // and that the stale write is never heard
    assert.deepEqual([...new Set(heard)], [100, 200]);
    // a value written without an announcement (as if the message was lost) is found by the safety poll
    await admin.connect().catch(() => {});
    await admin.hset(p + KEY, 'result', 'x3', 'time', '300');
    await waitFor('safety poll', () => heard.includes(300), 5000);
    assert.ok(r.health().counters.safetyPollHits! >= 1);
    unsubscribe();
  });

  test('lease hand-over: released at shutdown → taken at once; holder gone → taken only once its lease key expired', async () => {
    await admin.connect().catch(() => {});
    const p = prefix();
    const leaseKey = leaseKeyOf(p, KEY);
    // a long TTL: the lease key cannot expire during this part, so b can only get it by a's release
    const a = await store({ keyPrefix: p, leaseTtlMs: 120_000 });
    const b = await store({ keyPrefix: p, leaseTtlMs: 120_000 });
    assert.equal(await a.contend(KEY), true);
    assert.equal(await b.contend(KEY), false);
    const aToken = await admin.get(leaseKey);
    assert.ok(aToken !== null && (await admin.pttl(leaseKey)) > 60_000);
    await a.shutdown();
    assert.notEqual(await admin.get(leaseKey), aToken, 'shutdown hands the lease back');
    await waitFor('b takes the released lease', () => b.isLeader(KEY), 5000, 5);
    const bToken = await admin.get(leaseKey);
    assert.ok(bToken !== null && bToken !== aToken);

    // c joins with a short TTL; b vanishes without releasing (simulated crash: connections cut, timers stopped)
    const c = await store({ keyPrefix: p, leaseTtlMs: 800 });
    assert.equal(await c.contend(KEY), false);
    (b as unknown as { closed: boolean }).closed = true;
    (b as unknown as { client: Redis }).client.disconnect(false);
    (b as unknown as { sub: Redis }).sub.disconnect(false);
    // b's lease key carries b's 120 s TTL; expire it by hand as Redis would, after c has been seen waiting
    const events: string[] = [];
    for (let i = 0; i < 20; i++) {
      // leadership first, then the key: once c is leader its acquire has already replaced b's token
      const leader = c.isLeader(KEY);
      const holder = await admin.get(leaseKey);
      if (leader) assert.notEqual(holder, bToken, 'c leads while b still holds the lease');
      events.push(leader ? 'c-leader' : holder === bToken ? 'b-holds' : 'free');
      await new Promise((res) => setTimeout(res, 25));
    }
    assert.ok(events.every((e) => e === 'b-holds'), `c must wait for b's lease: ${events.join(',')}`);
    await admin.pexpire(leaseKey, 1);
    await waitFor('c takes the expired lease', () => c.isLeader(KEY), 5000, 5);
    assert.notEqual(await admin.get(leaseKey), bToken);
  });

  test('Redis outage: last good value served, degraded health, recovery without restart', async () => {
    const redis = new PrivateRedis();
    await redis.start();
    try {
      const w = await store({ url: redis.url, leaseTtlMs: 600, safetyPollMs: 200 });
      const r = await store({ url: redis.url, role: 'reader', safetyPollMs: 200 });
      const heard: number[] = [];
      r.subscribe(KEY, (l) => heard.push(l));
      await waitFor('connected', () => w.health().connected && r.health().connected);
      assert.equal(await w.write(KEY, 'good-1', 1), 'written');
      assert.deepEqual(await r.get(KEY), { result: 'good-1', time: 1 });

      await redis.stop();
      await waitFor('degraded', () => r.health().degraded && w.health().degraded);
      assert.deepEqual(await r.get(KEY), { result: 'good-1', time: 1 }, 'the last good value, never nothing');
      assert.equal(await w.write(KEY, 'good-2', 2), 'unavailable');

      await redis.start(); // empty: nothing persisted
      await waitFor('reconnected', () => r.health().connected && w.health().connected, 10_000);
      // the writer restores its newest value into the empty Redis; the reader hears about it (by the
      // announcement, or by the safety poll when its subscriber came back after the restore). Heard first,
      // read after: a read of the restored value counts as seen, and the poll does not announce what this
      // reader has already read
      await waitFor('restored + announced', () => heard.includes(2), 10_000);
      assert.deepEqual(await r.get(KEY), { result: 'good-2', time: 2 });
      assert.ok(r.health().reconnects >= 1 && w.health().reconnects >= 1);
      assert.equal(await w.write(KEY, 'good-3', 3), 'written');
      await waitFor('announcement after recovery', () => heard.includes(3));
    } finally {
      await redis.dispose();
    }
  });
});
