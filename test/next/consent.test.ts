// Consent-aware identity, in-process: the pure decision (consent cookie values, malformed and oversized
// ones, callbacks that throw or answer non-booleans), the proxy helper on real NextRequests (no cookie
// minted or kept without consent, minted once with it, a forged or oversized stable ID replaced), the
// evaluation without consent (stableID-keyed entities at their default, in the reads and the bootstrap,
// no exposure logged) and the routes (bootstrap, events, shown) on the demo instance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NextRequest } from 'next/server';

const dir = mkdtempSync(join(tmpdir(), 'fl-consent-'));
// the demo's settings (the repository's .env, which only Next reads)
process.env.FIRSTLIGHT_CLIENT_KEY = 'client-firstlight-demo';
process.env.FIRSTLIGHT_SERVER_SECRET = 'secret-demo';
process.env.FIRSTLIGHT_SPECS_FILE = 'data/demo-dcs.json';
process.env.FIRSTLIGHT_EVENT_LOG = join(dir, 'events.jsonl');
process.env.FIRSTLIGHT_EVENT_SPOOL_DIR = join(dir, 'spool');
process.env.FIRSTLIGHT_CONSENT_COOKIE = 'site_consent';
process.env.FIRSTLIGHT_FLUSH_INTERVAL_MS = '50';

const consent = await import('../../server/next/consent');
const { ensureStableId, createStableIdProxy, stableIdCookieName, STABLE_ID_MAX_AGE_S } = await import('../../server/next/stable-id');
const { identityFromHeaders } = await import('../../server/next/user');
const routes = await import('../../server/next/routes');
const { getStatsig } = await import('../../server/next/instance');
const { parseSpecs, evaluateAll, clientInitializeResponseFromEvaluation, djb2, InvalidOptionError } = await import('../../lib/index');

const KEY = 'client-firstlight-demo';
const COOKIE = stableIdCookieName(KEY);
const DEVICE = 'consent-device-0000-4000-8000-000000000001';
const DCS = readFileSync('data/demo-dcs.json', 'utf8');
const SPECS = parseSpecs(DCS, { serverSecret: 'secret-demo' });
const DEFAULTS = Object.fromEntries(
  [...(JSON.parse(DCS) as { dynamic_configs: { name: string; defaultValue: unknown }[]; layer_configs: { name: string; defaultValue: unknown }[] }).dynamic_configs, ...JSON.parse(DCS).layer_configs].map((s: { name: string; defaultValue: unknown }) => [s.name, s.defaultValue]),
);

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

const reader = (cookie: string) => ({ headers: new Headers(cookie ? { cookie } : {}), cookies: { get: () => undefined } });

test('consent cookie values: granted only for an allowed word; absent, denied, malformed (bad %-escape, oversized, odd characters) are no consent', async () => {
  const opt = consent.checkConsentOption({ cookie: 'site_consent' });
  const cases: [string, boolean, string][] = [
    ['site_consent=granted', true, 'granted'],
    ['a=1; site_consent=granted; b=2', true, 'granted'],
    ['site_consent=gr%61nted', true, 'granted'],
    ['', false, 'absent'],
    ['site_consent=', false, 'absent'],
    ['other=granted', false, 'absent'],
    ['site_consent=denied', false, 'denied'],
    ['site_consent=GRANTED', false, 'denied'],
    ['site_consent=%E0%A4%A', false, 'malformed'],
    [`site_consent=${'g'.repeat(65)}`, false, 'malformed'],
    ['site_consent={"necessary":true,"analytics":true}', false, 'malformed'],
    ['site_consent=granted<script>', false, 'malformed'],
    ['site_consent=gr%0Aanted', false, 'malformed'],
    // the first duplicate decides, as document.cookie lists it
    ['site_consent=denied; site_consent=granted', false, 'denied'],
  ];
  for (const [cookie, granted, verdict] of cases) {
    const d = await consent.decideConsent(opt, reader(cookie));
    assert.deepEqual(d, { granted, verdict }, cookie.slice(0, 60));
  }
  const custom = consent.checkConsentOption({ cookie: 'cc', values: ['all', 'v2:analytics'] });
  assert.equal((await consent.decideConsent(custom, reader('cc=v2:analytics'))).granted, true);
  assert.equal((await consent.decideConsent(custom, reader('cc=granted'))).granted, false, 'only the configured values');
  // a 20 KB Cookie header is not read at all
  assert.equal((await consent.decideConsent(opt, reader(`site_consent=granted; x=${'y'.repeat(20_000)}`))).verdict, 'absent');
});

test('consent callbacks: true grants; false, a throw, a rejected promise or a non-boolean answer do not', async () => {
  const decide = (granted: () => unknown) => consent.decideConsent(consent.checkConsentOption({ granted }), reader(''));
  assert.deepEqual(await decide(() => true), { granted: true, verdict: 'granted' });
  assert.deepEqual(await decide(async () => true), { granted: true, verdict: 'granted' });
  assert.deepEqual(await decide(() => false), { granted: false, verdict: 'denied' });
  assert.deepEqual(await decide(() => 'yes'), { granted: false, verdict: 'callback-failed' });
  assert.deepEqual(await decide(() => 1), { granted: false, verdict: 'callback-failed' });
  assert.deepEqual(await decide(() => { throw new Error('session store down'); }), { granted: false, verdict: 'callback-failed' });
  assert.deepEqual(await decide(() => Promise.reject(new Error('x'))), { granted: false, verdict: 'callback-failed' });
  // a callback that never answers: no consent once its time is up (the request is not held forever)
  const stalled = consent.checkConsentOption({ granted: () => new Promise<boolean>(() => {}), timeoutMs: 30 });
  assert.deepEqual(await consent.decideConsent(stalled, reader('')), { granted: false, verdict: 'callback-failed' });
  const slowYes = consent.checkConsentOption({ granted: () => new Promise<boolean>((r) => setTimeout(() => r(true), 5)), timeoutMs: 5_000 });
  assert.deepEqual(await consent.decideConsent(slowYes, reader('')), { granted: true, verdict: 'granted' });
  for (const bad of [0, -1, 1.5, 120_000, '100']) {
    assert.throws(() => consent.checkConsentOption({ granted: () => true, timeoutMs: bad }), InvalidOptionError, String(bad));
  }
});

test('a bad consent option is refused with InvalidOptionError naming the problem', () => {
  for (const bad of [{}, { cookie: '' }, { cookie: 'has space' }, { cookie: 'a;b' }, { cookie: 'x'.repeat(129) }, { cookie: 'ok', values: [] }, { cookie: 'ok', values: ['with space'] }, { granted: true }, { cookie: 'ok', extra: 1 }, null, 'site_consent']) {
    assert.throws(() => consent.checkConsentOption(bad), (e: unknown) => e instanceof InvalidOptionError && /consent/.test((e as Error).message), JSON.stringify(bad));
  }
});

function proxied(cookie: string | null, decision: ReturnType<typeof grantedDecision> | null) {
  const headers = new Headers({ 'sec-fetch-dest': 'document' });
  if (cookie !== null) headers.set('cookie', cookie);
  let minted = 0;
  const res = ensureStableId(new NextRequest('http://127.0.0.1/', { headers }), { clientKey: KEY, mint: () => `minted-${++minted}-0000-4000-8000-000000000000` }, decision);
  const set = res.headers.getSetCookie().filter((c) => c.startsWith(`${COOKIE}=`));
  // what the render of this request sees as its Cookie header
  const forwarded = res.headers.get('x-middleware-request-cookie') ?? '';
  return { set, forwarded, minted };
}
const grantedDecision = (granted: boolean) => ({ granted, verdict: granted ? ('granted' as const) : ('absent' as const) });

test('proxy without consent: nothing minted; a stable-ID cookie the browser still sends is expired and kept from the render', () => {
  const none = proxied('', grantedDecision(false));
  assert.deepEqual(none.set, []);
  assert.equal(none.minted, 0);

  const stale = proxied(`a=1; ${COOKIE}=${DEVICE}; b=2`, grantedDecision(false));
  assert.equal(stale.set.length, 1);
  assert.match(stale.set[0]!, new RegExp(`^${COOKIE.replace(/\./g, '\\.')}=;`));
  assert.match(stale.set[0]!, /Max-Age=0/i);
  assert.match(stale.set[0]!, /Path=\//i);
  assert.equal(stale.minted, 0);
  assert.ok(!stale.forwarded.includes(DEVICE), `forwarded cookies: ${stale.forwarded}`);
  assert.ok(stale.forwarded.includes('a=1') && stale.forwarded.includes('b=2'), 'the other cookies stay');
});

test('proxy with consent: minted once; a valid cookie kept; a forged, oversized or malformed stable ID replaced', () => {
  const first = proxied('site_consent=granted', grantedDecision(true));
  assert.equal(first.minted, 1);
  assert.equal(first.set.length, 1);
  assert.match(first.set[0]!, new RegExp(`=minted-1-0000-4000-8000-000000000000; Path=/; .*Max-Age=${STABLE_ID_MAX_AGE_S}`, 'i'));

  const kept = proxied(`site_consent=granted; ${COOKIE}=${DEVICE}`, grantedDecision(true));
  assert.deepEqual(kept.set, []);
  assert.equal(kept.minted, 0);

  for (const bad of ['x'.repeat(200), '<script>alert(1)</script>', 'has space', 'short', '%E0%A4%A', `${DEVICE}${'0'.repeat(40)}`]) {
    const r = proxied(`site_consent=granted; ${COOKIE}=${encodeURIComponent(bad)}`, grantedDecision(true));
    assert.equal(r.minted, 1, bad.slice(0, 20));
    assert.equal(r.set.length, 1);
    assert.ok(!r.forwarded.includes(encodeURIComponent(bad)), 'the forged value does not reach the render');
  }
  // consent mode off: as before (minted without asking)
  assert.equal(proxied('', null).minted, 1);
});

test('createStableIdProxy takes the consent option (env cookie by default, or a callback) and decides per request', async () => {
  const fromEnv = createStableIdProxy({ clientKey: KEY, trustForwardedProto: false });
  const ask = async (proxy: typeof fromEnv, cookie: string) =>
    (await proxy(new NextRequest('http://127.0.0.1/', { headers: { cookie } }))).headers.getSetCookie().filter((c) => c.startsWith(`${COOKIE}=`));
  assert.deepEqual(await ask(fromEnv, 'site_consent=denied'), []);
  assert.equal((await ask(fromEnv, 'site_consent=granted')).length, 1);
  assert.deepEqual(await ask(fromEnv, 'site_consent=%E0%A4%A'), [], 'malformed consent cookie: no consent');

  const byCallback = createStableIdProxy({ clientKey: KEY, trustForwardedProto: false, consent: { granted: ({ cookies }) => cookies.get('my_tool')?.value === 'ok' } });
  assert.deepEqual(await ask(byCallback, 'site_consent=granted'), [], 'the callback decides, not the env cookie');
  assert.equal((await ask(byCallback, 'my_tool=ok')).length, 1);
  assert.throws(() => createStableIdProxy({ clientKey: KEY, consent: { cookie: 'bad name' } })(new NextRequest('http://127.0.0.1/')), InvalidOptionError);
});

test('identity without consent: a fresh per-request stable ID, never the cookie (valid, forged or oversized); with consent the cookie', async () => {
  const ids = new Set<string>();
  for (const cookie of [`${COOKIE}=${DEVICE}`, `${COOKIE}=${'x'.repeat(300)}`, `site_consent=denied; ${COOKIE}=${DEVICE}`, `site_consent=%ZZ; ${COOKIE}=${DEVICE}`, '']) {
    const id = await identityFromHeaders(new Headers({ cookie }), { get: () => undefined }, { clientKey: KEY });
    assert.equal(id.consent?.granted, false, cookie);
    assert.equal(id.consentState?.granted, false);
    assert.equal(id.consentState?.cookie, 'site_consent');
    const sid = id.user.customIDs?.stableID as string;
    assert.match(sid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(sid, DEVICE);
    ids.add(sid);
  }
  assert.equal(ids.size, 5, 'one ID per request');
  assert.ok(warnings.some((w) => /consent cookie with an unreadable value/.test(w)), 'a malformed consent cookie is logged');
  assert.ok(!warnings.some((w) => w.includes('%ZZ')), 'never its value');

  const granted = await identityFromHeaders(new Headers({ cookie: `site_consent=granted; ${COOKIE}=${DEVICE}` }), { get: () => undefined }, { clientKey: KEY });
  assert.equal(granted.user.customIDs?.stableID, DEVICE);
  assert.deepEqual(granted.consentState, { granted: true, cookie: 'site_consent', grantedValue: 'granted' });
  const forged = await identityFromHeaders(new Headers({ cookie: `site_consent=granted; ${COOKIE}=${'x'.repeat(300)}` }), { get: () => undefined }, { clientKey: KEY });
  assert.equal(forged.user.customIDs?.stableID, undefined, 'consent, but a forged cookie: no stable ID rather than the forged one');
});

test('withheld stableID: every stableID-keyed entity reads and bootstraps its default for any ID; userID-keyed ones are unchanged', () => {
  const device = ['hero_copy', 'recs_ranking', 'storefront'];
  for (let i = 0; i < 50; i++) {
    const user = { userID: `user-${i}`, customIDs: { stableID: `dev-${i}-0000-4000-8000-000000000000` } };
    const plain = evaluateAll(SPECS, user);
    const withheld = evaluateAll(SPECS, user, { withheldIdTypes: ['stableID'] });
    for (const name of ['hero_copy', 'recs_ranking']) {
      const e = withheld.getExperiment(name);
      assert.deepEqual(e.value, DEFAULTS[name], name);
      assert.equal(e.ruleID, 'default');
      assert.equal(e.groupName, null);
    }
    assert.deepEqual(withheld.getLayer('storefront').value, DEFAULTS.storefront);
    for (const name of ['checkout_button', 'store_config']) assert.deepEqual(withheld.getConfig(name), plain.getConfig(name), name);
    assert.equal(withheld.checkGate('express_checkout'), plain.checkGate('express_checkout'));
    // and the bootstrap carries the same defaults
    const cir = clientInitializeResponseFromEvaluation(withheld, { hash: 'djb2' }) as unknown as { dynamic_configs: Record<string, { value: unknown; rule_id: string }>; layer_configs: Record<string, { value: unknown }> };
    for (const name of device.slice(0, 2)) {
      assert.deepEqual(cir.dynamic_configs[djb2(name)]!.value, DEFAULTS[name]);
      assert.equal(cir.dynamic_configs[djb2(name)]!.rule_id, 'default');
    }
    assert.deepEqual(cir.layer_configs[djb2('storefront')]!.value, DEFAULTS.storefront);
  }
  // the plain evaluation does bucket these IDs into groups (the test would pass vacuously otherwise)
  const groups = new Set(Array.from({ length: 50 }, (_, i) => evaluateAll(SPECS, { customIDs: { stableID: `dev-${i}-0000-4000-8000-000000000000` } }).getExperiment('hero_copy').groupName));
  assert.ok(groups.has('Classic') && groups.has('Bold'), [...groups].join());
  assert.throws(() => evaluateAll(SPECS, {}, { withheldIdTypes: 'stableID' as unknown as string[] }), InvalidOptionError);
});

function eventLogLines(): Record<string, unknown>[] {
  try {
    return readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

test('a snapshot without consent logs no exposure from any read; with consent the same reads do', async () => {
  const statsig = await getStatsig();
  const user = { userID: 'snap-user', customIDs: { stableID: 'snap-device-0000-4000-8000-000000000000' } };
  const before = eventLogLines().length;
  const s = statsig.evaluateAll(user, { clientKey: KEY, ...consent.WITHOUT_CONSENT });
  s.checkGate('express_checkout');
  s.getExperiment('hero_copy');
  s.getConfig('store_config');
  s.getLayer('storefront').get('ranker', '');
  await statsig.flush();
  assert.equal(eventLogLines().length, before);
  const t = statsig.evaluateAll(user, { clientKey: KEY });
  t.checkGate('express_checkout');
  t.getExperiment('hero_copy');
  await statsig.flush();
  assert.equal(eventLogLines().filter((e) => (e.user as { userID?: string } | undefined)?.userID === 'snap-user').length, 2);
});

function routeRequest(path: string, init: { method?: string; body?: string; cookie?: string; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('cookie', init.cookie);
  return new NextRequest(`http://127.0.0.1:3000/api/statsig/${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}

test('GET bootstrap: without consent a per-request ID, the defaults and no cookie; with consent the cookie ID; the verdict in a header', async () => {
  const get = routes.makeBootstrapGET({});
  for (const cookie of ['', `${COOKIE}=${DEVICE}`, `site_consent=nope; ${COOKIE}=${DEVICE}`]) {
    const res = await get(routeRequest('bootstrap', { cookie }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-firstlight-consent'), 'denied');
    assert.deepEqual(res.headers.getSetCookie(), []);
    const cir = (await res.json()) as { user: { customIDs: { stableID: string } }; dynamic_configs: Record<string, { value: unknown }> };
    assert.notEqual(cir.user.customIDs.stableID, DEVICE);
    assert.deepEqual(cir.dynamic_configs[djb2('hero_copy')]!.value, DEFAULTS.hero_copy);
    assert.equal((cir.dynamic_configs[djb2('hero_copy')] as unknown as { rule_id: string }).rule_id, 'default');
  }
  const res = await get(routeRequest('bootstrap', { cookie: `site_consent=granted; ${COOKIE}=${DEVICE}` }));
  assert.equal(res.headers.get('x-firstlight-consent'), 'granted');
  const cir = (await res.json()) as { user: { customIDs: { stableID: string } }; dynamic_configs: Record<string, { value: unknown }> };
  assert.equal(cir.user.customIDs.stableID, DEVICE);
  const expected = evaluateAll(SPECS, { customIDs: { stableID: DEVICE } }).getExperiment('hero_copy').value;
  assert.deepEqual(cir.dynamic_configs[djb2('hero_copy')]!.value, expected);
});

test('events and shown routes: a browser without consent is answered 202 and nothing is logged; with consent its events are', async () => {
  const post = routes.makeEventsPOST({});
  const shown = routes.makeExposuresShownPOST({});
  const batch = (tag: string) =>
    JSON.stringify({ events: [{ eventName: 'statsig::config_exposure', user: { customIDs: { stableID: DEVICE } }, metadata: { config: 'hero_copy', tag }, time: 1 }], statsigMetadata: { stableID: DEVICE } });
  const beforeLines = eventLogLines().length;
  for (const cookie of ['', 'site_consent=denied', 'site_consent=%E0%A4%A', `${COOKIE}=${DEVICE}`]) {
    const res = await post(routeRequest(`rgstr?k=${KEY}`, { method: 'POST', body: batch('no-consent'), cookie }));
    assert.equal(res.status, 202, cookie);
    assert.equal(((await res.json()) as { dropped?: string }).dropped, 'no consent');
    const s = await shown(routeRequest('shown', { method: 'POST', body: '{"gates":["express_checkout"]}', cookie, headers: { 'sec-fetch-site': 'same-origin' } }));
    assert.equal(s.status, 202);
    assert.deepEqual(await s.json(), { success: true, gates: 0, configs: 0, layers: 0, dropped: 'no consent' });
  }
  // the client key is still checked first
  assert.equal((await post(routeRequest('rgstr?k=client-unknown', { method: 'POST', body: batch('x') }))).status, 401);
  const health = (await (await routes.healthGET()).json()) as { ingest: { consentDropped: number } };
  assert.equal(health.ingest.consentDropped, 4);
  const ok = await post(routeRequest(`rgstr?k=${KEY}`, { method: 'POST', body: batch('consented'), cookie: `site_consent=granted; ${COOKIE}=${DEVICE}` }));
  assert.equal(ok.status, 202);
  await (await getStatsig()).flush();
  const added = eventLogLines().slice(beforeLines);
  assert.equal(added.filter((e) => (e.metadata as { tag?: string } | undefined)?.tag === 'no-consent').length, 0);
  assert.equal(added.filter((e) => (e.metadata as { tag?: string } | undefined)?.tag === 'consented').length, 1);
});

test('initialize route (the SDK network fallback): without consent the stableID-keyed entities answer their default, with consent the bucket', async () => {
  const init = routes.makeInitializePOST({});
  // a device in the group whose value is not the default (Classic's equals it)
  const bold = Array.from({ length: 100 }, (_, i) => `bold-${i}-0000-4000-8000-000000000000`).find((id) => evaluateAll(SPECS, { customIDs: { stableID: id } }).getExperiment('hero_copy').groupName === 'Bold')!;
  const expected = evaluateAll(SPECS, { customIDs: { stableID: bold } }).getExperiment('hero_copy');
  assert.notDeepEqual(expected.value, DEFAULTS.hero_copy);
  const body = JSON.stringify({ user: { customIDs: { stableID: bold } }, hash: 'djb2' });
  for (const [cookie, value, rule] of [
    ['', DEFAULTS.hero_copy, 'default'],
    ['site_consent=denied', DEFAULTS.hero_copy, 'default'],
    ['site_consent=granted', expected.value, expected.ruleID],
  ] as const) {
    const res = await init(routeRequest(`initialize?k=${KEY}`, { method: 'POST', body, cookie }));
    assert.equal(res.status, 200, cookie);
    const cir = (await res.json()) as { dynamic_configs: Record<string, { value: unknown; rule_id: string }> };
    assert.deepEqual(cir.dynamic_configs[djb2('hero_copy')]!.value, value, cookie);
    assert.equal(cir.dynamic_configs[djb2('hero_copy')]!.rule_id, rule, cookie);
  }
});
