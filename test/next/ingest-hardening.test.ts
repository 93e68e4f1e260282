// The ingestion routes against hostile clients, called in-process with real Request objects on the
// demo instance (local specs, JSONL log in a temp dir): nesting and inflation limits before parsing,
// per-client budgets before the body is read, sdk_exception sanitised, hash "none" off by default,
// Origin checked on /shown without Fetch Metadata, one log line per window whatever a client sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'fl-ingest-'));
// the demo's settings (the repository's .env, which only Next reads)
process.env.FIRSTLIGHT_CLIENT_KEY = 'client-firstlight-demo';
process.env.FIRSTLIGHT_SERVER_SECRET = 'secret-demo';
process.env.FIRSTLIGHT_SPECS_FILE = 'data/demo-dcs.json';
process.env.FIRSTLIGHT_EVENT_LOG = join(dir, 'events.jsonl');
process.env.FIRSTLIGHT_EVENT_SPOOL_DIR = join(dir, 'spool');
process.env.FIRSTLIGHT_TRUSTED_IP_HEADER = 'x-forwarded-for';
process.env.FIRSTLIGHT_TRUSTED_PROXY_HOPS = '1';
process.env.FIRSTLIGHT_BOOTSTRAP_TOKEN = 'a-token-of-enough-length';

const routes = await import('../../server/next/routes');
const { stableIdCookieName } = await import('../../server/next/stable-id');
const { getStatsig } = await import('../../server/next/instance');

const KEY = 'client-firstlight-demo';
const COOKIE = stableIdCookieName(KEY);
const base = 'http://127.0.0.1:3000/api/statsig';

const warnings: string[] = [];
const originalWarn = console.warn;
before(() => {
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
});
after(async () => {
  console.warn = originalWarn;
  await (await getStatsig()).shutdown(2_000);
  rmSync(dir, { recursive: true, force: true });
});

function events(n: number, stableID: string, pad = 10): string {
  const list = Array.from({ length: n }, (_, i) => ({ eventName: 'click', user: { userID: 'u', customIDs: { stableID } }, value: i, metadata: { pad: 'x'.repeat(pad) }, time: 1 }));
  return JSON.stringify({ events: list, statsigMetadata: { stableID } });
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve().then(() => {
    const req = new Request(`${base}/${path}`, { method: 'POST', body, headers: { 'content-type': 'text/plain', ...headers } });
    switch (path.split('?')[0]) {
      case 'rgstr':
      case 'log_event':
        return routes.eventsPOST(req);
      case 'initialize':
        return routes.initializePOST(req);
      case 'sdk_exception':
        return routes.sdkExceptionPOST(req);
      case 'bootstrap':
        return routes.bootstrapPOST(req);
      default:
        throw new Error(path);
    }
  });
}

const deep = (n: number) => '{"user":'.repeat(n) + '{}' + '}'.repeat(n);

test('JSON nested deeper than 32 levels: 400 on rgstr, log_event, initialize and POST bootstrap, at most one log line per window', async () => {
  warnings.length = 0;
  const cookie = `${COOKIE}=depth-client-0001`;
  for (const n of [33, 1563, 6000]) {
    for (const path of [`rgstr?k=${KEY}`, `log_event?k=${KEY}`, `initialize?k=${KEY}`]) {
      const res = await post(path, deep(n), { cookie });
      assert.equal(res.status, 400, `${path} depth ${n}`);
      assert.match(((await res.json()) as { error: string }).error, /nested deeper than 32/);
    }
    const res = await post('bootstrap', deep(n), { authorization: 'Bearer a-token-of-enough-length', 'content-type': 'application/json' });
    assert.equal(res.status, 400);
  }
  // a depth within the limit still parses (and fails the schema or succeeds as usual, never a 500)
  const ok = await post(`rgstr?k=${KEY}`, JSON.stringify({ events: [{ eventName: 'e', metadata: { a: JSON.parse('['.repeat(20) + ']'.repeat(20)) } }] }), { cookie });
  assert.notEqual(ok.status, 500);
  assert.ok(warnings.length <= 4, `one line per route and window, got ${warnings.length}: ${warnings.join(' | ')}`);
  assert.ok(warnings.every((w) => !w.includes('\n')), 'single lines');
});

test('a gzip body inflating past 1 MiB (what one browser never sends) is 413 and nothing is queued', async () => {
  const stableID = 'inflate-client-01';
  const body = gzipSync(events(2_000, stableID, 600));
  assert.ok(body.length < 64 * 1024, `small on the wire (${body.length} B)`);
  const res = await post(`rgstr?k=${KEY}`, body, { 'content-encoding': 'gzip', cookie: `${COOKIE}=${stableID}` });
  assert.equal(res.status, 413);
});

test('per-client budget: a flooder gets 429 + Retry-After, a victim with its own stable ID and IP is still accepted', async () => {
  const flood = { cookie: `${COOKIE}=flooder-000001`, 'x-forwarded-for': '203.0.113.9' };
  const statuses: number[] = [];
  let retryAfter = '';
  for (let i = 0; i < 60; i++) {
    const res = await post(`rgstr?k=${KEY}`, events(200, 'flooder-000001', 200), flood);
    statuses.push(res.status);
    if (res.status === 429) {
      retryAfter = res.headers.get('retry-after') ?? '';
      break; // refusals are held for a second each: one is enough
    }
  }
  const accepted = statuses.filter((s) => s === 202).length;
  const refused = statuses.filter((s) => s === 429).length;
  assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
  assert.ok(Number(retryAfter) >= 1, `Retry-After ${retryAfter}`);
  const victim = await post(`rgstr?k=${KEY}`, events(5, 'victim-0000001'), { cookie: `${COOKIE}=victim-0000001`, 'x-forwarded-for': '198.51.100.7' });
  assert.equal(victim.status, 202);
});

test('sdk_exception: needs the client key, logs one sanitised bounded line, is rate-limited per client', async () => {
  warnings.length = 0;
  assert.equal((await post('sdk_exception', '{"exception":"Error"}')).status, 400);
  assert.equal((await post('sdk_exception?k=client-unknown', '{"exception":"Error"}')).status, 401);
  const hostile = JSON.stringify({ exception: '\u001b[31mRED\u001b[0m\r\n[firstlight] forged line\u202e', info: 'y'.repeat(10_000) });
  const cookie = { cookie: `${COOKIE}=exception-client1` };
  const first = await post(`sdk_exception?k=${KEY}`, hostile, cookie);
  assert.equal(first.status, 202);
  assert.equal(warnings.length, 1);
  const line = warnings[0]!;
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(line), `no control characters: ${JSON.stringify(line.slice(0, 80))}`);
  assert.ok(line.length < 700, `bounded (${line.length})`);
  assert.match(line, /RED.*forged line/);
  const statuses: number[] = [];
  for (let i = 0; i < 10 && !statuses.includes(429); i++) statuses.push((await post(`sdk_exception?k=${KEY}`, '{"exception":"E"}', cookie)).status);
  assert.ok(statuses.includes(429), statuses.join(','));
  assert.equal(warnings.length, 1, 'still one line in this window');
  assert.equal((await post(`sdk_exception?k=${KEY}`, 'x'.repeat(20_000), { cookie: `${COOKIE}=exception-client2` })).status, 413);
});

test('initialize: hash "none" is refused unless the operator enables it; djb2 and sha256 answer', async () => {
  const user = { userID: 'u1' };
  const none = await post(`initialize?k=${KEY}`, JSON.stringify({ user, hash: 'none' }));
  assert.equal(none.status, 400);
  assert.match(((await none.json()) as { error: string }).error, /FIRSTLIGHT_ALLOW_HASH_NONE/);
  for (const hash of ['djb2', 'sha256']) assert.equal((await post(`initialize?k=${KEY}`, JSON.stringify({ user, hash }))).status, 200);
  const { readNextConfig } = await import('../../server/next/config');
  const required = { FIRSTLIGHT_CLIENT_KEY: KEY, FIRSTLIGHT_SPECS_FILE: 'data/demo-dcs.json' };
  assert.equal(readNextConfig(required).allowHashNone, false);
  assert.equal(readNextConfig({ ...required, FIRSTLIGHT_ALLOW_HASH_NONE: 'true' }).allowHashNone, true);
  assert.throws(() => readNextConfig({ FIRSTLIGHT_ALLOW_HASH_NONE: 'yes' }), /FIRSTLIGHT_ALLOW_HASH_NONE must be "true" or "false"/);
});

test('shown: without Fetch Metadata a foreign or opaque Origin is 403; this origin, or no Origin (not a browser), passes', async () => {
  const shown = routes.makeExposuresShownPOST({});
  const call = (headers: Record<string, string>) => {
    const req = new Request(`${base}/shown`, { method: 'POST', body: '{"gates":["a_gate"]}', headers: { 'content-type': 'text/plain', host: '127.0.0.1:3000', ...headers } });
    return shown(Object.assign(req, { cookies: { get: () => undefined } }));
  };
  assert.equal((await call({ origin: 'https://evil.example' })).status, 403);
  assert.equal((await call({ origin: 'null' })).status, 403);
  assert.equal((await call({ 'sec-fetch-site': 'cross-site', origin: 'http://127.0.0.1:3000' })).status, 403);
  assert.equal((await call({ origin: 'http://127.0.0.1:3000' })).status, 202);
  assert.equal((await call({})).status, 202);
  assert.equal((await call({ 'sec-fetch-site': 'same-origin' })).status, 202);
});

test('ClientBudget (clock injected): every key of a request is charged, a new cookie on the same IP does not reset it, refills with time, memory bounded', async () => {
  const { ClientBudget } = await import('../../server/next/client-budget');
  let now = 0;
  const b = new ClientBudget({ requestsPerSecond: 1, burstRequests: 2, bytesPerSecond: 100, burstBytes: 1_000, maxClients: 3 }, () => now);
  assert.deepEqual(b.admit(['sid:a', 'ip:1']), { ok: true });
  b.charge(['sid:a', 'ip:1'], 1_500); // 500 in debt
  const r = b.admit(['sid:b', 'ip:1']);
  assert.deepEqual(r, { ok: false, retryAfterSeconds: 5 }, 'the IP owes 500 bytes at 100/s');
  assert.deepEqual(b.admit(['sid:c', 'ip:2']), { ok: true }, 'another client is untouched');
  now = 5_000;
  assert.deepEqual(b.admit(['sid:b', 'ip:1']), { ok: true }, 'paid back after 5 s');
  assert.equal(b.refused, 1);
  for (let i = 0; i < 10; i++) b.admit([`sid:x${i}`]);
  assert.equal(b.size, 3, 'at most maxClients keys');
  assert.throws(() => new ClientBudget({ requestsPerSecond: 0, burstRequests: 1, bytesPerSecond: 1, burstBytes: 1, maxClients: 1 }), /requestsPerSecond/);
  const { RefusalDelay } = await import('../../server/next/refusal-delay');
  const d = new RefusalDelay(20, 1);
  const first = d.hold();
  assert.equal(d.held, 1);
  await d.hold(); // over maxHeld: not held
  await first;
  assert.equal(d.held, 0);
});
