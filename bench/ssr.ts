/**
 * `npm run bench:ssr` — what flags + bootstrap cost a server-rendered page.
 *
 * Starts the production build (`next build` first when .next is missing) twice, on free ports, with
 * the benchmark routes enabled, and runs autocannon against each target:
 *
 * Demo project (data/demo-dcs.json, a ~2 KB bootstrap):
 *   /bench/plain              the storefront with fixed values (no evaluation, no bootstrap, no SDK)
 *   /bench/flags              the same storefront: user from the request, one evaluation, server
 *                             exposure, bootstrap serialised into the page, client SDK rendered
 *   /bench/flags-v2           the same with the bootstrap in the init-v2 format (per-call `format`)
 *   /api/bench/precomputed    a precomputed JSON payload of the bootstrap's size
 *   /api/statsig/bootstrap    the real bootstrap route (user, evaluation, ETag, serialisation)
 *
 * Large generated project (generateDcs({ size: 'large', seed: 1 }), a ~88 KB bootstrap, written to a
 * temp dir and served with FIRSTLIGHT_SPECS_FILE and its server secret; no ID lists: the service has
 * no ID-list file setting, so list conditions see empty lists). The page reads 7 of its entities
 * (3 gates, one on the server, 2 experiments, 1 config, 1 layer; names in FIRSTLIGHT_BENCH_ENTITIES):
 *   /bench/large/plain        the same page with fixed values
 *   /bench/large/full         flags + the full bootstrap (v1)
 *   /bench/large/only         flags + a bootstrap limited with `only` to the 7 entities the page reads
 *   /bench/large/full-v2      flags + the full bootstrap, init-v2
 *   /bench/large/only-v2      flags + the `only` bootstrap, init-v2
 *
 * Prints requests/s, p50/p99 latency, the server's CPU time per request (from /proc, the server
 * process and its children; autocannon shares the machine's cores, so CPU per request is the
 * steadier figure), the cost of flags + bootstrap as a share of the page's server CPU
 * ((cpu_flags - cpu_plain) / cpu_flags, over all rounds and its range over single rounds), and each
 * page's HTML bytes, raw and gzip (node:zlib, level 6), with the bootstrap's own bytes as the page's
 * RSC row carries it. The targets of a project run interleaved for BENCH_ROUNDS rounds (default: one
 * per target), each round rotated by one, so every target runs in every position once; requests/s
 * reports each target's best round, CPU per request sums all rounds. Responses are not compressed
 * (autocannon sends no accept-encoding), so compression is not in the CPU figures.
 *
 * Env: BENCH_DURATION (s per target and round, default 3), BENCH_CONNECTIONS (10), BENCH_ROUNDS
 * (default: the number of targets, 5), BENCH_ONLY=demo|large (one project), BENCH_CPU_PROF=<dir>
 * (the servers run with --cpu-prof, profiles written there when they stop).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateDcs } from '../bin/generate/generate-dcs';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  throughput: { average: number };
}
type Autocannon = (opts: { url: string; connections: number; duration: number; headers?: Record<string, string> }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ONLY = process.env.BENCH_ONLY;
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const COOKIE = 'statsig.stable_id.3472641239=bench000-0000-4000-8000-000000000001; fl_user=carol';
// a browser page load (the flags pages log their server-side exposure, as for a real visitor)
const HEADERS = { cookie: COOKIE, accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const NEXT = join('node_modules', '.bin', 'next');

interface Target {
  name: string;
  path: string;
  /** an HTML page: its bytes are reported */
  page?: boolean;
}

interface Project {
  title: string;
  env: Record<string, string>;
  plain: string;
  targets: Target[];
  /** the flagged pages, each compared with `plain` */
  flagged: string[];
}

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

async function waitFor(url: string, ms = 60_000): Promise<void> {
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

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function fmt(n: number, d = 0): string {
  return n.toFixed(d);
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Every target once per round, the order rotated by one each round: every target in every position. */
export function rotation<T>(targets: readonly T[], round: number): T[] {
  const k = round % targets.length;
  return [...targets.slice(k), ...targets.slice(0, k)];
}

/** The bytes of the RSC text rows (`<id>:T<hex length>,`) in a page: the bootstrap string's own size. */
function rscTextRowBytes(html: string): number {
  let total = 0;
  for (const m of html.matchAll(/(?:^|\\n|")[0-9a-f]+:T([0-9a-f]+),/g)) total += parseInt(m[1]!, 16);
  return total;
}

interface Measured {
  best: Record<string, AutocannonResult>;
  cpu: Record<string, { ms: number; requests: number; perRound: number[] }>;
  bytes: Record<string, { raw: number; gzip: number; bootstrap: number }>;
}

async function startServer(extra: Record<string, string>, dir: string): Promise<{ origin: string; server: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const serverEnv: NodeJS.ProcessEnv = {
    ...env,
    FIRSTLIGHT_BENCH_ROUTES: '1',
    FIRSTLIGHT_EVENT_LOG: join(dir, 'events.jsonl'),
    FIRSTLIGHT_EVENT_SPOOL_DIR: join(dir, 'spool'),
    ...extra,
  };
  const args = ['start', '-H', '127.0.0.1', '-p', String(port)];
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
  // --cpu-prof is not allowed in NODE_OPTIONS: node runs next's CLI itself (it serves in-process)
  const server = CPU_PROF
    ? spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, join('node_modules', 'next', 'dist', 'bin', 'next'), ...args], { env: serverEnv, stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn(NEXT, args, { env: serverEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  const stop = async () => {
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };
  process.once('SIGINT', () => {
    server.kill('SIGTERM');
    process.exit(130);
  });
  await waitFor(`${origin}/api/statsig/health`);
  return { origin, server, stop };
}

async function measure(p: Project): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'firstlight-bench-ssr-'));
  const { origin, server, stop } = await startServer(p.env, dir);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? p.targets.length));
  const m: Measured = { best: {}, cpu: {}, bytes: {} };
  try {
    // warm-up (JIT, module graph) and bytes
    for (const t of p.targets) {
      for (let i = 0; i < 40; i++) {
        const r = await fetch(origin + t.path, { headers: HEADERS });
        if (!r.ok) throw new Error(`${t.path}: HTTP ${r.status}`);
        const body = Buffer.from(await r.arrayBuffer());
        if (i === 0) m.bytes[t.path] = { raw: body.byteLength, gzip: gzipSync(body, { level: 6 }).byteLength, bootstrap: t.page ? rscTextRowBytes(body.toString('utf8')) : 0 };
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const t of rotation(p.targets, round)) {
        process.stderr.write(`[bench:ssr] ${p.title}: round ${round + 1}/${rounds} ${t.path}: ${DURATION}s × ${CONNECTIONS} connections … `);
        const cpu0 = treeCpuMs(server.pid!);
        const r = await autocannon({ url: origin + t.path, connections: CONNECTIONS, duration: DURATION, headers: HEADERS });
        const ms = treeCpuMs(server.pid!) - cpu0;
        const c = (m.cpu[t.path] ??= { ms: 0, requests: 0, perRound: [] });
        c.ms += ms;
        c.requests += r.requests.total;
        c.perRound[round] = ms / r.requests.total;
        process.stderr.write(`${fmt(r.requests.average)} req/s, ${fmt(ms / r.requests.total, 2)} ms CPU/req\n`);
        if (r.non2xx || r.errors) throw new Error(`${t.path}: non-2xx ${r.non2xx}, errors ${r.errors}`);
        const best = m.best[t.path];
        if (!best || r.requests.average > best.requests.average) m.best[t.path] = r;
      }
    }
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return m;
}

function report(p: Project, m: Measured): void {
  const cpuPerReq = (path: string) => m.cpu[path]!.ms / m.cpu[path]!.requests;
  const w = Math.max(...p.targets.map((t) => t.name.length));
  console.log(`\n### ${p.title}\n`);
  console.log(`| ${'target'.padEnd(w)} | req/s (best round) | p50 ms | p99 ms | server CPU ms/req |`);
  console.log(`|${'-'.repeat(w + 2)}|---:|---:|---:|---:|`);
  for (const t of p.targets) {
    const r = m.best[t.path]!;
    console.log(`| ${t.name.padEnd(w)} | ${fmt(r.requests.average).padStart(7)} | ${fmt(r.latency.p50, 1).padStart(6)} | ${fmt(r.latency.p99, 1).padStart(6)} | ${fmt(cpuPerReq(t.path), 2).padStart(6)} |`);
  }
  const plainCpu = cpuPerReq(p.plain);
  const plainRps = m.best[p.plain]!.requests.average;
  console.log('');
  console.log(`| flags + bootstrap vs ${p.plain} | CPU ms/req added | share of the page's server CPU (all rounds) | single rounds (min–max) | by req/s (best rounds) |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const path of p.flagged) {
    const f = cpuPerReq(path);
    const rounds = m.cpu[path]!.perRound.map((x, i) => (x - m.cpu[p.plain]!.perRound[i]!) / x);
    const rps = m.best[path]!.requests.average;
    console.log(
      `| ${path} | ${fmt(f - plainCpu, 2)} | **${fmt(((f - plainCpu) / f) * 100, 1)}%** | ${fmt(Math.min(...rounds) * 100, 1)}% – ${fmt(Math.max(...rounds) * 100, 1)}% (median ${fmt(median(rounds) * 100, 1)}%) | ${fmt((1 - rps / plainRps) * 100, 1)}% |`,
    );
  }
  console.log('\ntarget ≤ 3% of the page\'s server CPU\n');
  const pages = p.targets.filter((t) => t.page);
  const plainBytes = m.bytes[p.plain]!;
  console.log('| page | HTML bytes | gzip | bootstrap in it (RSC row) | HTML added vs plain | gzip added |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const t of pages) {
    const b = m.bytes[t.path]!;
    const added = t.path === p.plain ? '—' : int(b.raw - plainBytes.raw);
    const addedGz = t.path === p.plain ? '—' : int(b.gzip - plainBytes.gzip);
    console.log(`| ${t.path} | ${int(b.raw)} | ${int(b.gzip)} | ${b.bootstrap ? int(b.bootstrap) : '—'} | ${added} | ${addedGz} |`);
  }
  const other = p.targets.filter((t) => !t.page);
  if (other.length === 2) {
    const [pre, boot] = other as [Target, Target];
    console.log(
      `\n${boot.path} / ${pre.path} req/s: ${fmt(m.best[boot.path]!.requests.average / m.best[pre.path]!.requests.average, 3)}; server CPU per request ${fmt(cpuPerReq(boot.path), 2)} ms vs ${fmt(cpuPerReq(pre.path), 2)} ms (${int(m.bytes[boot.path]!.raw)} bytes)`,
    );
  }
}

function demoProject(): Project {
  return {
    title: 'demo storefront (data/demo-dcs.json)',
    env: {},
    plain: '/bench/plain',
    targets: [
      { name: 'page without flags (/bench/plain)', path: '/bench/plain', page: true },
      { name: 'page with flags + bootstrap (/bench/flags)', path: '/bench/flags', page: true },
      { name: 'the same, init-v2 (/bench/flags-v2)', path: '/bench/flags-v2', page: true },
      { name: 'precomputed JSON (/api/bench/precomputed)', path: '/api/bench/precomputed' },
      { name: 'GET /api/statsig/bootstrap', path: '/api/statsig/bootstrap' },
    ],
    flagged: ['/bench/flags', '/bench/flags-v2'],
  };
}

function largeProject(dir: string): Project {
  const g = generateDcs({ size: 'large', seed: 1 });
  const specsFile = join(dir, 'large-dcs.json');
  writeFileSync(specsFile, JSON.stringify(g.dcs));
  const gates = g.dcs.feature_gates.filter((s) => s.entity === 'feature_gate').slice(0, 3).map((s) => s.name);
  const experiments = g.dcs.dynamic_configs.filter((s) => s.entity === 'experiment').slice(0, 2).map((s) => s.name);
  const configs = g.dcs.dynamic_configs.filter((s) => s.entity === 'dynamic_config').slice(0, 1).map((s) => s.name);
  const layers = g.dcs.layer_configs.slice(0, 1).map((s) => s.name);
  return {
    title: `large generated project (generateDcs large, seed 1; the page reads ${gates.length + experiments.length + configs.length + layers.length} entities)`,
    env: {
      FIRSTLIGHT_SPECS_FILE: specsFile,
      FIRSTLIGHT_SERVER_SECRET: g.secret,
      FIRSTLIGHT_BENCH_ENTITIES: JSON.stringify({ gates, experiments, configs, layers }),
    },
    plain: '/bench/large/plain',
    targets: [
      { name: 'page without flags (/bench/large/plain)', path: '/bench/large/plain', page: true },
      { name: 'flags + full bootstrap (/bench/large/full)', path: '/bench/large/full', page: true },
      { name: 'flags + `only` bootstrap (/bench/large/only)', path: '/bench/large/only', page: true },
      { name: 'flags + full, init-v2 (/bench/large/full-v2)', path: '/bench/large/full-v2', page: true },
      { name: 'flags + `only`, init-v2 (/bench/large/only-v2)', path: '/bench/large/only-v2', page: true },
    ],
    flagged: ['/bench/large/full', '/bench/large/only', '/bench/large/full-v2', '/bench/large/only-v2'],
  };
}

async function main(): Promise<void> {
  if (!existsSync(join('.next', 'BUILD_ID'))) {
    console.error('[bench:ssr] no production build: running next build …');
    const r = spawnSync(NEXT, ['build'], { stdio: 'inherit', env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'firstlight-bench-ssr-specs-'));
  const started = Date.now();
  try {
    const projects = [demoProject(), largeProject(dir)].filter((p) => !ONLY || p.title.startsWith(ONLY));
    const results: [Project, Measured][] = [];
    for (const p of projects) results.push([p, await measure(p)]);
    console.log(`\nnpm run bench:ssr — ${DURATION}s × ${CONNECTIONS} connections per target and round, load average ${loadAverage()}, ${fmt((Date.now() - started) / 1000)} s`);
    for (const [p, m] of results) report(p, m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
