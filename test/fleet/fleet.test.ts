/**
 * The fleet, multi-process, on loopback: a fake upstream (this process), two forward proxies sharing a
 * private redis-server (child processes, cache=redis), three SDK instances (child processes: the
 * Statsig facade with the network source pointed at a proxy and a RedisDataStore reader).
 *
 * Proven, in order: one upstream poller for the whole fleet; propagation of ≥20 spec changes to every
 * instance (p50/p99 printed); the leader killed → the other proxy takes over and changes keep flowing;
 * upstream down → everything keeps serving; Redis restarted → recovery without restarting anything.
 * Figures are printed; only correctness is asserted, with generous bounds.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { startInstance, startProxyChild, stopChild, type InstanceChild, type ProxyChild } from './support/fleet';
import { PrivateRedis } from './support/private-redis';
import { percentile, sleep, waitFor } from './support/wait';
import './support/no-unhandled';

const POLL_MS = 200;
const LEASE_TTL_MS = 1500;
const CHANGES = Number(process.env.FL_FLEET_CHANGES ?? 20);

const up = new FakeUpstream();
const redis = new PrivateRedis();
const prefix = `flfleet:${randomUUID().slice(0, 8)}:`;
let proxies: ProxyChild[] = [];
let instances: InstanceChild[] = [];

async function dcsLcut(p: ProxyChild): Promise<{ status: number; lcut: number | null }> {
  const r = await request(`${p.url}/v1/download_config_specs/${FIXTURE_SECRET}.json`, { headersTimeout: 3000 });
  const text = await r.body.text();
  return { status: r.statusCode, lcut: r.statusCode === 200 ? (JSON.parse(text) as { time: number }).time : null };
}

async function leaderOf(ps: ProxyChild[]): Promise<ProxyChild | null> {
  for (const p of ps) {
    const h = await p.health().catch(() => null);
    if (h && h.leaderOf.length > 0) return p;
  }
  return null;
}

/** Bumps upstream and waits until every instance evaluates with the new lcut; returns ms from the change. */
async function propagate(live: InstanceChild[], boundMs = 10_000): Promise<number> {
  const lcut = up.bump();
  const t0 = up.changedAt;
  await waitFor(`every instance on lcut ${lcut}`, () => live.every((i) => i.seenAt(lcut) !== null), boundMs, 5);
  return Math.max(...live.map((i) => i.seenAt(lcut)!)) - t0;
}

function summary(label: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${label}: n=${s.length} p50=${percentile(s, 50).toFixed(0)} ms p99=${percentile(s, 99).toFixed(0)} ms max=${s[s.length - 1]!.toFixed(0)} ms`;
}

describe('fleet: two proxies, shared Redis, three SDK instances', { timeout: 150_000 }, () => {
  before(async () => {
    await Promise.all([redis.start(), up.start()]);
    const args = [
      '--cache', 'redis',
      '--redis-url', redis.url,
      '--redis-key-prefix', prefix,
      '--upstream', up.url,
      '--polling-interval-ms', String(POLL_MS),
      '--redis-leader-ttl-ms', String(LEASE_TTL_MS),
    ];
    proxies = await Promise.all([startProxyChild('proxy-a', args), startProxyChild('proxy-b', args)]);
    // SDK traffic reaches both proxies (as behind a load balancer), so each knows the key
    for (const p of proxies) assert.equal((await dcsLcut(p)).status, 200);
    const env = (p: ProxyChild) => ({ FL_PROXY_URL: p.url, FL_REDIS_URL: redis.url, FL_REDIS_PREFIX: prefix });
    instances = await Promise.all([
      startInstance('sdk-1', env(proxies[0]!)),
      startInstance('sdk-2', env(proxies[0]!)),
      startInstance('sdk-3', env(proxies[1]!)),
    ]);
  });

  after(async () => {
    await Promise.all(instances.map((i) => i.stop().catch(() => {})));
    await Promise.all(proxies.map((p) => stopChild(p.proc)));
    await up.close();
    await redis.dispose();
  });

  test('every instance starts on the upstream lcut', async () => {
    for (const i of instances) {
      const r = await i.eval();
      assert.equal(r.lcut, up.time, `${i.name} lcut`);
      assert.equal(r.value, true);
    }
  });

  test('one upstream poller for the whole fleet', async () => {
    await waitFor('a leader', () => leaderOf(proxies), LEASE_TTL_MS * 3);
    const before = new Map(up.dcsBySession);
    const windowMs = 3000;
    await sleep(windowMs);
    const polled = [...up.dcsBySession].map(([s, n]) => [s, n - (before.get(s) ?? 0)] as const).filter(([, n]) => n > 0);
    console.log(`# upstream polls in ${windowMs} ms at ${POLL_MS} ms interval: ${polled.map(([, n]) => n).join(', ')} (by ${polled.length} caller)`);
    assert.equal(polled.length, 1, 'exactly one proxy polls upstream');
    const [, n] = polled[0]!;
    assert.ok(n >= windowMs / POLL_MS / 3 && n <= (windowMs / POLL_MS) * 1.5 + 2, `poll count ${n}`);
  });

  test(`propagation of ${CHANGES} spec changes to every instance`, async () => {
    const times: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      await sleep(Math.random() * POLL_MS); // de-phase the change from the poll timer
      times.push(await propagate(instances));
    }
    const line = summary(`propagation upstream change → all 3 instances evaluate with it (poll ${POLL_MS} ms)`, times);
    console.log(`# ${line}`);
    for (const i of instances) assert.equal((await i.eval()).lcut, up.time);
  });

  test('kill the leader → the other proxy takes over; changes keep reaching every instance', async () => {
    const leader = (await leaderOf(proxies))!;
    assert.ok(leader);
    const survivor = proxies.find((p) => p !== leader)!;
    const t0 = Date.now();
    leader.proc.kill('SIGKILL');
    await waitFor('takeover', async () => ((await survivor.health()).leaderOf.length > 0 ? true : null), LEASE_TTL_MS * 2, 10);
    const takeover = Date.now() - t0;
    console.log(`# takeover after SIGKILL of the leader: ${takeover} ms (lease TTL ${LEASE_TTL_MS} ms)`);
    proxies = [survivor];
    const ms = await propagate(instances);
    console.log(`# first change after takeover reached all instances in ${ms.toFixed(0)} ms`);
    const before = up.dcsRequests;
    await sleep(1000);
    assert.ok(up.dcsRequests - before > 0, 'the new leader polls upstream');
  });

  test('upstream down → proxies and instances keep serving the last good specs', async () => {
    const lcut = up.time;
    up.mode = 'down';
    try {
      await waitFor('proxy notices', async () => (await proxies[0]!.health()).status === 'degraded', 5000);
      await sleep(500);
      assert.deepEqual(await dcsLcut(proxies[0]!), { status: 200, lcut });
      for (const i of instances) {
        const r = await i.eval();
        assert.equal(r.lcut, lcut);
        assert.equal(r.value, true);
      }
    } finally {
      up.mode = 'ok';
    }
    await waitFor('proxy healthy again', async () => (await proxies[0]!.health()).status === 'ok', 10_000);
  });

  test('Redis restart → recovery without restarting anything', async () => {
    const proxy = proxies[0]!;
    const lcut = up.time;
    await redis.stop();
    const t0 = Date.now();
    try {
      await waitFor('proxy sees Redis down', async () => (await proxy.health()).redis?.connected === false, 5000);
      for (const i of instances) {
        const r = await i.eval();
        assert.equal(r.lcut, lcut, `${i.name} keeps its specs`);
        assert.equal(r.value, true, `${i.name} never serves zero flags`);
      }
      // a change during the outage still reaches the proxy (it polls upstream itself while degraded)
      const during = up.bump();
      await waitFor('proxy picks up a change while Redis is down', async () => (await dcsLcut(proxy)).lcut === during, 5000);
      assert.equal((await proxy.health()).status, 'degraded');
      await sleep(1500); // a real outage, long enough for every client to be in reconnect backoff
      for (const i of instances) assert.equal((await i.eval()).value, true);
    } finally {
      await redis.start(); // empty: nothing persisted
    }
    await waitFor('proxy reconnected', async () => (await proxy.health()).redis?.connected === true, 15_000);
    const reconnect = Date.now() - t0;
    const ms = await propagate(instances, 20_000);
    console.log(`# Redis down ${reconnect} ms incl. restart; first change after recovery reached all instances in ${ms.toFixed(0)} ms`);
    for (const i of instances) {
      assert.equal((await i.eval()).lcut, up.time);
      // each client reconnects on its own backoff schedule (capped at 1 s)
      await waitFor(`${i.name} store reconnected`, async () => (await i.eval()).store, 10_000, 50);
    }
  });
});
