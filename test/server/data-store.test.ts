// Sharing specs through a data store: the writer stores what it fetched, a follower starts from the store
// while the CDN is down and hears about newer specs. In memory, then against real Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import { MemoryDataStore } from '../../server/store/memory-data-store';
import { dataStoreKey, type DataStore } from '../../server/store/data-store';
import { RedisDataStore } from '../../server/fleet/redis-data-store';
import type { StatsigOptions } from '../../server/options';
import { EXAMPLE_TIME, FakeStatsig, SECRET, nextDcs } from './support/fake-statsig';
import { waitFor } from './support/wait';

const u1 = { userID: 'user-1' };
const KEY = dataStoreKey(SECRET, '/v1/download_config_specs');

function opts(fake: FakeStatsig, dataStore: DataStore, extra: StatsigOptions = {}): StatsigOptions {
  return {
    api: fake.api,
    apiForDownloadConfigSpecs: fake.api,
    dataStore,
    rulesetsSyncIntervalMs: 600_000,
    idListsSyncIntervalMs: 600_000,
    eventSinks: [],
    http: { maxRetries: 0 },
    logger: silentLogger,
    ...extra,
  };
}

/** The same store seen by a follower: it says "poll me" and shares data and pushes. */
function follow(store: MemoryDataStore): DataStore {
  return {
    initialize: () => store.initialize(),
    get: (k) => store.get(k),
    set: (k, v, t) => store.set(k, v, t),
    shutdown: async () => {},
    supportsPollingUpdatesFor: () => true,
    subscribe: (k, cb) => store.subscribe(k, cb),
  };
}

test('the key never contains the secret', () => {
  assert.match(KEY, /^statsig\|\/v1\/download_config_specs\|plain_text\|[A-Za-z0-9+/]+=*$/);
  assert.ok(!KEY.includes(SECRET));
});

test('in memory: the writer stores good specs; a follower starts from the store with the CDN down and follows pushes', async () => {
  const cdn = await new FakeStatsig().start();
  const down = await new FakeStatsig().start();
  down.dcsFault = { kind: 'status', status: 503 };
  const store = new MemoryDataStore();
  const writer = new Statsig(SECRET, opts(cdn, store));
  const follower = new Statsig(SECRET, opts(down, follow(store)));
  try {
    await writer.initialize();
    assert.equal((await store.get(KEY))?.time, EXAMPLE_TIME);

    const init = await follower.initialize();
    assert.equal(init.success, true);
    assert.equal(init.source, 'dataStore');
    assert.equal(follower.getFeatureGate(u1, 'public_gate').details.reason, 'DataAdapter');
    assert.equal(follower.checkGate(u1, 'public_gate'), true);
    assert.equal(down.dcsRequests().length, 0, 'the follower did not need the CDN');

    cdn.dcs = nextDcs(EXAMPLE_TIME + 5, false);
    await writer.syncNow();
    await waitFor(() => follower.health().lcut === EXAMPLE_TIME + 5, 'the push to reach the follower');
    assert.equal(follower.checkGate(u1, 'public_gate'), false);

    // a bad payload never reaches the store
    cdn.dcsFault = { kind: 'invalid' };
    await writer.syncNow();
    assert.equal((await store.get(KEY))?.time, EXAMPLE_TIME + 5);
  } finally {
    await follower.shutdown(500);
    await writer.shutdown(500);
    await cdn.close();
    await down.close();
  }
});

test('a store holding a payload for another key or garbage is refused like any other source', async () => {
  const down = await new FakeStatsig().start();
  down.dcsFault = { kind: 'status', status: 500 };
  const store = new MemoryDataStore({ pollForUpdates: true });
  const other = JSON.parse(nextDcs(EXAMPLE_TIME + 1));
  other.hashed_sdk_key_used = '999';
  await store.set(KEY, JSON.stringify(other), EXAMPLE_TIME + 1);
  const statsig = new Statsig(SECRET, opts(down, store));
  try {
    const init = await statsig.initialize();
    assert.equal(init.success, false);
    assert.equal(statsig.health().counters.specs.sources.dataStore!.rejected, 1);
    assert.equal(statsig.checkGate(u1, 'public_gate'), false);
  } finally {
    await statsig.shutdown(500);
    await down.close();
  }
});

const redisUrl = process.env.REDIS_URL;

test('real Redis: a follower starts from the store while the CDN is down', { skip: !redisUrl && 'REDIS_URL is not set' }, async () => {
  const keyPrefix = `fl-test-${randomUUID()}:`;
  const cdn = await new FakeStatsig().start();
  const down = await new FakeStatsig().start();
  down.dcsFault = { kind: 'status', status: 503 };
  const writerStore = new RedisDataStore({ url: redisUrl, keyPrefix, logger: silentLogger });
  const readerStore = new RedisDataStore({ url: redisUrl, keyPrefix, role: 'reader', logger: silentLogger });
  const writer = new Statsig(SECRET, opts(cdn, writerStore));
  const follower = new Statsig(SECRET, opts(down, readerStore));
  try {
    await writer.initialize();
    await waitFor(async () => (await writerStore.get(KEY))?.time === EXAMPLE_TIME, 'the writer to store the specs');
    const init = await follower.initialize();
    assert.equal(init.source, 'dataStore');
    assert.equal(follower.checkGate(u1, 'public_gate'), true);
    assert.equal(down.dcsRequests().length, 0);

    cdn.dcs = nextDcs(EXAMPLE_TIME + 7, false);
    await writer.syncNow();
    await waitFor(() => follower.health().lcut === EXAMPLE_TIME + 7, 'the Redis announcement to reach the follower');
    assert.equal(follower.checkGate(u1, 'public_gate'), false);
  } finally {
    await follower.shutdown(500);
    await writer.shutdown(500);
    await cdn.close();
    await down.close();
    const r = new Redis(redisUrl!);
    const keys = await r.keys(`${keyPrefix}*`);
    if (keys.length) await r.del(...keys);
    await r.quit();
  }
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitFor(() => canConnect(port), `redis-server on ${port}`);
  return child;
}

async function stopRedis(child: ChildProcess, port: number): Promise<void> {
  child.kill('SIGKILL');
  await waitFor(async () => !(await canConnect(port)), 'redis-server to stop');
}

const hasRedisServer = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

test('Redis outage: the follower keeps its specs (never zero flags) and catches up after Redis returns', { skip: !hasRedisServer && 'no redis-server binary' }, async () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'fl-redis-'));
  let redis = await startRedis(port, dir);
  const url = `redis://127.0.0.1:${port}`;
  const cdn = await new FakeStatsig().start();
  const down = await new FakeStatsig().start();
  down.dcsFault = { kind: 'status', status: 503 };
  const writer = new Statsig(SECRET, opts(cdn, new RedisDataStore({ url, logger: silentLogger, safetyPollMs: 200 })));
  const follower = new Statsig(
    SECRET,
    opts(down, new RedisDataStore({ url, role: 'reader', logger: silentLogger, safetyPollMs: 200 }), { rulesetsSyncIntervalMs: 100 }),
  );
  try {
    await writer.initialize();
    await follower.initialize();
    assert.equal(follower.checkGate(u1, 'public_gate'), true);

    await stopRedis(redis, port);
    // a few sync rounds against a dead Redis and a dead CDN
    const rounds = follower.health().counters.specs.rounds;
    await waitFor(() => follower.health().counters.specs.rounds >= rounds + 3, 'three sync rounds during the outage');
    assert.equal(follower.checkGate(u1, 'public_gate'), true, 'no zero flags during the outage');
    assert.equal(follower.health().lcut, EXAMPLE_TIME);

    redis = await startRedis(port, dir);
    cdn.dcs = nextDcs(EXAMPLE_TIME + 9, false);
    await waitFor(async () => {
      await writer.syncNow();
      return follower.health().lcut === EXAMPLE_TIME + 9;
    }, 'the follower to catch up after Redis returned', 20_000);
    assert.equal(follower.checkGate(u1, 'public_gate'), false);
  } finally {
    await follower.shutdown(500);
    await writer.shutdown(500);
    await cdn.close();
    await down.close();
    redis.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
