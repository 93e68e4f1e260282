/**
 * `npx tsx bench/propagation.ts`: how fast a spec change reaches every SDK instance of a fleet.
 * Same topology as test/fleet/fleet.test.ts — a fake upstream (here), two forward proxies (cache=redis)
 * sharing a private redis-server, SDK instances (the Statsig facade + a RedisDataStore reader) — then
 * CHANGES upstream changes, each at a random phase of the poll timer. Reports, per change:
 *   end-to-end: upstream starts serving it → the last instance evaluates with it
 *   fan-out:    the writer announces it on Redis → the last instance evaluates with it
 *
 * `--streaming` (or STREAMING=1): the proxies also serve gRPC (--mode grpc-and-http) and every SDK
 * instance streams from one of them (proxyConfigs grpc_websocket, no data store, no polling). The
 * fan-out line then measures from the writer's Redis announcement (published right after it installed
 * and stored the lcut) until the last streaming instance evaluates with it: one proxy pushes it from
 * its own poll, the other from the announcement.
 *
 * env: CHANGES (default 50), POLL_MS (200), INSTANCES (3, 4 when streaming)
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { dataStoreKey, lcutChannelOf } from '../server/fleet/keys';
import { FakeUpstream, FIXTURE_SECRET } from '../test/fleet/support/fake-upstream';
import { startInstance, startProxyChild, stopChild, type InstanceChild, type ProxyChild } from '../test/fleet/support/fleet';
import { PrivateRedis } from '../test/fleet/support/private-redis';
import { percentile, sleep, waitFor } from '../test/fleet/support/wait';

const STREAMING = process.argv.includes('--streaming') || process.env.STREAMING === '1';
const CHANGES = Number(process.env.CHANGES ?? 50);
const POLL_MS = Number(process.env.POLL_MS ?? 200);
const INSTANCES = Number(process.env.INSTANCES ?? (STREAMING ? 4 : 3));

async function main(): Promise<void> {
  const up = new FakeUpstream();
  const redis = new PrivateRedis();
  const prefix = `flbench:${randomUUID().slice(0, 8)}:`;
  await Promise.all([redis.start(), up.start()]);
  let proxies: ProxyChild[] = [];
  let instances: InstanceChild[] = [];
  const sub = new Redis(redis.url);
  const announced = new Map<number, number>();
  try {
    const args = ['--cache', 'redis', '--redis-url', redis.url, '--redis-key-prefix', prefix, '--upstream', up.url, '--polling-interval-ms', String(POLL_MS)];
    if (STREAMING) args.push('--mode', 'grpc-and-http', '--grpc-port', '0');
    proxies = await Promise.all([startProxyChild('proxy-a', args), startProxyChild('proxy-b', args)]);
    for (const p of proxies) await fetch(`${p.url}/v1/download_config_specs/${FIXTURE_SECRET}.json`);
    const env = (p: ProxyChild): Record<string, string> => ({
      FL_PROXY_URL: p.url,
      FL_REDIS_URL: redis.url,
      FL_REDIS_PREFIX: prefix,
      ...(STREAMING ? { FL_GRPC_ADDR: p.grpcAddr! } : {}),
    });
    instances = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => startInstance(`sdk-${i + 1}`, env(proxies[i % 2]!))));
    await sub.subscribe(lcutChannelOf(prefix, dataStoreKey(FIXTURE_SECRET, '/v1/download_config_specs')));
    sub.on('message', (_ch: string, msg: string) => {
      if (!announced.has(Number(msg))) announced.set(Number(msg), performance.timeOrigin + performance.now());
    });

    const e2e: number[] = [];
    const fanout: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      await sleep(Math.random() * POLL_MS);
      const lcut = up.bump();
      const t0 = up.changedAt;
      await waitFor(`lcut ${lcut} everywhere`, () => instances.every((x) => x.seenAt(lcut) !== null), 10_000, 2);
      const last = Math.max(...instances.map((x) => x.seenAt(lcut)!));
      e2e.push(last - t0);
      const a = announced.get(lcut);
      if (a !== undefined) fanout.push(last - a);
    }
    const fmt = (name: string, xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `${name.padEnd(44)} n=${s.length}  p50 ${percentile(s, 50).toFixed(1)} ms  p99 ${percentile(s, 99).toFixed(1)} ms  max ${s[s.length - 1]!.toFixed(1)} ms`;
    };
    const how = STREAMING ? 'streaming over gRPC, half from each proxy' : 'polling a proxy + Redis reader';
    console.log(`\nfleet propagation: 2 proxies (cache=redis, poll ${POLL_MS} ms), ${INSTANCES} SDK instances (${how}), ${CHANGES} changes, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(fmt('end-to-end (upstream change → all evaluate)', e2e));
    console.log(fmt('fan-out (Redis announcement → all evaluate)', fanout));
    if (STREAMING) {
      // each proxy's own figure: from receiving a new lcut's payload (its poll, or the store after the
      // announcement) to handing it to every open stream
      for (const p of proxies) {
        const h = await p.health();
        const l = h.grpc?.pushLatencyMs;
        console.log(`  ${p.name} (${h.leaderOf.length > 0 ? 'writer' : 'follower'}): push latency n=${l?.n} p50 ${l?.p50} ms p99 ${l?.p99} ms max ${l?.max} ms, pushes ${h.grpc?.pushesFull}`);
      }
    }
    if (STREAMING) {
      const p99 = percentile([...fanout].sort((a, b) => a - b), 99);
      console.log(`target: p99 < 100 ms from the writer's announcement to every streaming instance → ${p99 < 100 ? 'met' : 'MISSED'}`);
    } else console.log(`target: p99 < 1000 ms end-to-end → ${percentile([...e2e].sort((a, b) => a - b), 99) < 1000 ? 'met' : 'MISSED'}`);
  } finally {
    sub.disconnect();
    await Promise.all(instances.map((i) => i.stop().catch(() => {})));
    await Promise.all(proxies.map((p) => stopChild(p.proc)));
    await up.close();
    await redis.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
