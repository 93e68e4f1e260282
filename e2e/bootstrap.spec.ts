/**
 * Device-level experiments rendered on the server and bootstrapped into @statsig/js-client:
 * the client-bootstrap test plan (§6.2) in real Chromium.
 */
import { test } from '@playwright/test';
import { E2E } from './env';
import {
  COOKIE,
  HERO_GROUPS,
  captureRgstr,
  clientPayloadFormat,
  clientReason,
  clientRuleID,
  clientUser,
  expect,
  expectedGroup,
  exposuresIn,
  guardNetwork,
  htmlBootstrapFormat,
  htmlText,
  hydratedAndFlushed,
  stableCookie,
  stableIdIn,
  target,
} from './helpers';

test('first visit: the response sets the stable-ID cookie and renders its variant', async ({ request }) => {
  const res = await request.get('/', { headers: { cookie: '' } });
  expect(res.status()).toBe(200);
  const setCookie = res.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
  const ours = setCookie.find((c) => c.startsWith(`${COOKIE}=`));
  expect(ours, `Set-Cookie ${COOKIE}`).toBeTruthy();
  const id = ours!.split(';')[0]!.split('=')[1]!;
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(ours).toMatch(/Path=\//i);
  expect(ours).toMatch(/Max-Age=31536000/i);
  expect(ours).toMatch(/SameSite=Lax/i);
  expect(ours).not.toMatch(/HttpOnly/i);
  expect(ours).not.toMatch(/Secure/i); // plain http here; Secure is set on https

  // The same request's render already used the new ID.
  const html = await res.text();
  expect(htmlText(html, 'why-stable-id')).toBe(id);
  expect(htmlText(html, 'hero-variant')).toBe(expectedGroup('hero_copy', id).group);
});

test('server HTML variant == hydrated variant, no intermediate text, Bootstrap:Recognized, nothing leaves the origin', async ({ browser }) => {
  const context = await browser.newContext();
  const net = await guardNetwork(context);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /hydrat/i.test(m.text())) consoleErrors.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __seen: string[] }).__seen = seen;
    const record = () => {
      const el = document.querySelector('[data-testid="hero-variant"]');
      const h = document.querySelector('[data-testid="hero-headline"]');
      if (el) seen.push(`${el.textContent}|${h?.textContent ?? ''}`);
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const nav = await page.goto('/');
  const html = await nav!.text();
  const id = (await stableCookie(context))[0]!;
  const expected = expectedGroup('hero_copy', id);
  expect(htmlText(html, 'hero-variant')).toBe(expected.group);
  expect(htmlText(html, 'hero-headline')).toBe(expected.value.headline);
  // the first HTML carries the server's format, and the browser SDK reads exactly that payload
  expect(htmlBootstrapFormat(html)).toBe(target().format);

  await hydratedAndFlushed(page);
  expect(await clientPayloadFormat(page)).toBe(target().format);
  await page.waitForLoadState('networkidle');
  await expect(page.getByTestId('hero-variant')).toHaveText(expected.group);
  const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
  expect([...new Set(seen)]).toEqual([`${expected.group}|${expected.value.headline}`]);
  expect(consoleErrors).toEqual([]);

  for (const name of ['hero_copy', 'checkout_button', 'recs_ranking']) {
    expect(await clientReason(page, name)).toBe('Bootstrap:Recognized');
  }
  // every entity the page's client reads, each kind (gate, config, experiments, layer), as the why panel shows it
  for (const name of ['hero_copy', 'checkout_button', 'storefront', 'express_checkout', 'store_config']) {
    await expect(page.getByTestId(`client-reason-${name}`)).toHaveText('Bootstrap:Recognized');
  }
  expect(net.initialize).toEqual([]);
  expect(net.external).toEqual([]);
  await context.close();
});

test('reloads keep the variant; cookie == cir.user stableID == localStorage == rgstr stableID', async ({ browser }) => {
  const context = await browser.newContext();
  const batches = captureRgstr(context);
  const page = await context.newPage();
  await page.goto('/');
  const [id] = await stableCookie(context);
  const group = expectedGroup('hero_copy', id!).group;
  for (let i = 0; i < 3; i++) {
    const res = i === 0 ? null : await page.reload();
    if (res) expect(htmlText(await res.text(), 'hero-variant')).toBe(group);
    await hydratedAndFlushed(page);
    await expect(page.getByTestId('hero-variant')).toHaveText(group);
    expect(await stableCookie(context)).toEqual([id]);
    expect((await clientUser(page)).customIDs?.stableID).toBe(id);
    const stored = await page.evaluate((k) => localStorage.getItem(k), COOKIE);
    expect(JSON.parse(stored!)).toBe(id);
  }
  await expect.poll(() => batches.length).toBeGreaterThan(0);
  for (const b of batches) expect(b.statsigMetadata?.stableID).toBe(id);
  await context.close();
});

test('a preset cookie yields the precomputed group (server reads the cookie, mints nothing)', async ({ browser }) => {
  for (const group of HERO_GROUPS) {
    const id = stableIdIn('hero_copy', group, `preset-${group}`);
    const context = await browser.newContext();
    await context.addCookies([{ name: COOKIE, value: id, url: target().origin }]);
    const page = await context.newPage();
    const res = await page.goto('/');
    expect(res!.headers()['set-cookie'] ?? '').not.toContain(COOKIE);
    expect(htmlText(await res!.text(), 'hero-variant')).toBe(group);
    await hydratedAndFlushed(page);
    await expect(page.getByTestId('hero-variant')).toHaveText(group);
    expect(await stableCookie(context)).toEqual([id]);
    await context.close();
  }
});

test('an invalid cookie value is replaced, not trusted', async ({ request }) => {
  for (const bad of ['x'.repeat(200), 'has space', '<script>', 'short']) {
    const res = await request.get('/', { headers: { cookie: `${COOKIE}=${encodeURIComponent(bad)}` } });
    const set = res.headersArray().find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${COOKIE}=`));
    expect(set, `replaced ${bad.slice(0, 12)}`).toBeTruthy();
    const html = await res.text();
    expect(htmlText(html, 'why-stable-id')).toBe(set!.value.split(';')[0]!.split('=')[1]);
  }
});

test('40 fresh devices on the 50/50 device experiment see both groups, each its own precomputed one', async ({ browser }) => {
  // 40 browser contexts in sequence: generous on a shared 2-core machine, and not a timing assertion.
  test.setTimeout(180_000);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 40; i++) {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/');
    const [id] = await stableCookie(context);
    const shown = await page.getByTestId('hero-variant').textContent();
    expect(shown).toBe(expectedGroup('hero_copy', id!).group);
    counts[shown!] = (counts[shown!] ?? 0) + 1;
    await context.close();
  }
  expect(Object.keys(counts).sort()).toEqual([...HERO_GROUPS].sort());
  expect(Math.min(...Object.values(counts))).toBeGreaterThanOrEqual(8);
});

test('login keeps the device-level variant; the userID experiment follows the user; logout keeps it too', async ({ browser }) => {
  const context = await browser.newContext();
  const net = await guardNetwork(context);
  const batches = captureRgstr(context);
  const page = await context.newPage();
  const id = stableIdIn('hero_copy', 'Bold', 'login');
  await context.addCookies([{ name: COOKIE, value: id, url: target().origin }]);
  await page.goto('/');
  await hydratedAndFlushed(page);
  await expect(page.getByTestId('hero-variant')).toHaveText('Bold');

  for (const user of ['alice', 'bob', 'carol']) {
    await page.getByTestId('login-input').fill(user);
    await page.getByTestId('login').click();
    await expect(page.getByTestId('signed-in-as')).toHaveText(user);
    await hydratedAndFlushed(page);
    await expect(page.getByTestId('hero-variant')).toHaveText('Bold');
    await expect(page.getByTestId('buy-button')).toHaveAttribute('data-group', expectedGroup('checkout_button', user).group);
    expect(await clientReason(page, 'hero_copy')).toBe('Bootstrap:Recognized');
    expect(await clientReason(page, 'checkout_button')).toBe('Bootstrap:Recognized');
    const u = await clientUser(page);
    expect(u.userID).toBe(user);
    expect(u.customIDs?.stableID).toBe(id);
    await expect
      .poll(() => exposuresIn(batches, 'statsig::config_exposure', 'checkout_button').filter((e) => e.user?.userID === user).length)
      .toBe(1);
    const exp = exposuresIn(batches, 'statsig::config_exposure', 'checkout_button').find((e) => e.user?.userID === user)!;
    expect(exp.user?.customIDs?.stableID).toBe(id);
    expect(exp.metadata?.ruleID).toBe(clientRuleID(expectedGroup('checkout_button', user).ruleID));
    await page.getByTestId('logout').click();
    await expect(page.getByTestId('login')).toBeVisible();
    await expect(page.getByTestId('hero-variant')).toHaveText('Bold');
  }
  expect(await stableCookie(context)).toEqual([id]);
  expect(net.initialize).toEqual([]);
  expect(net.external).toEqual([]);
  await context.close();
});

test('each experiment logs exactly one exposure per page load, with the cookie stable ID', async ({ browser }) => {
  const context = await browser.newContext();
  const batches = captureRgstr(context);
  const page = await context.newPage();
  const id = stableIdIn('hero_copy', 'Classic', 'expo');
  await context.addCookies([{ name: COOKIE, value: id, url: target().origin }]);
  for (let load = 1; load <= 2; load++) {
    if (load === 1) await page.goto('/');
    else await page.reload();
    await hydratedAndFlushed(page);
    for (const [name, unit] of [
      ['hero_copy', id],
      ['checkout_button', ''],
    ] as const) {
      await expect.poll(() => exposuresIn(batches, 'statsig::config_exposure', name).length).toBe(load);
      const all = exposuresIn(batches, 'statsig::config_exposure', name);
      const e = all[load - 1]!;
      expect(e.metadata?.ruleID).toBe(clientRuleID(expectedGroup(name, unit).ruleID));
      expect(e.metadata?.reason).toMatch(/^Bootstrap/);
      expect(e.user?.customIDs?.stableID).toBe(id);
      expect(e.stableID).toBe(id);
    }
    // a config at its default rule: init-v2 leaves rule "default" out, so js-client logs "" there (as with
    // statsig-node-core's payload); v1 says "default"
    await expect.poll(() => exposuresIn(batches, 'statsig::config_exposure', 'store_config').length).toBe(load);
    expect(exposuresIn(batches, 'statsig::config_exposure', 'store_config')[load - 1]!.metadata?.ruleID ?? '').toBe(clientRuleID('default'));
    // the layer logs one exposure per parameter read
    await expect.poll(() => exposuresIn(batches, 'statsig::layer_exposure', 'storefront').length).toBe(3 * load);
    // the gate is rendered by a server component: its exposure is the server's, never the browser's
    expect(exposuresIn(batches, 'statsig::gate_exposure', 'express_checkout')).toEqual([]);
  }
  await context.close();
});

test('two concurrent first requests persist one ID that page, client and events all use', async ({ browser }) => {
  const context = await browser.newContext();
  const batches = captureRgstr(context);
  // two documents racing without a cookie
  const [a, b] = [await context.newPage(), await context.newPage()];
  await Promise.all([a.goto('/'), b.goto('/')]);
  const cookies = await stableCookie(context);
  expect(cookies).toHaveLength(1);
  const id = cookies[0]!;
  for (const p of [a, b]) {
    await hydratedAndFlushed(p);
    await expect.poll(async () => (await clientUser(p)).customIDs?.stableID).toBe(id);
    await expect(p.getByTestId('hero-variant')).toHaveText(expectedGroup('hero_copy', id).group);
  }
  expect(JSON.parse((await a.evaluate((k) => localStorage.getItem(k), COOKIE))!)).toBe(id);
  // any later page load agrees
  const c = await context.newPage();
  await c.goto('/');
  await expect(c.getByTestId('why-stable-id')).toHaveText(id);
  await hydratedAndFlushed(c);
  for (const p of [a, b, c]) await hydratedAndFlushed(p);
  const last = batches.at(-1)!;
  expect(last.statsigMetadata?.stableID).toBe(id);

  // and two racing API requests also leave exactly one cookie behind
  const ctx2 = await browser.newContext();
  await Promise.all([ctx2.request.get('/'), ctx2.request.get('/')]);
  expect(await stableCookie(ctx2)).toHaveLength(1);
  await ctx2.close();
  await context.close();
});

test('a JavaScript-disabled browser still gets the right variant', async ({ browser }) => {
  for (const group of HERO_GROUPS) {
    const id = stableIdIn('hero_copy', group, `nojs-${group}`);
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.addCookies([{ name: COOKIE, value: id, url: target().origin }]);
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByTestId('hero-variant')).toHaveText(group);
    await expect(page.getByTestId('hero-headline')).toHaveText(String(expectedGroup('hero_copy', id).value.headline));
    // and the no-JS login form works too
    await page.getByTestId('login-input').fill('carol');
    await page.getByTestId('login').click();
    await expect(page.getByTestId('signed-in-as')).toHaveText('carol');
    await expect(page.getByTestId('hero-variant')).toHaveText(group);
    await context.close();
  }
});

test('duplicate stable-ID cookies (one per path): server render and browser SDK take the same one, the first in document.cookie', async ({ browser }) => {
  const context = await browser.newContext();
  const { external } = await guardNetwork(context);
  const rootId = 'dup-root-0000000001';
  const pageId = 'dup-page-0000000002';
  // the longer path comes first in document.cookie and in the Cookie header; Next's cookies() keeps the last
  await context.addCookies([
    { name: COOKIE, value: rootId, domain: '127.0.0.1', path: '/' },
    { name: COOKIE, value: pageId, domain: '127.0.0.1', path: '/how-it-works' },
  ]);
  const bootstraps: string[] = [];
  context.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/statsig/bootstrap') bootstraps.push(r.url());
  });
  const page = await context.newPage();
  await page.goto('/how-it-works');
  await page.waitForFunction((k) => Boolean((window as unknown as { __STATSIG__?: { instances?: Record<string, unknown> } }).__STATSIG__?.instances?.[k]), E2E.clientKey);
  const firstInDocument = await page.evaluate((name) => {
    for (const part of document.cookie.split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === name) return decodeURIComponent(v!);
    }
    return null;
  }, COOKIE);
  expect(firstInDocument).toBe(pageId);
  // the server rendered the bootstrap for that ID, so the client had nothing to reconcile
  expect((await clientUser(page)).customIDs?.stableID).toBe(pageId);
  const sdkStableId = await page.evaluate((k) => {
    const c = (window as unknown as { __STATSIG__: { instances: Record<string, { getContext(): { stableID: string | null } }> } }).__STATSIG__.instances[k]!;
    return c.getContext().stableID;
  }, E2E.clientKey);
  expect(sdkStableId).toBe(pageId);
  expect(bootstraps).toEqual([]);
  expect(external).toEqual([]);
  await context.close();
});
