/**
 * `npm run bench:grpc-streams`: STREAMS concurrent StreamConfigSpec streams on one forward proxy (a
 * child process, --mode grpc) serving a generated project of SIZE. Reports the proxy's RSS before and
 * with the streams open (per stream), and for one spec change: the time from the upstream change until
 * every stream has received the new specs, the proxy's own install → handed-to-every-stream time
 * (its push-latency histogram), and its peak RSS while pushing.
 *
 * The streams are raw @grpc/grpc-js calls spread over CHANNELS connections; their messages are not
 * decoded (only sized), so the bench process does not measure its own JSON handling.
 *
 * env: STREAMS (1000), CHANNELS (20), SIZE (large: ~590 KB of JSON; xlarge ~2.9 MB)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { credentials, type Client } from '@grpc/grpc-js';
import { generateDcs, type DcsSize } from '../bin/generate/generate-dcs';
import { loadProtocol } from '../server/proxy/grpc/proto';
import { FakeUpstream, FIXTURE_SECRET } from '../test/fleet/support/fake-upstream';
import { startProxyChild, stopChild } from '../test/fleet/support/fleet';
import { sleep, waitFor } from '../test/fleet/support/wait';

const STREAMS = Number(process.env.STREAMS ?? 1000);
const CHANNELS = Number(process.env.CHANNELS ?? 20);
const SIZE = (process.env.SIZE ?? 'large') as DcsSize;
const PATH = '/statsig_forward_proxy.StatsigForwardProxy/StreamConfigSpec';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-grpc-bench-'));
  const file = join(dir, `${SIZE}.json`);
  writeFileSync(file, JSON.stringify(generateDcs({ size: SIZE, seed: 'grpc-streams' }).dcs));
  const up = new FakeUpstream(pathToFileURL(file));
  await up.start();
  const payloadBytes = Buffer.byteLength(up.payloadFor(FIXTURE_SECRET));
  const proxy = await startProxyChild('proxy', [
    '--upstream', up.url, '--mode', 'grpc', '--grpc-port', '0', '--polling-interval-ms', '200',
    '--grpc-max-concurrent-streams', String(STREAMS + 10),
  ]);
  const pid = proxy.proc.pid!;
  const { proxyService, ProxyClient } = await loadProtocol();
  const encode = proxyService.StreamConfigSpec!.requestSerialize as (m: unknown) => Buffer;
  const clients: Client[] = [];
  try {
    // the key once, so the proxy has it before the streams arrive
    const warm = new ProxyClient(proxy.grpcAddr!, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
    clients.push(warm);
    await new Promise<void>((res, rej) =>
      (warm as unknown as { getConfigSpec(r: unknown, cb: (e: Error | null) => void): void }).getConfigSpec({ sdkKey: FIXTURE_SECRET }, (e) => (e ? rej(e) : res())),
    );
    await sleep(500);
    const rssBefore = rssMb(pid);

    for (let i = 0; i < CHANNELS; i++) {
      clients.push(new ProxyClient(proxy.grpcAddr!, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1, 'grpc.use_local_subchannel_pool': 1 }));
    }
    const full = new Array<number>(STREAMS).fill(0);
    const lastFullAt = new Array<number>(STREAMS).fill(0);
    for (let i = 0; i < STREAMS; i++) {
      const c = clients[1 + (i % CHANNELS)]!;
      const call = c.makeServerStreamRequest(PATH, encode, (b: Buffer) => b.length, { sdkKey: FIXTURE_SECRET });
      call.on('data', (len: number) => {
        if (len > 1000) {
          full[i]!++;
          lastFullAt[i] = performance.timeOrigin + performance.now();
        }
      });
      call.on('error', () => {});
    }
    await waitFor('every stream has its first message', () => full.every((n) => n >= 1), 120_000, 50);
    await sleep(1000);
    const rssOpen = rssMb(pid);

    let peak = rssOpen;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
    up.bump();
    const t0 = up.changedAt;
    await waitFor('every stream has the pushed specs', () => full.every((n) => n >= 2), 120_000, 5);
    const allAt = Math.max(...lastFullAt);
    clearInterval(sampler);
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    const sum = Number(/^firstlight_proxy_grpc_push_latency_seconds_sum (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    const count = Number(/^firstlight_proxy_grpc_push_latency_seconds_count (\S+)$/m.exec(metrics)?.[1] ?? NaN);

    console.log(`\n${STREAMS} concurrent streams on one proxy (${CHANNELS} connections), ${SIZE} project: ${(payloadBytes / 1024).toFixed(0)} KiB of DCS JSON, node ${process.version}`);
    console.log(`proxy RSS: ${rssBefore.toFixed(1)} MB with the key cached → ${rssOpen.toFixed(1)} MB with the streams open: ${(((rssOpen - rssBefore) * 1024) / STREAMS).toFixed(1)} KiB per stream`);
    console.log(`one change: upstream change → all ${STREAMS} streams received the new specs: ${(allAt - t0).toFixed(0)} ms (includes up to one 200 ms poll)`);
    console.log(`proxy: installed → handed to every stream: ${count === 1 ? `${(sum * 1000).toFixed(1)} ms` : `${count} pushes, mean ${((sum / count) * 1000).toFixed(1)} ms`}; peak RSS while pushing ${peak.toFixed(1)} MB (+${(peak - rssOpen).toFixed(1)} MB)`);
  } finally {
    for (const c of clients) c.close();
    await stopChild(proxy.proc);
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
