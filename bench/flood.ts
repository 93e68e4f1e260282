/**
 * `npx tsx bench/flood.ts` (after `npx next build`): a victim's GET /api/statsig/bootstrap latency while
 * one client floods /api/statsig/rgstr with the public client key, against the built service on
 * loopback. Reports the victim's p50/p99 unloaded and under flood, and their ratio (target: p99 ≤ 2×).
 *
 * Flood shapes (FLOOD): `bomb` — 12 KB gzip bodies inflating to ~4 MB, the attack the issue measured;
 * `big` — 120 KB plain JSON batches of 500 events; `noop` — empty POSTs to a path the catch-all answers
 * 404 (the floor: what any request costs the Next server before Firstlight code runs). The flooder keeps one stable-ID cookie and one IP,
 * CONCURRENCY requests in flight. env: PORT (E2E_PORT + 190), SAMPLES (300), ROUNDS (6, unloaded and flooded alternate),
 * CONCURRENCY (8), FLOOD (bomb).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { CLIENT_KEY, COOKIE, startService } from '../test/faults/service';

const PORT = Number(process.env.PORT ?? Number(process.env.E2E_PORT ?? 3123) + 190);
const SAMPLES = Number(process.env.SAMPLES ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const FLOOD = process.env.FLOOD ?? 'bomb';
const ROUNDS = Number(process.env.ROUNDS ?? 6);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function victimLatencies(origin: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await request(`${origin}/api/statsig/bootstrap`, { headers: { cookie: `${COOKIE}=victim-bench-000001`, 'x-forwarded-for': '198.51.100.2' } });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`bootstrap ${res.statusCode}`);
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

function floodBody(): { body: Buffer; headers: Record<string, string> } {
  const stableID = 'flooder-bench-00001';
  const events = (n: number, pad: number) =>
    JSON.stringify({ events: Array.from({ length: n }, (_, i) => ({ eventName: 'flood', user: { userID: 'f', customIDs: { stableID } }, value: i, metadata: { pad: 'a'.repeat(pad) }, time: 1 })), statsigMetadata: { stableID } });
  const headers = { 'content-type': 'text/plain', cookie: `${COOKIE}=${stableID}`, 'x-forwarded-for': '203.0.113.66' };
  if (FLOOD === 'big') return { body: Buffer.from(events(500, 150)), headers };
  if (FLOOD === 'noop') return { body: Buffer.alloc(0), headers };
  return { body: gzipSync(events(2_000, 1_900), { level: 9 }), headers: { ...headers, 'content-encoding': 'gzip' } };
}

/** The victim's latencies while CONCURRENCY flood requests are kept in flight. */
async function flooded(origin: string, body: Buffer, headers: Record<string, string>, statuses: Map<number, number>, n: number): Promise<number[]> {
  let stop = false;
  const path = FLOOD === 'noop' ? '/api/statsig/no_such_route' : `/api/statsig/rgstr?k=${CLIENT_KEY}`;
  const flooders = Array.from({ length: CONCURRENCY }, async () => {
    while (!stop) {
      try {
        const res = await request(`${origin}${path}`, { method: 'POST', body, headers });
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  const out = await victimLatencies(origin, n);
  stop = true;
  await Promise.all(flooders);
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-flood-'));
  const svc = await startService(PORT, { FIRSTLIGHT_EVENT_LOG: join(dir, 'events.jsonl'), FIRSTLIGHT_EVENT_SPOOL_DIR: join(dir, 'spool') });
  try {
    await victimLatencies(svc.origin, 50); // warm-up
    const { body, headers } = floodBody();
    const statuses = new Map<number, number>();
    const unloaded: number[] = [];
    const loaded: number[] = [];
    // unloaded and flooded rounds alternate, so drift and the machine's other load hit both alike
    const perRound = Math.ceil(SAMPLES / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      unloaded.push(...(await victimLatencies(svc.origin, perRound)));
      loaded.push(...(await flooded(svc.origin, body, headers, statuses, perRound)));
    }
    const f = (x: number) => x.toFixed(1);
    console.log(`flood=${FLOOD} (${body.length} B per request, ${CONCURRENCY} in flight), ${SAMPLES} samples each in ${ROUNDS} alternating rounds`);
    console.log(`victim GET /api/statsig/bootstrap unloaded: p50 ${f(pct(unloaded, 50))} ms, p99 ${f(pct(unloaded, 99))} ms`);
    console.log(`victim GET /api/statsig/bootstrap flooded: p50 ${f(pct(loaded, 50))} ms, p99 ${f(pct(loaded, 99))} ms`);
    console.log(`p99 ratio ${(pct(loaded, 99) / pct(unloaded, 99)).toFixed(2)}×; flooder answers ${JSON.stringify(Object.fromEntries(statuses))}`);
  } finally {
    await svc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
