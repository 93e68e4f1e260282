/**
 * The built Next service (`next start` on .next) on loopback for the fault suite: start/stop with its
 * own event log and spool, post event batches as a browser would (cookie, forwarded IP, client key),
 * read the JSONL log back and check it (lost, duplicated, torn, order per client).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'undici';

export const CLIENT_KEY = 'client-firstlight-demo';

function djb2(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return String(h >>> 0);
}
export const COOKIE = `statsig.stable_id.${djb2('k:' + CLIENT_KEY)}`;

/** A port of this engineer's range (E2E_PORT + offset), so parallel suites on the machine do not collide. */
export function portFor(offset: number): number {
  return Number(process.env.E2E_PORT ?? 3123) + 100 + offset;
}

export interface Service {
  readonly origin: string;
  readonly proc: ChildProcess;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startService(port: number, env: Record<string, string>): Promise<Service> {
  if (!existsSync('.next/BUILD_ID')) throw new Error('the fault suite runs against the production build: npx next build first');
  const proc = spawn('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FIRSTLIGHT_FLUSH_INTERVAL_MS: '100', FIRSTLIGHT_TRUSTED_IP_HEADER: 'x-forwarded-for', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited at start: ${out.slice(-2000)}`);
    try {
      const res = await request(`${origin}/api/statsig/health`);
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`service did not start: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    origin,
    proc,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

export interface Client {
  readonly name: string;
  readonly stableID: string;
  readonly ip: string;
  seq: number;
  /** seq numbers of events answered 202 */
  readonly accepted: number[];
  readonly statuses: Map<number, number>;
}

/**
 * A client sending one request at a time (so its events must reach the log in the order it sent them).
 * `as` gives it another client's identity (cookie and IP): a second connection of the same device.
 */
export function client(name: string, n: number, as?: Client): Client {
  const stableID = as?.stableID ?? `${name}-${String(n).padStart(12, '0')}`;
  const ip = as?.ip ?? `10.9.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  return { name, stableID, ip, seq: 0, accepted: [], statuses: new Map() };
}

/** Runs `fns` in reverse order of registration after the test (unmount before removing the directory). */
export function cleanups(t: { after(fn: () => unknown): void }): (fn: () => unknown) => void {
  const list: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of list.reverse()) await fn();
  });
  return (fn) => void list.push(fn);
}

/** Posts `count` events for `c` in one batch; records what was accepted. Returns the status (0: no answer). */
export async function postEvents(origin: string, c: Client, count: number, pad = 100): Promise<number> {
  const first = c.seq;
  c.seq += count;
  const events = Array.from({ length: count }, (_, i) => ({
    eventName: 'fault_event',
    user: { userID: c.name, customIDs: { stableID: c.stableID } },
    value: first + i,
    metadata: { client: c.name, seq: String(first + i), pad: 'p'.repeat(pad) },
    time: 1_780_000_000_000,
  }));
  let status = 0;
  try {
    const res = await request(`${origin}/api/statsig/rgstr?k=${CLIENT_KEY}`, {
      method: 'POST',
      body: JSON.stringify({ events, statsigMetadata: { stableID: c.stableID, sdkType: 'fault-suite' } }),
      headers: { 'content-type': 'text/plain', cookie: `${COOKIE}=${c.stableID}`, 'x-forwarded-for': c.ip },
      headersTimeout: 20_000,
      bodyTimeout: 20_000,
    });
    await res.body.dump();
    status = res.statusCode;
  } catch {
    status = 0;
  }
  c.statuses.set(status, (c.statuses.get(status) ?? 0) + 1);
  if (status === 202) for (let i = 0; i < count; i++) c.accepted.push(first + i);
  return status;
}

export interface HealthView {
  status: string;
  eventQueueDepth: number;
  degraded: string[];
  budgetRefusals: number;
}

export async function health(origin: string): Promise<HealthView> {
  const res = await request(`${origin}/api/statsig/health`);
  const h = (await res.body.json()) as {
    status: string;
    eventQueueDepth: number;
    counters: { events: { sinks: { degraded: string[] }[] } };
    ingest?: { budgetRefusals: { events: number } };
  };
  return { status: h.status, eventQueueDepth: h.eventQueueDepth, degraded: h.counters.events.sinks.flatMap((s) => s.degraded), budgetRefusals: h.ingest?.budgetRefusals.events ?? 0 };
}

export async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LogCheck {
  lines: number;
  torn: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
}

/** Every accepted event of every client in the log exactly once, in order per client, no torn line. */
export function checkLog(path: string, clients: readonly Client[]): LogCheck {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const lines = text.split('\n');
  const tail = lines.pop();
  let torn = tail === '' ? 0 : 1;
  const seen = new Map<string, number[]>();
  for (const line of lines) {
    let e: { eventName?: string; metadata?: { client?: string; seq?: string } };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      torn++;
      continue;
    }
    if (e.eventName !== 'fault_event' || !e.metadata?.client) continue;
    const list = seen.get(e.metadata.client) ?? [];
    list.push(Number(e.metadata.seq));
    seen.set(e.metadata.client, list);
  }
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const c of clients) {
    const got = seen.get(c.name) ?? [];
    const counts = new Map<number, number>();
    for (const s of got) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of c.accepted) if (!counts.has(s)) lost++;
    for (const n of counts.values()) if (n > 1) duplicated += n - 1;
    for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) outOfOrder++;
  }
  return { lines: lines.length, torn, lost, duplicated, outOfOrder };
}

export function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'pipe' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${String(r.stderr)}`);
}
