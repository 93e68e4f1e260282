/**
 * The fleet on a Redis Cluster: three masters and three replicas on loopback (free ports, started
 * by this test with `redis-cli --cluster create`), two forward proxies (cache=redis, grpc-and-http)
 * and four SDK instances: two poll a proxy over HTTP with a cluster reader store, two stream from a
 * proxy over gRPC.
 *
 * Proven: the lease and verdict keys sit in the data key's slot (the scripts would be CROSSSLOT
 * otherwise) and one proxy polls upstream for the whole fleet; spec changes reach every instance by
 * both paths; the master holding the key's slot is killed → its replica takes over, every instance
 * keeps serving its specs meanwhile, the proxies count the failover and the next lcut reaches every
 * instance. Figures are printed; only correctness is asserted, with generous bounds.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { authKeyOf, dataStoreKey, leaseKeyOf } from '../../server/fleet/keys';
import { FakeUpstream, FIXTURE_SECRET } from './support/fake-upstream';
import { startInstance, startProxyChild, stopChild, type InstanceChild, type ProxyChild } from './support/fleet';
import { RedisClusterDeployment, redisCli } from './support/redis-cluster';
import { sleep, waitFor } from './support/wait';
import './support/no-unhandled';

const POLL_MS = 200;
const LEASE_TTL_MS = 1500;
const DATA_KEY = dataStoreKey(FIXTURE_SECRET, '/v1/download_config_specs');

const up = new FakeUpstream();
const cluster = new RedisClusterDeployment();
const prefix = `flcl:${randomUUID().slice(0, 8)}:`;
let proxies: ProxyChild[] = [];
let instances: InstanceChild[] = [];

async function leaders(ps: ProxyChild[]): Promise<ProxyChild[]> {
  const out: ProxyChild[] = [];
  for (const p of ps) if (((await p.health().catch(() => null))?.leaderOf.length ?? 0) > 0) out.push(p);
  return out;
}

async function propagate(live: InstanceChild[], boundMs: number): Promise<number> {
  const lcut = up.bump();
  const t0 = up.changedAt;
  await waitFor(`every instance on lcut ${lcut}`, () => live.every((i) => i.seenAt(lcut) !== null), boundMs, 5).catch(async (e: Error) => {
    // what each part knew when the change did not arrive
    const hs = await Promise.all(proxies.map((p) => p.health().catch((err: Error) => err.message)));
    const logs = proxies.map((p) => `--- ${p.name}\n${p.output.join('').split('\n').slice(-60).join('\n')}`).join('\n');
    throw new Error(`${e.message}; instances: ${live.map((i) => `${i.name}=${i.reports.at(-1)?.lcut}`).join(' ')}; proxies: ${JSON.stringify(hs)}\n${logs}`);
  });
  return Math.max(...live.map((i) => i.seenAt(lcut)!)) - t0;
}

describe('fleet on a Redis Cluster (3 masters + 3 replicas): HTTP and gRPC instances, a master killed', { timeout: 150_000 }, () => {
  before(async () => {
    await Promise.all([cluster.start(), up.start()]);
    const args = [
      '--cache', 'redis',
      '--redis-url', cluster.url,
      '--redis-key-prefix', prefix,
      '--upstream', up.url,
      '--polling-interval-ms', String(POLL_MS),
      '--redis-leader-ttl-ms', String(LEASE_TTL_MS),
      '--mode', 'grpc-and-http',
      '--grpc-port', '0',
      // the proxies' own account (lease changes, store writes and their outcome) goes into a failure's message
      '--debug',
    ];
    proxies = await Promise.all([startProxyChild('cl-proxy-a', args), startProxyChild('cl-proxy-b', args)]);
    for (const p of proxies) assert.equal((await fetch(`${p.url}/v1/download_config_specs/${FIXTURE_SECRET}.json`)).status, 200);
    const http = (p: ProxyChild) => ({ FL_PROXY_URL: p.url, FL_REDIS_URL: cluster.url, FL_REDIS_PREFIX: prefix });
    const grpc = (p: ProxyChild) => ({ ...http(p), FL_GRPC_ADDR: p.grpcAddr! });
    instances = await Promise.all([
      startInstance('cl-http-1', http(proxies[0]!)),
      startInstance('cl-http-2', http(proxies[1]!)),
      startInstance('cl-grpc-1', grpc(proxies[0]!)),
      startInstance('cl-grpc-2', grpc(proxies[1]!)),
    ]);
  });

  after(async () => {
    await Promise.all(instances.map((i) => i.stop().catch(() => {})));
    await Promise.all(proxies.map((p) => stopChild(p.proc)));
    await up.close();
    await cluster.dispose();
  });

  test('one writer: its lease and verdict keys live in the data key slot; one proxy polls upstream', async () => {
    await waitFor('one leader', async () => (await leaders(proxies)).length === 1, LEASE_TTL_MS * 3);
    const slot = await cluster.keyslot(prefix + DATA_KEY);
    assert.equal(await cluster.keyslot(leaseKeyOf(prefix, DATA_KEY)), slot);
    assert.equal(await cluster.keyslot(authKeyOf(prefix, DATA_KEY)), slot);
    const master = await cluster.masterPortOf(prefix + DATA_KEY);
    // the data key, the lease and the writer's verdict, all on that master (EXISTS on one node sees only its keys)
    const exists = async (k: string) => Number((await redisCli(master, 'EXISTS', k)).trim());
    await waitFor('data, lease and verdict keys on the slot master', async () => (await exists(prefix + DATA_KEY)) + (await exists(leaseKeyOf(prefix, DATA_KEY))) + (await exists(authKeyOf(prefix, DATA_KEY))) === 3, 5000);
    const before = new Map(up.dcsBySession);
    await sleep(2000);
    const polled = [...up.dcsBySession].filter(([s, n]) => n - (before.get(s) ?? 0) > 0);
    assert.equal(polled.length, 1, 'exactly one proxy polls upstream');
    for (const p of proxies) {
      const h = await p.health();
      assert.equal(h.redis?.topology, 'cluster');
      assert.equal(h.redis?.connected, true);
    }
  });

  test('spec changes reach every instance, polling and streaming', async () => {
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      await sleep(Math.random() * POLL_MS);
      times.push(await propagate(instances, 10_000));
    }
    console.log(`# cluster fleet: upstream change → all 4 instances, ms: ${times.map((t) => t.toFixed(0)).join(' ')}`);
    for (const i of instances) assert.equal((await i.eval()).lcut, up.time, i.name);
  });

  test('the master of the key slot killed: the replica takes over, the fleet keeps serving and learns the next lcut', async () => {
    const lcut = up.time;
    const victim = await cluster.masterPortOf(prefix + DATA_KEY);
    const t0 = Date.now();
    await cluster.kill(victim);
    // serving throughout: every instance answers from the specs it has
    const wrong: string[] = [];
    let answers = 0;
    const during = setInterval(() => {
      for (const i of instances) {
        void i.eval().then(
          (r) => {
            answers++;
            if (r.value !== true || r.lcut < lcut) wrong.push(`${i.name}: ${JSON.stringify(r)}`);
          },
          (e: Error) => wrong.push(`${i.name}: ${e.message}`),
        );
      }
    }, 200);
    try {
      await waitFor('a replica promoted for the slot', async () => (await cluster.masterPortOf(prefix + DATA_KEY)) !== victim, 20_000, 100);
      await cluster.waitHealthy();
      const promoted = Date.now() - t0;
      for (const i of instances) {
        const r = await i.eval();
        assert.equal(r.value, true, `${i.name} serves during the failover`);
        assert.ok(r.lcut >= lcut, `${i.name} keeps its specs`);
      }
      const ms = await propagate(instances, 30_000);
      console.log(`# cluster failover: slot master killed, replica serving after ${promoted} ms; next change reached all 4 instances in ${ms.toFixed(0)} ms`);
    } finally {
      clearInterval(during);
    }
    assert.deepEqual(wrong, [], 'every evaluation during the failover served the specs');
    assert.ok(answers >= instances.length, `evaluations during the failover: ${answers}`);
    await waitFor('a proxy counted the failover', async () => {
      const hs = await Promise.all(proxies.map((p) => p.health()));
      return hs.some((h) => (h.redis?.counters.failovers ?? 0) >= 1);
    }, 10_000, 100);
    // and the fleet goes on with one writer
    await waitFor('one leader after the failover', async () => (await leaders(proxies)).length === 1, LEASE_TTL_MS * 4);
    const ms = await propagate(instances, 10_000);
    console.log(`# cluster after failover: a further change reached all 4 instances in ${ms.toFixed(0)} ms`);
    for (const i of instances) assert.equal((await i.eval()).lcut, up.time, i.name);
  });
});
