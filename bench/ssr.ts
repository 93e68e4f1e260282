/**
 * `npm run bench:ssr` — what flags + bootstrap cost a server-rendered page.
 *
 * Starts the production build (`next build` first when .next is missing) on a free port with the
 * benchmark routes enabled, then runs autocannon, one run per target:
 *   /bench/plain              the storefront with fixed values (no evaluation, no bootstrap, no SDK)
 *   /bench/flags              the same storefront: user from the request, one evaluation, server
 *                             exposure, bootstrap serialised into the page, client SDK rendered
 *   /api/bench/precomputed    a precomputed JSON payload of the bootstrap's size
 *   /api/statsig/bootstrap            the real bootstrap route (user, evaluation, ETag, serialisation)
 * and prints requests/s, p50/p99 latency, the server's CPU time per request (from /proc, the
 * server process and its children; autocannon shares the machine's cores, so CPU per request is the
 * steadier figure) and the cost of the feature as a share of the page's server time, both as
 * 1 - rps_flags / rps_plain and as (cpu_flags - cpu_plain) / cpu_flags. The targets run
 * interleaved for BENCH_ROUNDS rounds, in reverse order every other round; requests/s reports each
 * target's best round, CPU per request sums all rounds.
 * Env: BENCH_DURATION (s per round, default 5), BENCH_CONNECTIONS (10), BENCH_ROUNDS (3).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  throughput: { average: number };
}
type Autocannon = (opts: { url: string; connections: number; duration: number; headers?: Record<string, string> }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COOKIE = 'statsig.stable_id.3472641239=bench000-0000-4000-8000-000000000001; fl_user=carol';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(url: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not become ready: ${url}`);
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * CPU time (user + system, ms) of a process and all its descendants, from /proc: the server's own
 * cost per request, which a load generator sharing the machine's two cores cannot blur the way it
 * blurs requests per second. Returns NaN where /proc is missing.
 */
function treeCpuMs(root: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return NaN;
  }
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const d of entries) {
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      // fields after "pid (comm)": state ppid … utime(14) stime(15); comm may contain spaces
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended while we read
    }
  }
  let ticks = 0;
  for (const [pid, st] of stats) {
    for (let p: number | undefined = pid; p !== undefined && p > 0; p = stats.get(p)?.ppid) {
      if (p === root) {
        ticks += st.ticks;
        break;
      }
    }
  }
  return (ticks * 1000) / CLK_TCK;
}

function fmt(n: number, d = 0): string {
  return n.toFixed(d);
}

async function main(): Promise<void> {
  const next = join('node_modules', '.bin', 'next');
  if (!existsSync(join('.next', 'BUILD_ID'))) {
    console.log('[bench:ssr] no production build: running next build …');
    const r = spawnSync(next, ['build'], { stdio: 'inherit', env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const eventLog = join(mkdtempSync(join(tmpdir(), 'firstlight-bench-')), 'events.jsonl');
  const server: ChildProcess = spawn(next, ['start', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...env, FIRSTLIGHT_BENCH_ROUTES: '1', FIRSTLIGHT_EVENT_LOG: eventLog },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    await waitFor(`${origin}/api/statsig/health`);
    // a browser page load (the flags page logs its server-side exposure, as for a real visitor)
    const headers = { cookie: COOKIE, accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
    const targets = [
      { name: 'page without flags (/bench/plain)', path: '/bench/plain' },
      { name: 'page with flags + bootstrap (/bench/flags)', path: '/bench/flags' },
      { name: 'precomputed JSON (/api/bench/precomputed)', path: '/api/bench/precomputed' },
      { name: 'GET /api/statsig/bootstrap', path: '/api/statsig/bootstrap' },
    ];
    // sizes and warm-up (JIT, module graph)
    const sizes: Record<string, number> = {};
    for (const t of targets) {
      for (let i = 0; i < 30; i++) {
        const r = await fetch(origin + t.path, { headers });
        if (!r.ok) throw new Error(`${t.path}: HTTP ${r.status}`);
        sizes[t.path] = (await r.arrayBuffer()).byteLength;
      }
    }
    const results: Record<string, AutocannonResult> = {};
    const cpu: Record<string, { ms: number; requests: number }> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      // every other round runs the targets in reverse, so warm-up and drift do not favour one
      for (const t of round % 2 === 1 ? targets : [...targets].reverse()) {
        process.stdout.write(`[bench:ssr] round ${round}/${ROUNDS} ${t.name}: ${DURATION}s × ${CONNECTIONS} connections … `);
        const cpu0 = treeCpuMs(server.pid!);
        const r = await autocannon({ url: origin + t.path, connections: CONNECTIONS, duration: DURATION, headers });
        const c = (cpu[t.path] ??= { ms: 0, requests: 0 });
        c.ms += treeCpuMs(server.pid!) - cpu0;
        c.requests += r.requests.total;
        console.log(`${fmt(r.requests.average)} req/s`);
        if (r.non2xx || r.errors) throw new Error(`${t.path}: non-2xx ${r.non2xx}, errors ${r.errors}`);
        const best = results[t.path];
        if (!best || r.requests.average > best.requests.average) results[t.path] = r;
      }
    }
    const cpuPerReq = (path: string) => cpu[path]!.ms / cpu[path]!.requests;
    const row = (t: (typeof targets)[number]) => {
      const r = results[t.path]!;
      return `| ${t.name.padEnd(44)} | ${String(sizes[t.path]).padStart(7)} | ${fmt(r.requests.average).padStart(7)} | ${fmt(r.latency.p50, 1).padStart(6)} | ${fmt(r.latency.p99, 1).padStart(6)} | ${fmt(cpuPerReq(t.path), 2).padStart(9)} |`;
    };
    console.log('');
    console.log(`| ${'target'.padEnd(44)} | ${'bytes'.padStart(7)} | ${'req/s'.padStart(7)} | ${'p50 ms'.padStart(6)} | ${'p99 ms'.padStart(6)} | ${'CPU ms/req'.padStart(9)} |`);
    console.log(`|${'-'.repeat(46)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(8)}|${'-'.repeat(8)}|${'-'.repeat(11)}|`);
    for (const t of targets) console.log(row(t));
    const plain = results['/bench/plain']!.requests.average;
    const flags = results['/bench/flags']!.requests.average;
    const pre = results['/api/bench/precomputed']!.requests.average;
    const boot = results['/api/statsig/bootstrap']!.requests.average;
    const cost = 1 - flags / plain;
    console.log('');
    console.log(`page ratio (flags / plain req/s): ${fmt(flags / plain, 3)}  →  flags + bootstrap cost ${fmt(cost * 100, 1)}% of the page's server time (target ≤ 3%)`);
    const cpuPlain = cpuPerReq('/bench/plain');
    const cpuFlags = cpuPerReq('/bench/flags');
    console.log(
      `server CPU per request (all rounds): plain ${fmt(cpuPlain, 2)} ms, flags ${fmt(cpuFlags, 2)} ms  →  flags + bootstrap cost ${fmt(((cpuFlags - cpuPlain) / cpuFlags) * 100, 1)}% of the page's server CPU time (target ≤ 3%)`,
    );
    console.log(`bootstrap route ratio (/api/statsig/bootstrap / precomputed req/s): ${fmt(boot / pre, 3)}; server CPU per request ${fmt(cpuPerReq('/api/statsig/bootstrap'), 2)} ms vs ${fmt(cpuPerReq('/api/bench/precomputed'), 2)} ms`);
  } finally {
    stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
