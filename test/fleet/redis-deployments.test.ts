/**
 * RedisDataStore on the deployments users run, each started by this test on loopback (free ports drawn at random):
 * a Redis Cluster of 3 masters + 3 replicas, a Sentinel-watched master with a replica, and a TLS-only
 * server (certificates made with openssl). Also the URL forms and their refusals, without any server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Cluster } from 'ioredis';
import { InvalidOptionError, SourceUnavailableError } from '../../lib/errors';
import { RedisStreamSink } from '../../server/events/sinks/redis-stream-sink';
import { authKeyOf, checkKeyPrefix, dataStoreKey, hashTagOf, leaseKeyOf, slotOf } from '../../server/fleet/keys';
import { parseRedisUrl, redactRedisUrl } from '../../server/fleet/redis-connection';
import { RedisDataStore } from '../../server/fleet/redis-data-store';
import { resolveProxyOptions } from '../../server/proxy/options';
import { makePki, type TestPki } from './support/certs';
import { RedisClusterDeployment, RedisSentinelDeployment, RedisTlsServer, redisCli } from './support/redis-cluster';
import { waitFor } from './support/wait';

const KEY = dataStoreKey('secret-deployments-0123456789', '/v1/download_config_specs');
const quiet = { warn() {} };
const stores: RedisDataStore[] = [];

async function open(opts: ConstructorParameters<typeof RedisDataStore>[0]): Promise<RedisDataStore> {
  const s = new RedisDataStore({ leaseTtlMs: 1000, safetyPollMs: 300, logger: quiet, requireConnection: true, connectTimeoutMs: 5000, ...opts });
  stores.push(s);
  await s.initialize();
  return s;
}

after(async () => {
  await Promise.all(stores.map((s) => s.shutdown()));
});

describe('Redis URLs and key names (no server)', () => {
  test('the three topologies, with and without TLS', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/2'), { kind: 'standalone', tls: false, node: { host: '127.0.0.1', port: 6380 }, db: 2 });
    assert.deepEqual(parseRedisUrl('rediss://u:p%40ss@redis.example'), {
      kind: 'standalone', tls: true, node: { host: 'redis.example', port: 6379 }, db: 0, username: 'u', password: 'p@ss',
    });
    assert.deepEqual(parseRedisUrl('redis+cluster://a:7000,b:7001,[::1]:7002'), {
      kind: 'cluster', tls: false, nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }, { host: '::1', port: 7002 }],
    });
    assert.deepEqual(parseRedisUrl('rediss+sentinel://:pw@s1,s2:26380/1?name=mymaster&sentinelPassword=spw'), {
      kind: 'sentinel', tls: true, sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }], db: 1, password: 'pw', name: 'mymaster', sentinelPassword: 'spw',
    });
  });

  test('bad URLs are refused with the reason, and never with the password', () => {
    const bad: [string, RegExp][] = [
      ['http://127.0.0.1:6379', /not a Redis URL/],
      ['redis://', /no host/],
      ['redis://a:1,b:2', /names one server/],
      ['redis://a:99999', /out of range/],
      ['redis://a:1/x', /database number/],
      ['redis://a:1/16', /0\.\.15/],
      ['redis://a:1?tls=true', /query parameters/],
      ['redis+cluster://a:1/3', /only database 0/],
      ['redis+sentinel://s1:26379', /name=<master name>/],
      ['redis+sentinel://s1?name=m&role=slave', /unknown parameter role/],
      ['redis+mongo://a:1', /not a Redis URL/],
      ['redis://u:%zz@a:1', /password is not valid percent-encoding/],
      ['redis://a b:1', /host\[:port\]/],
    ];
    for (const [url, why] of bad) {
      assert.throws(() => parseRedisUrl(url), (e: Error) => e instanceof InvalidOptionError && why.test(e.message), url);
    }
    assert.throws(() => parseRedisUrl('redis://user:hunter2@a:1,b:2'), (e: Error) => !e.message.includes('hunter2') && e.message.includes('***'));
    assert.equal(redactRedisUrl('rediss+sentinel://u:pw@s1?name=m&sentinelPassword=x'), 'rediss+sentinel://u:***@s1?name=m&sentinelPassword=***');
    // the store and the proxy refuse at construction, before any connection
    assert.throws(() => new RedisDataStore({ url: 'redis+cluster://' }), InvalidOptionError);
    assert.throws(() => new RedisDataStore({ url: 'redis://a:1', tls: { caPath: '/ca.pem' } }), /use rediss:\/\//);
    assert.throws(() => new RedisDataStore({ url: 'rediss://a:1', tls: { certPath: '/c.pem' } }), /certPath and keyPath go together/);
    assert.throws(() => new RedisDataStore({ url: 'rediss://127.0.0.1:1', tls: { caPath: '/nonexistent/ca.pem' } }), /cannot read the Redis TLS CA \(ENOENT\)/);
    assert.throws(() => resolveProxyOptions({ cache: 'redis', redisUrl: 'redis+sentinel://s1' }), /redisUrl: .*name=<master name>/);
    assert.throws(() => resolveProxyOptions({ redisUrl: 'redis://a:1', redisTlsCaPath: '/ca.pem' }), /redisTls\*: .*use rediss/);
    assert.throws(() => resolveProxyOptions({ cache: 'redis', redisKeyPrefix: 'a}b' }), /redisKeyPrefix: .*hash tag/);
    assert.doesNotThrow(() => resolveProxyOptions({ cache: 'redis', redisUrl: 'rediss+cluster://a:1,b:2', redisTlsCaPath: '/ca.pem' }));
  });

  test('slots: CRC16 as Redis computes it; lease and verdict keys share the data key slot, under the prefix', () => {
    assert.equal(slotOf('123456789'), 0x31c3 % 16384); // the CRC16/XMODEM check value
    assert.equal(slotOf('foo'), 12182);
    assert.equal(slotOf('{user1000}.following'), slotOf('{user1000}.followers'));
    assert.equal(hashTagOf('foo{}{bar}'), 'foo{}{bar}');
    assert.equal(hashTagOf('foo{{bar}}zap'), '{bar');
    for (const prefix of ['', 'fl:', '{fleet}:', 'a{b']) {
      const lease = leaseKeyOf(prefix, KEY);
      const auth = authKeyOf(prefix, KEY);
      // a stray "{" in the prefix leaves only `{<p><key>}|writer`; every other prefix leads its keys
      if (prefix !== 'a{b') assert.ok(lease.startsWith(prefix) && auth.startsWith(prefix), `${prefix}: ${lease}`);
      assert.equal(slotOf(lease), slotOf(prefix + KEY), `lease slot with prefix ${JSON.stringify(prefix)}`);
      assert.equal(slotOf(auth), slotOf(prefix + KEY), `auth slot with prefix ${JSON.stringify(prefix)}`);
    }
    // the data key keeps Statsig's name: no tag, so statsig-node's adapter finds it
    assert.equal(hashTagOf(KEY), KEY);
    assert.equal(leaseKeyOf('', KEY), `{${KEY}}|writer`);
    assert.throws(() => checkKeyPrefix('a}b'), InvalidOptionError);
    assert.throws(() => checkKeyPrefix('x{}y:'), InvalidOptionError); // an empty tag: no companion name hashes as the data key does
  });
});

describe('Redis Cluster: 3 masters + 3 replicas', { timeout: 120_000 }, () => {
  const cluster = new RedisClusterDeployment();
  let admin: Cluster;
  before(async () => {
    await cluster.start();
    admin = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]);
  });
  after(async () => {
    admin?.disconnect();
    await cluster.dispose();
  });

  test('the slots Redis computes are the ones the key scheme expects', async () => {
    for (const prefix of ['', 'fl:', '{fleet}:']) {
      const slot = await cluster.keyslot(prefix + KEY);
      assert.equal(slot, slotOf(prefix + KEY));
      assert.equal(await cluster.keyslot(leaseKeyOf(prefix, KEY)), slot);
      assert.equal(await cluster.keyslot(authKeyOf(prefix, KEY)), slot);
    }
  });

  test('the lease keys of before (`<key>|writer`, no tag) are refused by the cluster: CROSSSLOT', async () => {
    const port = await cluster.masterPortOf(KEY);
    await assert.rejects(
      redisCli(port, 'EVAL', "return redis.call('EXISTS', KEYS[1]) + redis.call('EXISTS', KEYS[2])", '2', `${KEY}|writer`, KEY).then((out) => {
        if (/CROSSSLOT|MOVED/.test(out)) throw new Error(out);
        return out;
      }),
      /CROSSSLOT|MOVED/,
    );
    const ok = await redisCli(port, 'EVAL', "return redis.call('EXISTS', KEYS[1]) + redis.call('EXISTS', KEYS[2])", '2', leaseKeyOf('', KEY), KEY);
    assert.match(ok, /^\d+/);
  });

  test('the events stream sink writes whole batches to the cluster by URL', async () => {
    const streamKey = `flc:events:${randomUUID().slice(0, 6)}`;
    const sink = new RedisStreamSink({ redis: cluster.url, streamKey });
    try {
      await sink.send(Array.from({ length: 20 }, (_, i) => ({ eventName: 'e', user: null, value: i, metadata: null, time: 1 })));
      const entries = await admin.xrange(streamKey, '-', '+');
      assert.deepEqual(entries.map(([, f]) => JSON.parse(f[1]!).value), [...Array(20).keys()]);
    } finally {
      await sink.close();
    }
  });

  test('two writers and a reader: one lease, compare-and-set, announcements, verdicts, hand-over', async () => {
    for (const keyPrefix of [`flc:${randomUUID().slice(0, 6)}:`, `{flc${randomUUID().slice(0, 6)}}:`]) {
      const a = await open({ url: cluster.url, keyPrefix, instanceId: 'a' });
      const b = await open({ url: cluster.url, keyPrefix, instanceId: 'b' });
      const reader = await open({ url: cluster.url, keyPrefix, role: 'reader' });
      assert.equal(a.health().topology, 'cluster');
      const heard: number[] = [];
      reader.subscribe(KEY, (lcut) => heard.push(lcut));
      await new Promise((r) => setTimeout(r, 300)); // the subscription reaches its node
      const la = await a.contend(KEY);
      const lb = await b.contend(KEY);
      assert.equal([la, lb].filter(Boolean).length, 1, `${keyPrefix}: exactly one leader`);
      const [leader, other] = la ? [a, b] : [b, a];
      assert.equal(await leader.write(KEY, '{"v":1}', 100), 'written');
      assert.equal(await leader.write(KEY, '{"v":0}', 99), 'stale');
      assert.equal(await other.write(KEY, '{"v":2}', 200), 'not-leader');
      await waitFor(`${keyPrefix}: reader hears lcut 100`, () => heard.includes(100), 5000);
      assert.deepEqual(await reader.get(KEY), { result: '{"v":1}', time: 100 });
      await leader.writeAuthVerdict(KEY, 403, 5000);
      assert.deepEqual(await reader.followerView(KEY), { time: 100, verdict: 403 });
      assert.equal(await admin.exists(leaseKeyOf(keyPrefix, KEY)), 1);
      await leader.release(KEY);
      await waitFor(`${keyPrefix}: the other writer takes the released lease`, () => other.isLeader(KEY), 3000);
      assert.equal(await other.write(KEY, '{"v":3}', 300), 'written');
      await waitFor(`${keyPrefix}: reader hears lcut 300`, () => heard.includes(300), 5000);
      for (const s of [a, b, reader]) assert.equal(s.health().lastError, null, `${keyPrefix}: ${s.health().lastError}`);
    }
  });
});

describe('Redis Sentinel: master, replica, one sentinel', { timeout: 90_000 }, () => {
  const sentinel = new RedisSentinelDeployment();
  before(() => sentinel.start());
  after(() => sentinel.dispose());

  test('the store follows a failover: writes go on, readers hear them, failovers counted', async () => {
    const keyPrefix = `fls:${randomUUID().slice(0, 6)}:`;
    const writer = await open({ url: sentinel.url, keyPrefix });
    const reader = await open({ url: sentinel.url, keyPrefix, role: 'reader' });
    assert.equal(writer.health().topology, 'sentinel');
    const heard: number[] = [];
    reader.subscribe(KEY, (lcut) => heard.push(lcut));
    assert.equal(await writer.contend(KEY), true);
    assert.equal(await writer.write(KEY, '{"v":1}', 100), 'written');
    await waitFor('reader hears lcut 100', () => heard.includes(100), 5000);
    const before = await sentinel.currentMasterPort();
    // Sentinel answers NOGOODSLAVE until it has heard from the replica recently enough; asked again each second
    await waitFor('sentinel promoted the replica', async () => {
      if ((await sentinel.currentMasterPort()) !== before) return true;
      await sentinel.failover();
      return false;
    }, 30_000, 1000);
    // the writer keeps (or retakes) its lease on the new master and writes there
    // 'stale': an attempt that failed mid-failover was restored by the writer after it reconnected
    await waitFor('a write on the new master', async () => ['written', 'stale'].includes(await writer.write(KEY, '{"v":2}', 200)), 20_000, 100);
    await waitFor('reader hears lcut 200', () => heard.includes(200), 10_000);
    // the reader's subscriber may be back before its command connection (get() refuses while that one is down)
    let read: unknown = null;
    await waitFor('reader reads lcut 200 from the new master', async () => {
      read = await reader.get(KEY).catch((e: Error) => e.message);
      return (read as { time?: number } | null)?.time === 200;
    }, 10_000, 100).catch((e: Error) => assert.fail(`${e.message}; last read: ${JSON.stringify(read)}`));
    assert.deepEqual(read, { result: '{"v":2}', time: 200 });
    await waitFor('failover counted', () => writer.health().counters.failovers! >= 1, 5000);
  });
});

describe('rediss:// against a TLS-only redis-server', { timeout: 60_000 }, () => {
  let pki: TestPki;
  let server: RedisTlsServer;
  let mtls: RedisTlsServer;
  before(async () => {
    pki = makePki();
    server = new RedisTlsServer(pki);
    mtls = new RedisTlsServer(pki, true);
    await Promise.all([server.start(), mtls.start()]);
  });
  after(async () => {
    await Promise.all([server?.dispose(), mtls?.dispose()]);
    pki?.cleanup();
  });

  test('with the CA: lease, write, announcement, read', async () => {
    const keyPrefix = `flt:${randomUUID().slice(0, 6)}:`;
    const writer = await open({ url: server.url, tls: { caPath: pki.caCert }, keyPrefix });
    const reader = await open({ url: server.url, tls: { caPath: pki.caCert }, keyPrefix, role: 'reader' });
    assert.equal(writer.health().tls, true);
    const heard: number[] = [];
    reader.subscribe(KEY, (lcut) => heard.push(lcut));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await writer.write(KEY, '{"v":1}', 100), 'written');
    await waitFor('reader hears lcut 100 over TLS', () => heard.includes(100), 5000);
    assert.deepEqual(await reader.get(KEY), { result: '{"v":1}', time: 100 });
  });

  test('a server its CA did not sign, plain redis:// to the TLS port, or no client certificate for mTLS: refused', async () => {
    await assert.rejects(open({ url: server.url, tls: { caPath: pki.otherCaCert }, connectTimeoutMs: 1500 }), SourceUnavailableError);
    await assert.rejects(open({ url: server.url, connectTimeoutMs: 1500 }), SourceUnavailableError); // system CAs do not know the test CA
    await assert.rejects(open({ url: `redis://127.0.0.1:${server.port}`, connectTimeoutMs: 1500 }), SourceUnavailableError);
    await assert.rejects(open({ url: mtls.url, tls: { caPath: pki.caCert }, connectTimeoutMs: 1500 }), SourceUnavailableError);
  });

  test('mTLS: the client certificate opens a server that requires one', async () => {
    const s = await open({ url: mtls.url, tls: { caPath: pki.caCert, certPath: pki.clientCert, keyPath: pki.clientKey }, keyPrefix: `flm:${randomUUID().slice(0, 6)}:` });
    assert.equal(await s.write(KEY, '{"v":1}', 1), 'written');
    assert.deepEqual(await s.get(KEY), { result: '{"v":1}', time: 1 });
  });
});
