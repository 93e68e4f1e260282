/**
 * `npm run bench:proxy`: throughput of the forward proxy's cached download_config_specs endpoint
 * against the same bytes served by a plain static node:http server (the baseline), with autocannon.
 * Both servers run as child processes; autocannon runs here. Bounded: ROUNDS rounds of DURATION
 * seconds per server, alternating, after a short warm-up. Prints req/s, p50/p99 latency, the ratio of
 * the averages and the median of the per-round ratios (target: proxy ≥ 90% of the baseline), with the
 * load average before and after: on a shared machine the rate of one server swings several-fold
 * between seconds, so one round pair says little; the median of many short pairs says more.
 *
 * The proxy runs as users run it, the compiled CLI (`dist/bin/firstlight.js proxy`, from `npm run
 * build:package`), when that build is newer than every source file under server/ and lib/; else from
 * source under tsx, which costs it more CPU per request than the product pays (the line says which).
 *
 * env: BENCH_DURATION_S (default 3), BENCH_ROUNDS (6), BENCH_CONNECTIONS (10), BENCH_PROXY_SOURCE=1 to run
 * the proxy from source even with a fresh build, BENCH_GZIP=1 to send
 * Accept-Encoding: gzip to both (the baseline then serves pre-gzipped bytes too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { request } from 'undici';
import { FakeUpstream, FIXTURE_SECRET } from '../test/fleet/support/fake-upstream';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (o: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const GZIP = process.env.BENCH_GZIP === '1';
const PATH = `/v1/download_config_specs/${FIXTURE_SECRET}.json`;

const STATIC_SERVER = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const body = readFileSync(process.argv[1]);
const gz = readFileSync(process.argv[2]);
const s = createServer((req, res) => {
  const useGz = String(req.headers['accept-encoding'] || '').includes('gzip');
  const b = useGz ? gz : body;
  const h = { 'content-type': 'application/json; charset=utf-8', 'content-length': b.length };
  if (useGz) h['content-encoding'] = 'gzip';
  res.writeHead(200, h);
  res.end(b);
});
s.keepAliveTimeout = 65000;
s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;

/** The compiled CLI when it was built after the last change to the sources it is built from. */
function compiledProxy(): string | null {
  const cli = join(ROOT, 'dist/bin/firstlight.js');
  if (process.env.BENCH_PROXY_SOURCE === '1' || !existsSync(cli)) return null;
  const built = statSync(cli).mtimeMs;
  for (const dir of ['server', 'lib', 'bin']) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true })) {
      if (String(f).endsWith('.ts') && statSync(join(ROOT, dir, String(f))).mtimeMs > built) return null;
    }
  }
  return cli;
}

function startChild(cmd: string, args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`did not start: ${out}`)), 20_000);
    const on = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ url: m[1]!, proc });
      }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await done;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  bytesPerSec: number;
  non2xx: number;
  errors: number;
}

async function cannon(url: string, duration: number): Promise<Run> {
  const r = await autocannon({
    url: url + PATH,
    connections: CONNECTIONS,
    duration,
    headers: GZIP ? { 'accept-encoding': 'gzip' } : {},
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bytesPerSec: r.throughput.average,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main(): Promise<void> {
  const up = new FakeUpstream();
  await up.start();
  const dir = mkdtempSync(join(tmpdir(), 'firstlight-bench-'));
  const cli = compiledProxy();
  const proxyArgs = ['--port', '0', '--upstream', up.url];
  const proxy = await startChild(process.execPath, cli ? [cli, 'proxy', ...proxyArgs] : ['--import', 'tsx', 'bin/proxy.ts', ...proxyArgs]);
  try {
    // the proxy's cached bytes are the baseline's payload: identical responses
    const res = await request(proxy.url + PATH);
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`proxy answered ${res.statusCode}`);
    const bodyFile = join(dir, 'dcs.json');
    const gzFile = join(dir, 'dcs.json.gz');
    writeFileSync(bodyFile, body);
    writeFileSync(gzFile, gzipSync(body));
    const baseline = await startChild(process.execPath, ['-e', STATIC_SERVER, bodyFile, gzFile]);
    try {
      await cannon(baseline.url, 1); // warm-up
      await cannon(proxy.url, 1);
      const runs: { proxy: Run[]; baseline: Run[] } = { proxy: [], baseline: [] };
      const loadBefore = loadavg();
      for (let i = 0; i < ROUNDS; i++) {
        // alternate which goes first, so neither always meets the machine as the other left it
        if (i % 2 === 0) {
          runs.baseline.push(await cannon(baseline.url, DURATION));
          runs.proxy.push(await cannon(proxy.url, DURATION));
        } else {
          runs.proxy.push(await cannon(proxy.url, DURATION));
          runs.baseline.push(await cannon(baseline.url, DURATION));
        }
      }
      const loadAfter = loadavg();
      const pairs = runs.proxy.map((p, i) => p.rps / runs.baseline[i]!.rps).sort((a, b) => a - b);
      const median = pairs.length % 2 ? pairs[(pairs.length - 1) / 2]! : (pairs[pairs.length / 2 - 1]! + pairs[pairs.length / 2]!) / 2;
      const avg = (xs: Run[], k: keyof Run) => xs.reduce((a, r) => a + r[k], 0) / xs.length;
      const line = (name: string, xs: Run[]) =>
        `${name.padEnd(22)} ${avg(xs, 'rps').toFixed(0).padStart(8)} req/s   p50 ${avg(xs, 'p50').toFixed(2)} ms   p99 ${avg(xs, 'p99').toFixed(2)} ms   ${(avg(xs, 'bytesPerSec') / 1e6).toFixed(1)} MB/s   non-2xx ${avg(xs, 'non2xx')}  errors ${avg(xs, 'errors')}`;
      const ratio = avg(runs.proxy, 'rps') / avg(runs.baseline, 'rps');
      console.log(
        `\nforward proxy cached DCS vs static node:http — payload ${body.length} bytes${GZIP ? ' (gzip requested)' : ''}, ` +
          `${CONNECTIONS} connections, ${ROUNDS} × ${DURATION} s each, node ${process.version}, ` +
          `proxy ${cli ? 'compiled (dist/bin/firstlight.js)' : 'from source under tsx (no fresh build:package)'}`,
      );
      console.log(line('static baseline', runs.baseline));
      console.log(line('firstlight proxy', runs.proxy));
      console.log(`ratio proxy/baseline: ${(ratio * 100).toFixed(1)}% of the averages, median of ${pairs.length} round pairs ${(median * 100).toFixed(1)}% (target ≥ 90%)`);
      console.log(`per-pair ratios: ${pairs.map((r) => `${(r * 100).toFixed(0)}%`).join(' ')}`);
      console.log(`load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
      if (runs.proxy.some((r) => r.non2xx > 0 || r.errors > 0)) process.exitCode = 1;
    } finally {
      await stop(baseline.proc);
    }
  } finally {
    await stop(proxy.proc);
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
