/** The JSON routes' contract, the event routes, server-side exposures, and what the HTML may not contain. */
import { gzipSync } from 'node:zlib';
import { test } from '@playwright/test';
import { E2E } from './env';
import { COOKIE, expect, expectedGroup, htmlText, payloadFormat, readEventLog, stableIdIn, target } from './helpers';

const AUTH = { authorization: `Bearer ${E2E.bootstrapToken}` };
const K = `k=${E2E.clientKey}`;

test('GET /api/statsig/bootstrap: the browser user\'s CIR, private, ETag from (user, lcut), 304 on match', async ({ request }) => {
  const id = stableIdIn('hero_copy', 'Bold', 'route');
  const cookie = `${COOKIE}=${id}`;
  const res = await request.get('/api/statsig/bootstrap', { headers: { cookie } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/json');
  expect(res.headers()['cache-control']).toContain('private');
  const etag = res.headers()['etag']!;
  expect(etag).toMatch(/^"[0-9a-f]+"$/);
  const cir = await res.json();
  // the server's format (FIRSTLIGHT_BOOTSTRAP_FORMAT), the same as its pages'
  expect(payloadFormat(cir)).toBe(target().format);
  expect(cir.has_updates).toBe(true);
  expect(cir.hash_used).toBe('djb2');
  expect(cir.user).toEqual({ customIDs: { stableID: id } });
  expect(cir.time).toBeGreaterThan(0);

  const again = await request.get('/api/statsig/bootstrap', { headers: { cookie, 'if-none-match': etag } });
  expect(again.status()).toBe(304);
  expect(again.headers()['etag']).toBe(etag);
  expect(await again.text()).toBe('');

  const otherUser = await request.get('/api/statsig/bootstrap', { headers: { cookie: `${cookie}; fl_user=alice`, 'if-none-match': etag } });
  expect(otherUser.status()).toBe(200);
  expect(otherUser.headers()['etag']).not.toBe(etag);
  expect((await otherUser.json()).user.userID).toBe('alice');

  // no cookie yet: the proxy mints one for this request too
  const fresh = await request.get('/api/statsig/bootstrap', { headers: { cookie: '' } });
  const set = fresh.headers()['set-cookie'] ?? '';
  expect(set).toContain(`${COOKIE}=`);
  expect((await fresh.json()).user.customIDs.stableID).toBe(set.split(';')[0]!.split('=')[1]);
});

test('POST /api/statsig/bootstrap: bearer token, zod-validated body, 400/401/413', async ({ request }) => {
  const user = { userID: 'bob', customIDs: { stableID: stableIdIn('hero_copy', 'Classic', 'post') } };
  expect((await request.post('/api/statsig/bootstrap', { data: { user } })).status()).toBe(401);
  expect((await request.post('/api/statsig/bootstrap', { data: { user }, headers: { authorization: 'Bearer wrong' } })).status()).toBe(401);

  const ok = await request.post('/api/statsig/bootstrap', { data: { user, hash: 'none' }, headers: AUTH });
  expect(ok.status()).toBe(200);
  const cir = await ok.json();
  // without `format` in the body: the server's format
  expect(payloadFormat(cir)).toBe(target().format);
  expect(cir.hash_used).toBe('none');
  expect(cir.user).toEqual(user);
  expectEntries(cir, user.customIDs.stableID);

  // `format` in the body decides for this call, on either server
  for (const format of ['v1', 'init-v2'] as const) {
    const pinned = await request.post('/api/statsig/bootstrap', { data: { user, hash: 'none', format }, headers: AUTH });
    expect(pinned.status(), format).toBe(200);
    const body = await pinned.json();
    expect(payloadFormat(body)).toBe(format);
    expectEntries(body, user.customIDs.stableID);
  }

  const djb2 = await (await request.post('/api/statsig/bootstrap', { data: { user, clientKey: E2E.clientKey }, headers: AUTH })).json();
  expect(djb2.hash_used).toBe('djb2');

  const bad = async (body: string, status = 400) => {
    const r = await request.post('/api/statsig/bootstrap', { data: body, headers: { ...AUTH, 'content-type': 'application/json' } });
    expect(r.status(), body.slice(0, 60)).toBe(status);
    return r.json();
  };
  await bad('not json');
  const noUser = await bad('{}');
  expect(noUser.issues[0].path).toBe('user');
  const empty = await bad('{"user":{}}');
  expect(empty.issues.length).toBeGreaterThan(0);
  await bad(JSON.stringify({ user, hash: 'md5' }));
  for (const format of ['v2', 'INIT-V2', 'compact', 1]) {
    const refused = await bad(JSON.stringify({ user, format }));
    expect(refused.issues[0].path).toBe('format');
  }
  await bad(JSON.stringify({ user, unexpected: 1 }));
  await bad(JSON.stringify({ user: { userID: { nested: true } } }));
  await bad(JSON.stringify({ user, only: 'hero_copy' }));
  const big = JSON.stringify({ user: { ...user, custom: { blob: 'x'.repeat(200_000) } } });
  await bad(big, 413);
});

/** hero_copy and checkout_button of a bootstrap for bob (hash none), read in the payload's own format. */
function expectEntries(cir: Record<string, any>, stableID: string): void {
  const hero = expectedGroup('hero_copy', stableID);
  const checkout = expectedGroup('checkout_button', 'bob');
  expect(hero.group).toBe('Classic');
  const h = cir.dynamic_configs.hero_copy;
  const c = cir.dynamic_configs.checkout_button;
  if (payloadFormat(cir) === 'v1') {
    expect(h.group_name).toBe('Classic');
    expect(h.value).toEqual(hero.value);
    expect(h.is_device_based).toBe(true);
    expect(c.rule_id).toBe(checkout.ruleID);
    expect(c.value).toEqual(checkout.value);
    return;
  }
  // init-v2: short keys, values in the shared table by index, rule "default" left out, id type instead of is_device_based
  expect(h.gn).toBe('Classic');
  expect(cir.values[h.v]).toEqual(hero.value);
  expect(h.i).toBe('stableID');
  expect(c.r ?? 'default').toBe(checkout.ruleID);
  expect(cir.values[c.v]).toEqual(checkout.value);
  expect(h).not.toHaveProperty('group_name');
}

test('event routes: plain and gzip JSON as text/plain, key in k, validation, stableID fallback, 202', async ({ request }) => {
  const marker = `evt-${Date.now()}`;
  const body = { events: [{ eventName: marker, user: { userID: 'u-route' }, time: Date.now(), metadata: { a: '1' } }], statsigMetadata: { stableID: 'fallback-0000-4000-8000-000000000001' } };
  const plain = await request.post(`/api/statsig/rgstr?${K}`, { data: JSON.stringify(body), headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  expect(plain.status()).toBe(202);
  const gz = await request.post(`/api/statsig/log_event?${K}&gz=1`, { data: gzipSync(JSON.stringify({ ...body, events: [{ ...body.events[0], eventName: `${marker}-gz` }] })) });
  expect(gz.status()).toBe(202);
  expect((await request.post('/api/statsig/rgstr', { data: JSON.stringify(body) })).status()).toBe(400);
  expect((await request.post('/api/statsig/rgstr?k=client-unknown', { data: JSON.stringify(body) })).status()).toBe(401);
  expect((await request.post(`/api/statsig/rgstr?${K}`, { data: '{"events":"nope"}' })).status()).toBe(400);
  expect((await request.post(`/api/statsig/rgstr?${K}&gz=1`, { data: 'not gzip' })).status()).toBe(400);
  expect((await request.post(`/api/statsig/rgstr?${K}`, { data: 'x'.repeat(1_100_000) })).status()).toBe(413);

  await expect.poll(() => readEventLog().filter((e) => String(e.eventName).startsWith(marker)).length).toBe(2);
  for (const e of readEventLog().filter((e) => String(e.eventName).startsWith(marker))) {
    expect((e.user as { customIDs: { stableID: string } }).customIDs.stableID).toBe('fallback-0000-4000-8000-000000000001');
  }
  expect((await request.post(`/api/statsig/sdk_exception?${K}`, { data: '{"exception":"Error","info":"x"}' })).status()).toBe(202);
});

test('POST /api/statsig/initialize answers the CIR for the posted user (statsig-encoded or plain)', async ({ request }) => {
  const id = stableIdIn('hero_copy', 'Bold', 'init');
  const payload = JSON.stringify({ user: { userID: 'carol' }, hash: 'djb2', statsigMetadata: { stableID: id } });
  const plain = await request.post(`/api/statsig/initialize?${K}`, { data: payload });
  expect(plain.status()).toBe(200);
  const cir = await plain.json();
  // v1 from either server: /initialize is the protocol endpoint any SDK of the accepted client keys may call,
  // and a request does not say which formats its SDK reads (FIRSTLIGHT_BOOTSTRAP_FORMAT is for our bootstraps)
  expect(payloadFormat(cir)).toBe('v1');
  expect(cir.user.customIDs.stableID).toBe(id);
  expect(cir.user.userID).toBe('carol');
  const encoded = [...Buffer.from(payload).toString('base64')].reverse().join('');
  const enc = await request.post(`/api/statsig/initialize?${K}&se=1`, { data: encoded });
  expect(enc.status()).toBe(200);
  expect((await enc.json()).user.userID).toBe('carol');
  expect((await request.post(`/api/statsig/initialize?${K}`, { data: '{"user":{}}' })).status()).toBe(400);
});

test('GET /api/statsig/health: source, lcut, age, event queue', async ({ request }) => {
  const res = await request.get('/api/statsig/health');
  expect(res.status()).toBe(200);
  const h = await res.json();
  expect(h.ok).toBe(true);
  expect(h.lcut).toBeGreaterThan(0);
  expect(h).toHaveProperty('eventQueueDepth');
});

test('server-rendered gate: a page load logs its exposure once on the server; prefetches and router fetches log none there', async ({ request }) => {
  const count = (id: string) =>
    readEventLog().filter(
      (e) =>
        e.eventName === 'statsig::gate_exposure' &&
        (e.metadata as { gate?: string })?.gate === 'express_checkout' &&
        (e.user as { customIDs?: { stableID?: string } })?.customIDs?.stableID === id,
    ).length;
  const prefetched = stableIdIn('hero_copy', 'Classic', 'prefetch');
  const fetched = stableIdIn('hero_copy', 'Classic', 'router-fetch');
  const viewed = stableIdIn('hero_copy', 'Bold', 'viewed');
  const page = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
  // browser-level prefetches of the document (Next's own router headers never reach the app)
  const prefetchHeaders: Record<string, string>[] = [{ ...page, 'sec-purpose': 'prefetch' }, { ...page, purpose: 'prefetch' }];
  for (const h of prefetchHeaders) {
    const html = await (await request.get('/', { headers: { cookie: `${COOKIE}=${prefetched}`, ...h } })).text();
    expect(html.includes('prefetch render: logged when shown'), 'prefetch marked').toBe(true);
  }
  // a fetch that is not a page load (the router's RSC requests look like this to the app)
  const routerHtml = await (await request.get('/', { headers: { cookie: `${COOKIE}=${fetched}`, accept: '*/*', 'sec-fetch-dest': 'empty' } })).text();
  expect(routerHtml.includes('router render: logged when shown'), 'router fetch marked').toBe(true);
  const html = await (await request.get('/', { headers: { cookie: `${COOKIE}=${viewed}`, ...page } })).text();
  expect(html.includes('server · logged once'), 'exposure logged').toBe(true);
  // events are delivered in order: once the viewed page's exposure is in the log, the others would be too
  await expect.poll(() => count(viewed), { timeout: 15_000 }).toBe(1);
  expect(count(prefetched)).toBe(0);
  expect(count(fetched)).toBe(0);
  // the panel reads the gate too (without logging): still exactly one exposure
  expect(readEventLog().filter((e) => (e.user as { customIDs?: { stableID?: string } })?.customIDs?.stableID === viewed && e.eventName === 'statsig::gate_exposure')).toHaveLength(1);
});

test('the HTML carries no server secret, no private attribute, and (userEcho minimal) no raw IP or user agent', async ({ request }) => {
  const id = stableIdIn('hero_copy', 'Bold', 'privacy');
  const ua = 'Mozilla/5.0 (X11; Linux x86_64) FirstlightPrivacyProbe/9.9';
  const ip = '203.0.113.77';
  const headers = { cookie: `${COOKIE}=${id}; fl_user=alice`, 'user-agent': ua, 'x-forwarded-for': ip, 'accept-language': 'de-DE,de;q=0.9' };
  // a browser page load, so the server logs its gate exposure (checked below)
  const html = await (await request.get('/', { headers: { ...headers, accept: 'text/html', 'sec-fetch-dest': 'document' } })).text();
  expect(htmlText(html, 'signed-in-as')).toBe('alice');
  // the private email did its job (staff rule), yet is nowhere in the page
  expect(html).toContain('data-testid="express-checkout"');
  for (const secret of [E2E.serverSecret, 'alice.staff@firstlight.dev', 'firstlight.dev', ip, 'FirstlightPrivacyProbe']) {
    expect(html, secret).not.toContain(secret);
  }
  const cir = await (await request.get('/api/statsig/bootstrap', { headers })).text();
  for (const secret of [E2E.serverSecret, 'alice.staff@firstlight.dev', ip, 'FirstlightPrivacyProbe']) expect(cir).not.toContain(secret);
  // the locale did reach evaluation (German pricing)
  expect(html).toContain('€');
  // and the trusted IP header reached the server-side user (its server exposure carries it)
  await expect
    .poll(() =>
      readEventLog().some(
        (e) => e.eventName === 'statsig::gate_exposure' && (e.user as { ip?: string; customIDs?: { stableID?: string } })?.customIDs?.stableID === id && (e.user as { ip?: string }).ip === ip,
      ),
    )
    .toBe(true);
});

test('POST /api/statsig/shown: same-origin only, zod-validated, logs each known gate once for the request\'s user', async ({ request }) => {
  const id = stableIdIn('hero_copy', 'Classic', 'shown-route');
  const cookie = `${COOKIE}=${id}`;
  const post = (body: string, headers: Record<string, string> = {}) =>
    request.post('/api/statsig/shown', { headers: { cookie, 'content-type': 'application/json', ...headers }, data: body });
  const logged = () =>
    readEventLog().filter(
      (e) =>
        e.eventName === 'statsig::gate_exposure' &&
        (e.user as { customIDs?: { stableID?: string } })?.customIDs?.stableID === id,
    );

  expect((await post('{"gates":["express_checkout"]}', { 'sec-fetch-site': 'cross-site' })).status()).toBe(403);
  for (const bad of ['', 'not json', '{}', '{"gates":[]}', '{"gates":"express_checkout"}', `{"gates":[${'"g",'.repeat(100)}"g"]}`, `{"gates":["${'x'.repeat(300)}"]}`]) {
    const res = await post(bad);
    expect(res.status(), bad.slice(0, 40)).toBe(400);
  }
  expect((await post('x'.repeat(20_000))).status()).toBe(413);

  const unknown = await post('{"gates":["no_such_gate"]}', { 'sec-fetch-site': 'same-origin' });
  expect(unknown.status()).toBe(202);
  expect(await unknown.json()).toEqual({ success: true, gates: 0, configs: 0, layers: 0 });
  const ok = await post('{"gates":["express_checkout","express_checkout"]}', { 'sec-fetch-site': 'same-origin' });
  expect(ok.status()).toBe(202);
  expect(await ok.json()).toEqual({ success: true, gates: 1, configs: 0, layers: 0 });
  await expect.poll(() => logged().length, { timeout: 15_000 }).toBe(1);
  // a second report of the same render (or a revisit) is a repeat the server dedupes
  expect((await post('{"gates":["express_checkout"]}')).status()).toBe(202);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(logged()).toHaveLength(1);
  expect((logged()[0]!.metadata as { gate?: string }).gate).toBe('express_checkout');
});
