/**
 * The forward proxy in one process against a fake upstream: cached specs with sinceTime, ETag/304 and
 * gzip; unknown, revoked and misrouted keys; upstream outages; --max-sdk-keys; ID lists with Range;
 * log_event batching and retry; /health and /metrics; command-line parsing.
 */
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { parseProxyArgs, PROXY_USAGE, ProxyOptionsSchema } from '../../server/proxy/options';
import { keyLabel } from '../../server/fleet/keys';
import { InvalidOptionError } from '../../lib/errors';
import { FakeUpstream, FIXTURE_SECRET, djb2 } from './support/fake-upstream';
import { waitFor } from './support/wait';
import './support/no-unhandled';

const quiet = { log: () => {}, warn: () => {} };

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await request(url, { headers });
  const body = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers, body, text: body.toString('utf8') };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const r = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const b = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers, text: b.toString('utf8') };
}

describe('forward proxy (cache=local)', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;
  let dcsUrl: (key: string, q?: string) => string;

  before(async () => {
    await up.start();
    proxy = await startProxy(
      {
        port: 0,
        upstream: up.url,
        pollingIntervalMs: 100,
        idListsIntervalMs: 50,
        logEventFlushIntervalMs: 50,
        logEventBatchSize: 10,
        logEventRetryBackoffMs: 10,
        maxSdkKeys: 3,
      },
      quiet,
    );
    dcsUrl = (key, q = '') => `${proxy.url}/v1/download_config_specs/${encodeURIComponent(key)}.json${q}`;
  });
  after(async () => {
    await proxy.stop();
    await up.close();
  });

  test('serves the cached specs; sinceTime, ETag/304 and gzip', async () => {
    const r = await get(dcsUrl(FIXTURE_SECRET));
    assert.equal(r.status, 200);
    const dcs = JSON.parse(r.text) as { time: number; hashed_sdk_key_used: string };
    assert.equal(dcs.time, up.time);
    assert.equal(dcs.hashed_sdk_key_used, djb2(FIXTURE_SECRET));
    const etag = String(r.headers.etag);
    assert.match(etag, /^"\d+-[\w-]+"$/);

    const again = await get(dcsUrl(FIXTURE_SECRET), { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);

    const none = await get(dcsUrl(FIXTURE_SECRET, `?sinceTime=${up.time}`));
    assert.deepEqual(JSON.parse(none.text), { has_updates: false });
    const older = await get(dcsUrl(FIXTURE_SECRET, `?sinceTime=${up.time - 1}`));
    assert.equal(JSON.parse(older.text).time, up.time);

    const gz = await get(dcsUrl(FIXTURE_SECRET), { 'accept-encoding': 'gzip, deflate' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.length < r.body.length / 3);
    assert.equal(gunzipSync(gz.body).toString('utf8'), r.text);
    assert.notEqual(gz.headers.etag, etag);

    const br = await get(dcsUrl(FIXTURE_SECRET), { 'accept-encoding': 'statsig-br, gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString('utf8'), r.text);
    assert.ok(![etag, gz.headers.etag].includes(br.headers.etag));
  });

  test('a new upstream version is picked up by the next poll', async () => {
    const lcut = up.bump();
    await waitFor('new lcut served', async () => JSON.parse((await get(dcsUrl(FIXTURE_SECRET))).text).time === lcut, 5000);
  });

  test('an unknown key gets upstream 401/403, never specs', async () => {
    const r = await get(dcsUrl('secret-unknown'));
    assert.equal(r.status, 401);
    assert.ok(!r.text.includes('feature_gates'));
    up.keys.set('secret-forbidden', 403);
    const f = await get(dcsUrl('secret-forbidden'));
    assert.equal(f.status, 403);
  });

  test("a payload produced for another key is refused (the key never gets another key's specs)", async () => {
    up.keys.set('secret-misrouted', 'misroute');
    const r = await get(dcsUrl('secret-misrouted'));
    assert.equal(r.status, 503);
    assert.ok(!r.text.includes('feature_gates'));
    assert.match(proxy.metricsText(), /firstlight_proxy_specs_rejected_total\{reason="key_mismatch",source="upstream"\} [1-9]/);
  });

  test('a revoked key answers 401 after the next poll; the other key keeps its specs', async () => {
    const key = 'secret-revoked-later';
    up.keys.set(key, 'ok');
    assert.equal((await get(dcsUrl(key))).status, 200);
    up.keys.set(key, 401);
    await waitFor('revocation seen', async () => (await get(dcsUrl(key))).status === 401, 5000);
    assert.equal((await get(dcsUrl(FIXTURE_SECRET))).status, 200);
  });

  test('--max-sdk-keys: refused keys are evicted first; healthy keys are never evicted', async () => {
    // 3 slots: fixture key (ok), revoked key (401) ... new keys evict the refused ones
    const before = proxy.health().keys.length;
    assert.ok(before <= 3);
    up.keys.set('secret-extra-1', 'ok');
    up.keys.set('secret-extra-2', 'ok');
    assert.equal((await get(dcsUrl('secret-extra-1'))).status, 200);
    assert.equal((await get(dcsUrl('secret-extra-2'))).status, 200);
    up.keys.set('secret-extra-3', 'ok');
    const full = await get(dcsUrl('secret-extra-3'));
    assert.equal(full.status, 503, 'all slots hold healthy keys');
    assert.equal((await get(dcsUrl(FIXTURE_SECRET))).status, 200);
    assert.ok(proxy.health().keys.length <= 3);
  });

  test('upstream down: keeps serving the last good specs; health and metrics show it; recovers', async () => {
    const lcut = JSON.parse((await get(dcsUrl(FIXTURE_SECRET))).text).time as number;
    up.mode = 'down';
    await waitFor('failure noticed', () => proxy.health().status === 'degraded', 5000);
    const r = await get(dcsUrl(FIXTURE_SECRET));
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.text).time, lcut);
    assert.match(proxy.metricsText(), /firstlight_proxy_upstream_errors_total\{endpoint="download_config_specs",kind="network"\} [1-9]/);
    up.mode = 'error';
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await get(dcsUrl(FIXTURE_SECRET))).status, 200);
    up.mode = 'ok';
    const next = up.bump();
    await waitFor('recovered', async () => JSON.parse((await get(dcsUrl(FIXTURE_SECRET))).text).time === next, 10_000);
  });

  test('ID lists: manifest points at the proxy; files served with Range, fetched incrementally', async () => {
    up.idLists.set('blocked_users_list', { fileID: 'file-1', content: '+aaaaaaaa\n+bbbbbbbb\n', creationTime: 1 });
    const m = await post(`${proxy.url}/v1/get_id_lists`, '{}', { 'statsig-api-key': FIXTURE_SECRET });
    assert.equal(m.status, 200);
    const manifest = JSON.parse(m.text) as Record<string, { url: string; size: number; fileID: string }>;
    const entry = manifest.blocked_users_list!;
    assert.ok(entry.url.startsWith(proxy.url), entry.url);
    assert.equal(entry.size, 20);
    const full = await get(entry.url, { range: 'bytes=0-' });
    assert.equal(full.status, 206);
    assert.equal(full.text, '+aaaaaaaa\n+bbbbbbbb\n');
    assert.equal(full.headers['content-length'], '20');
    // the list grows upstream: the proxy fetches only the new bytes, the SDK reads from its offset
    up.idLists.set('blocked_users_list', { fileID: 'file-1', content: '+aaaaaaaa\n+bbbbbbbb\n-aaaaaaaa\n', creationTime: 1 });
    await new Promise((r) => setTimeout(r, 60));
    const m2 = JSON.parse((await post(`${proxy.url}/v1/get_id_lists`, '{}', { 'statsig-api-key': FIXTURE_SECRET })).text);
    assert.equal(m2.blocked_users_list.size, 30);
    const tail = await get(entry.url, { range: 'bytes=20-' });
    assert.equal(tail.status, 206);
    assert.equal(tail.text, '-aaaaaaaa\n');
    assert.equal(tail.headers['content-range'], 'bytes 20-29/30');
    assert.deepEqual(up.idListRanges.slice(-2), ['bytes=0-', 'bytes=20-']);
    assert.equal((await get(entry.url, { range: 'bytes=30-' })).status, 416);
    // a manifest that is not an object is a bad answer: the lists in force stay (it used to wipe them)
    for (const bad of ['null', '[]', '"lists"']) {
      up.idListManifestOverride = bad;
      const before = up.idListManifestRequests;
      await waitFor('the proxy asked upstream again', async () => {
        const r = JSON.parse((await post(`${proxy.url}/v1/get_id_lists`, '{}', { 'statsig-api-key': FIXTURE_SECRET })).text) as Record<string, { size: number }>;
        assert.equal(r.blocked_users_list?.size, 30, `after a ${bad} manifest`);
        return up.idListManifestRequests > before;
      });
    }
    up.idListManifestOverride = null;
    // unknown key → refused; unknown file token → 404
    assert.equal((await post(`${proxy.url}/v1/get_id_lists`, '{}', { 'statsig-api-key': 'secret-nope' })).status, 401);
    assert.equal((await get(`${proxy.url}/v1/id_list_file/not-a-token/file-1`)).status, 404);
  });

  test("ID lists: the SDK's steps: an older file in the manifest is ignored, a newer one starts over", async () => {
    const key = { 'statsig-api-key': FIXTURE_SECRET };
    const manifest = async () => JSON.parse((await post(`${proxy.url}/v1/get_id_lists`, '{}', key)).text) as Record<string, { url: string; fileID: string; size: number }>;
    const listed = (fileID: string) => waitFor(`the proxy's manifest lists ${fileID}`, async () => (await manifest()).versioned_list?.fileID === fileID);
    up.idLists.set('versioned_list', { fileID: 'file-5', content: '+55555555\n', creationTime: 5 });
    await listed('file-5');
    const held = (await manifest()).versioned_list!;
    assert.equal((await get(held.url)).text, '+55555555\n');
    // upstream's manifest goes back to an older file: the proxy keeps serving the newer one, as the SDK keeps it
    up.idLists.set('versioned_list', { fileID: 'file-3', content: '+33333333\n', creationTime: 3 });
    const asked = up.idListManifestRequests;
    await waitFor('the proxy read the older manifest', async () => (await manifest()) && up.idListManifestRequests > asked + 1);
    const still = (await manifest()).versioned_list!;
    assert.equal(still.fileID, 'file-5');
    assert.equal(still.size, 10);
    // a newer file starts over: new bytes from 0, the old file's address is gone
    up.idLists.set('versioned_list', { fileID: 'file-7', content: '+77777777\n+88888888\n', creationTime: 7 });
    await listed('file-7');
    const fresh = (await manifest()).versioned_list!;
    assert.equal((await get(fresh.url)).text, '+77777777\n+88888888\n');
    assert.equal((await get(held.url)).status, 404);
    up.idLists.delete('versioned_list');
    await waitFor('the list dropped', async () => (await manifest()).versioned_list === undefined);
  });

  test('log_event: batched upstream, gzip in and out, retried on 503, counted', async () => {
    const batchesBefore = up.logEventBatches.length;
    up.logEventStatuses = [503, 503];
    // upstream answers only once every post is in: however the posts and the flush interval interleave,
    // the events that arrive while the first batch is in flight wait in the next batch (at most 10 each)
    let open!: () => void;
    up.logEventGate = new Promise<void>((r) => (open = r));
    const ev = (i: number) => ({ eventName: 'click', user: { userID: `u${i}` }, time: 1, metadata: { i: String(i) } });
    const meta = { sdkType: 'statsig-node', sdkVersion: '6.5.2' };
    let sent = 0;
    for (let i = 0; i < 5; i++) {
      const events = [ev(sent++), ev(sent++), ev(sent++)];
      const body = i % 2 ? gzipSync(JSON.stringify({ events, statsigMetadata: meta })) : JSON.stringify({ events, statsigMetadata: meta });
      const r = await post(`${proxy.url}/v1/log_event`, body, {
        'statsig-api-key': FIXTURE_SECRET,
        ...(i % 2 ? { 'content-encoding': 'gzip' } : {}),
      });
      assert.equal(r.status, 202);
    }
    up.logEventGate = null;
    open();
    await waitFor('all 15 events delivered', () => up.logEventBatches.slice(batchesBefore).reduce((n, b) => n + b.count, 0) === 15, 5000);
    const batches = up.logEventBatches.slice(batchesBefore);
    assert.ok(batches.length <= 3, `expected batching (the first batch, then at most 10 a batch), got ${batches.length} upstream requests`);
    assert.ok(batches.every((b) => b.key === FIXTURE_SECRET && b.count <= 10));
    // upstream has the events before the proxy has read its answer: wait for the proxy's own count
    await waitFor('the proxy counted them sent', () => proxy.health().logEvents.sent === 15, 5000);
    const h = proxy.health().logEvents;
    assert.equal(h.received, 15);
    assert.equal(h.sent, 15);
    assert.equal(h.dropped, 0);
    assert.equal((await post(`${proxy.url}/v1/log_event`, '{"events":[]}')).status, 401);
    assert.equal((await post(`${proxy.url}/v1/log_event`, 'not json', { 'statsig-api-key': FIXTURE_SECRET })).status, 400);
    // the body limit holds after inflating: a 1 MB gzip of 1 GB of zeros is refused, not inflated
    const bomb = gzipSync(Buffer.alloc(1024 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 2 * 1024 * 1024, `bomb is ${bomb.length} bytes`);
    const rssBefore = process.memoryUsage().rss;
    const refused = await post(`${proxy.url}/v1/log_event`, bomb, { 'statsig-api-key': FIXTURE_SECRET, 'content-encoding': 'gzip' });
    assert.equal(refused.status, 413);
    assert.ok(process.memoryUsage().rss - rssBefore < 256 * 1024 * 1024, 'inflating stopped at the limit');
    const notGzip = await post(`${proxy.url}/v1/log_event`, 'plain text', { 'statsig-api-key': FIXTURE_SECRET, 'content-encoding': 'gzip' });
    assert.equal(notGzip.status, 400);
  });

  test('/health and /metrics describe keys by a hash label, never the key', async () => {
    const h = await get(`${proxy.url}/health`);
    assert.equal(h.status, 200);
    const health = JSON.parse(h.text) as { keys: { key: string; lcut: number | null }[] };
    assert.ok(health.keys.some((k) => k.key === keyLabel(FIXTURE_SECRET) && k.lcut === up.time));
    const m = await get(`${proxy.url}/metrics`);
    assert.equal(m.status, 200);
    for (const name of [
      'firstlight_proxy_requests_total',
      'firstlight_proxy_upstream_request_duration_seconds_bucket',
      'firstlight_proxy_upstream_errors_total',
      'firstlight_proxy_cache_age_seconds',
      'firstlight_proxy_leader',
    ]) {
      assert.ok(m.text.includes(name), `missing ${name}`);
    }
    assert.ok(m.text.includes(`firstlight_proxy_cache_age_seconds{key="${keyLabel(FIXTURE_SECRET)}"}`));
    for (const secret of [FIXTURE_SECRET, 'secret-revoked-later', 'secret-extra-1']) {
      assert.ok(!h.text.includes(secret.slice(0, 8)) && !m.text.includes(secret.slice(0, 8)), `leaks ${secret}`);
    }
  });
});

describe('forward proxy options', () => {
  test('command line: defaults, flags, clear errors', () => {
    const o = parseProxyArgs(['--cache', 'redis', '--max-sdk-keys', '5', '--polling-interval-ms', '2000', '--clear-on-unauthorized']);
    assert.ok(o !== 'help');
    assert.equal(o.cache, 'redis');
    assert.equal(o.maxSdkKeys, 5);
    assert.equal(o.pollingIntervalMs, 2000);
    assert.equal(o.clearOnUnauthorized, true);
    assert.equal(o.upstream, 'https://api.statsigcdn.com/v1');
    assert.equal(o.upstreamApi, 'https://statsigapi.net/v1');
    const custom = parseProxyArgs(['--upstream', 'http://127.0.0.1:9/v1/']);
    assert.ok(custom !== 'help');
    assert.equal(custom.upstreamApi, 'http://127.0.0.1:9/v1');
    assert.equal(parseProxyArgs(['--help']), 'help');
    assert.throws(() => parseProxyArgs(['--cache', 'memcached']), InvalidOptionError);
    assert.throws(() => parseProxyArgs(['--polling-interval-ms', 'soon']), /--polling-interval-ms must be a number/);
    assert.throws(() => parseProxyArgs(['--bogus']), InvalidOptionError);
    assert.throws(() => parseProxyArgs(['--max-key-verifications-per-minute', '0']), /maxKeyVerificationsPerMinute/);
    assert.throws(() => parseProxyArgs(['--upstream', 'file:///etc/passwd']), /must be an http\(s\) URL/);
  });

  test('--help lists exactly the flags parsing accepts, and every option of the schema is a flag', () => {
    const listed = [...PROXY_USAGE.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]!);
    const fields = Object.keys(ProxyOptionsSchema.shape);
    const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    assert.deepEqual(listed.filter((f) => f !== 'help').sort(), fields.map(kebab).sort());
    const sample: Record<string, string | null> = { 'max-json-depth': '100', cache: 'redis', host: '0.0.0.0', 'redis-url': 'redis://127.0.0.1:1', 'redis-key-prefix': 'x:', mode: 'grpc-and-http' };
    // TLS paths only come in working sets: the others the flag needs
    const companions: Record<string, string[]> = {
      'grpc-tls-cert-path': ['--grpc-tls-key-path', '/k.pem'],
      'grpc-tls-key-path': ['--grpc-tls-cert-path', '/c.pem'],
      'grpc-tls-client-ca-path': ['--grpc-tls-cert-path', '/c.pem', '--grpc-tls-key-path', '/k.pem'],
      'redis-tls-ca-path': ['--redis-url', 'rediss://127.0.0.1:1'],
      'redis-tls-cert-path': ['--redis-url', 'rediss://127.0.0.1:1', '--redis-tls-key-path', '/k.pem'],
      'redis-tls-key-path': ['--redis-url', 'rediss://127.0.0.1:1', '--redis-tls-cert-path', '/c.pem'],
    };
    for (const f of listed) {
      if (f === 'help') continue;
      const isBoolean = new RegExp(`^ {2}--${f} {2,}`, 'm').test(PROXY_USAGE);
      const value = sample[f] ?? (/url$|^upstream(-v2|-api)?$/.test(f) ? 'http://127.0.0.1:9/v1' : '2000');
      const o = parseProxyArgs([...(isBoolean ? [`--${f}`] : [`--${f}`, value]), ...(companions[f] ?? [])]);
      assert.ok(o !== 'help', f);
      const name = fields.find((k) => kebab(k) === f)! as keyof typeof o;
      assert.notEqual(o[name], undefined, `--${f} reaches the option ${String(name)}`);
    }
  });
});

describe('forward proxy (cache=redis, two proxies in one process)', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `flproxy:${Math.random().toString(36).slice(2, 10)}:`;
  const up = new FakeUpstream();
  const KEY = 'secret-redis-mode-key';
  let p1: ForwardProxy;
  let p2: ForwardProxy;
  const dcs = async (p: ForwardProxy) => {
    const r = await get(`${p.url}/v1/download_config_specs/${KEY}.json`);
    return { status: r.status, lcut: r.status === 200 ? (JSON.parse(r.text) as { time: number }).time : null };
  };
  const opts = (extra: Record<string, unknown> = {}) => ({
    port: 0,
    cache: 'redis' as const,
    redisUrl: REDIS_URL,
    redisKeyPrefix: prefix,
    upstream: up.url,
    pollingIntervalMs: 100,
    redisLeaderTtlMs: 1000,
    ...extra,
  });

  before(async () => {
    up.keys.set(KEY, 'ok');
    await up.start();
    p1 = await startProxy(opts(), quiet);
    p2 = await startProxy(opts(), quiet);
  });
  after(async () => {
    await p1.stop();
    await p2.stop();
    await up.close();
    const { Redis } = await import('ioredis');
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  test('one writer polls upstream; the other serves the shared copy; revocation reaches both', async () => {
    assert.deepEqual(await dcs(p1), { status: 200, lcut: up.time });
    assert.deepEqual(await dcs(p2), { status: 200, lcut: up.time });
    const leaders = () => [p1, p2].filter((p) => p.health().leaderOf.length > 0);
    await waitFor('one leader', () => leaders().length === 1);
    const follower = [p1, p2].find((p) => p.health().leaderOf.length === 0)!;

    const before = new Map(up.dcsBySession);
    const lcut = up.bump();
    await waitFor('both on the new lcut', async () => (await dcs(p1)).lcut === lcut && (await dcs(p2)).lcut === lcut, 5000);
    assert.equal(follower.health().keys[0]!.from, 'store', 'the follower loaded it from Redis');
    await new Promise((r) => setTimeout(r, 500));
    const pollers = [...up.dcsBySession].filter(([s, n]) => n > (before.get(s) ?? 0));
    assert.equal(pollers.length, 1, 'only the writer polls upstream');
    assert.equal(leaders().length, 1);

    up.keys.set(KEY, 401);
    await waitFor('both refuse the revoked key', async () => (await dcs(p1)).status === 401 && (await dcs(p2)).status === 401, 5000);
    up.keys.set(KEY, 'ok');
    await waitFor('both serve again', async () => (await dcs(p1)).status === 200 && (await dcs(p2)).status === 200, 5000);
  });

  test('a store that fell behind its writer (a failover lost the last write) gets the writer\'s specs again at its next check', async () => {
    const { Redis } = await import('ioredis');
    const { dataStoreKey } = await import('../../server/fleet/keys');
    const admin = new Redis(REDIS_URL);
    const dataKey = prefix + dataStoreKey(KEY, '/v1/download_config_specs');
    try {
      await waitFor('one leader', () => [p1, p2].filter((p) => p.health().leaderOf.length > 0).length === 1);
      const old = await admin.hgetall(dataKey);
      assert.equal(Number(old.time), up.time);
      const lcut = up.bump();
      await waitFor('stored at the new lcut', async () => Number(await admin.hget(dataKey, 'time')) === lcut, 5000);
      // what a promoted replica holds when its master died before replicating the write; upstream has
      // nothing newer to say, so only the writer's own check can put it right
      await admin.hset(dataKey, 'result', old.result!, 'time', old.time!);
      await waitFor('the writer restored its lcut in the store', async () => Number(await admin.hget(dataKey, 'time')) === lcut, 5000);
      assert.equal(JSON.parse((await admin.hget(dataKey, 'result'))!).time, lcut);
      assert.deepEqual(await dcs(p1), { status: 200, lcut });
      assert.deepEqual(await dcs(p2), { status: 200, lcut });
    } finally {
      admin.disconnect();
    }
  });

  test('unknown keys evicted under --max-sdk-keys leave no lease behind in Redis', async () => {
    const p4 = await startProxy(opts({ maxSdkKeys: 2 }), quiet);
    const { Redis } = await import('ioredis');
    const admin = new Redis(REDIS_URL);
    try {
      // made-up keys: upstream answers 401; each evicts the previous refused one
      for (let i = 0; i < 20; i++) {
        const r = await get(`${p4.url}/v1/download_config_specs/secret-made-up-${i}.json`);
        assert.ok(r.status === 401 || r.status === 503, `made-up key ${i}: ${r.status}`);
      }
      const { dataStoreKey, leaseKeyOf } = await import('../../server/fleet/keys');
      const leases = async () => {
        let n = 0;
        for (let i = 0; i < 20; i++) n += await admin.exists(leaseKeyOf(prefix, dataStoreKey(`secret-made-up-${i}`, '/v1/download_config_specs')));
        return n;
      };
      // at most the keys still cached may hold a lease; evicted ones handed theirs back
      await waitFor('evicted keys released their leases', async () => (await leases()) <= 2, 5000);
      await new Promise((r) => setTimeout(r, 1500)); // longer than the lease TTL: nothing renews them
      assert.ok((await leases()) <= 2, `leases still held: ${await leases()}`);
      assert.ok(p4.health().keys.length <= 2);
    } finally {
      admin.disconnect();
      await p4.stop();
    }
  });

  test('--clear-on-unauthorized deletes the shared copy of a revoked key', async () => {
    const key2 = 'secret-redis-clear-key';
    up.keys.set(key2, 'ok');
    const p3 = await startProxy(opts({ clearOnUnauthorized: true }), quiet);
    try {
      assert.equal((await get(`${p3.url}/v1/download_config_specs/${key2}.json`)).status, 200);
      await waitFor('writer', () => p3.health().leaderOf.length > 0);
      const { Redis } = await import('ioredis');
      const { dataStoreKey } = await import('../../server/fleet/keys');
      const admin = new Redis(REDIS_URL);
      try {
        await waitFor('stored', async () => (await admin.exists(prefix + dataStoreKey(key2, '/v1/download_config_specs'))) === 1);
        up.keys.set(key2, 403);
        await waitFor('403 served', async () => (await get(`${p3.url}/v1/download_config_specs/${key2}.json`)).status === 403, 5000);
        await waitFor('cleared', async () => (await admin.exists(prefix + dataStoreKey(key2, '/v1/download_config_specs'))) === 0, 5000);
      } finally {
        admin.disconnect();
      }
    } finally {
      await p3.stop();
    }
  });
});
