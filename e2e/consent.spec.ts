/**
 * Consent-aware identity in Chromium, against a second server of the same build started in consent mode
 * (FIRSTLIGHT_CONSENT_COOKIE=fl_consent, its own event log). Before consent: no stable-ID cookie, no
 * stored ID, no exposure from the server or the browser, the device experiment at its default. Grant
 * (the demo's banner, firstlight/react's useConsent): one cookie minted, the page and the browser SDK
 * switch to its bucket, exposures appear, and the next first HTML equals the hydrated page. Revoke: the
 * cookie and the SDK's storage gone, no further exposure. Bad inputs: a malformed consent cookie, and
 * consent with a forged or oversized stable-ID cookie.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, type BrowserContext, type Page } from '@playwright/test';
import { targetOf } from './env';
import { COOKIE, captureRgstr, clientPayloadFormat, clientReason, clientRuleID, clientUser, expect, expectedGroup, exposuresIn, formatOf, guardNetwork, htmlText, hydratedAndFlushed, stableCookie, stableIdIn, target } from './helpers';

const CONSENT = 'fl_consent';
// this project's consent-mode server (one per bootstrap format), set in beforeAll
let ORIGIN = '';
let LOG = '';
const DEFAULT_HEADLINE = 'Coffee, roasted the morning you order it.';

let server: ChildProcess | null = null;
let serverErr = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  test.setTimeout(90_000);
  const format = formatOf(testInfo.project.metadata);
  const port = targetOf(format).consentPort;
  ORIGIN = `http://127.0.0.1:${port}`;
  LOG = resolve('test-results', `e2e-consent-events-${format}.jsonl`);
  const spool = resolve('test-results', `consent-spool-${format}`);
  rmSync(LOG, { force: true });
  rmSync(spool, { recursive: true, force: true });
  mkdirSync(spool, { recursive: true });
  server = spawn('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      // unset for v1, as on the project's own server
      ...(format === 'v1' ? {} : { FIRSTLIGHT_BOOTSTRAP_FORMAT: format }),
      FIRSTLIGHT_CONSENT_COOKIE: CONSENT,
      FIRSTLIGHT_EVENT_LOG: LOG,
      FIRSTLIGHT_EVENT_SPOOL_DIR: spool,
      FIRSTLIGHT_TRUSTED_IP_HEADER: 'x-forwarded-for',
      FIRSTLIGHT_USER_ECHO: 'minimal',
      FIRSTLIGHT_FLUSH_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr!.on('data', (d: Buffer) => void (serverErr += d.toString()));
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${ORIGIN}/api/statsig/health`).then((r) => r.ok, () => false);
    if (ok) return;
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the consent-mode server did not start: ${serverErr.slice(-2000)}`);
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server!.once('exit', r));
  server.kill('SIGTERM');
  await exited;
});

interface LogLine {
  eventName: string;
  user?: { customIDs?: { stableID?: string } };
  metadata?: Record<string, string>;
}

function logLines(): LogLine[] {
  let text = '';
  try {
    text = readFileSync(LOG, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}
const byDevice = (id: string) => logLines().filter((e) => e.user?.customIDs?.stableID === id);

/** Every Set-Cookie for the stable-ID cookie this context received, in order (value '' = a removal). */
function recordStableCookieSets(context: BrowserContext): string[] {
  const sets: string[] = [];
  context.on('response', async (r) => {
    for (const h of await r.headersArray()) {
      if (h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${COOKIE}=`)) sets.push(h.value.split(';')[0]!.slice(COOKIE.length + 1));
    }
  });
  return sets;
}

async function statsigStorage(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('statsig.')));
}

async function recordTexts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __seen: string[] }).__seen = seen;
    const record = () => {
      const el = document.querySelector('[data-testid="hero-variant"]');
      if (el) seen.push(String(el.textContent));
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

test('before consent, grant, revoke: cookie, stored ID, exposures and variant in Chromium', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: ORIGIN });
  const net = await guardNetwork(context);
  const batches = captureRgstr(context);
  const sets = recordStableCookieSets(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // ---- before consent: two page loads
  const perRequest: string[] = [];
  for (let load = 0; load < 2; load++) {
    const res = load === 0 ? await page.goto('/') : await page.reload();
    const html = await res!.text();
    expect(htmlText(html, 'hero-variant')).toBe('default');
    expect(htmlText(html, 'hero-headline')).toBe(DEFAULT_HEADLINE);
    expect(htmlText(html, 'why-consent')).toMatch(/^No consent yet/);
    perRequest.push(htmlText(html, 'why-stable-id')!);
    await hydratedAndFlushed(page);
    await expect(page.getByTestId('hero-variant')).toHaveText('default');
    await expect(page.getByTestId('consent-grant')).toBeVisible();
    expect(await clientReason(page, 'hero_copy')).toBe('Bootstrap:Recognized');
    expect((await clientUser(page)).customIDs?.stableID).toBe(perRequest[load]);
  }
  expect(perRequest[0]).not.toBe(perRequest[1]);
  await page.screenshot({ path: resolve('test-results', 'consent-before.png'), fullPage: true });
  expect(await stableCookie(context)).toEqual([]);
  expect(sets).toEqual([]);
  expect(await statsigStorage(page)).toEqual([]);
  // the client was asked to flush twice and logged every render's checks; nothing was sent
  expect(batches).toEqual([]);

  // ---- grant: through the demo's banner (useConsent().grant)
  await page.getByTestId('consent-grant').click();
  await expect(page.getByTestId('consent-state')).toHaveAttribute('data-consent', 'granted');
  await expect.poll(() => stableCookie(context)).toHaveLength(1);
  const [id] = await stableCookie(context);
  const group = expectedGroup('hero_copy', id!).group;
  expect(sets).toEqual([id]);
  await expect(page.getByTestId('hero-variant')).toHaveText(group);
  // the server parts follow on the refresh the banner asks for
  await expect(page.getByTestId('why-stable-id')).toHaveText(id!);
  await page.screenshot({ path: resolve('test-results', 'consent-granted.png'), fullPage: true });
  await expect.poll(async () => (await clientUser(page)).customIDs?.stableID).toBe(id);
  // the client switched to the granted bootstrap (GET /api/statsig/bootstrap, in the server's format) as a bootstrap
  expect(await clientReason(page, 'hero_copy')).toBe('Bootstrap:Recognized');
  expect(await clientPayloadFormat(page)).toBe(target().format);
  expect(JSON.parse((await page.evaluate((k) => localStorage.getItem(k), COOKIE))!)).toBe(id);
  await hydratedAndFlushed(page);
  await expect.poll(() => exposuresIn(batches, 'statsig::config_exposure', 'hero_copy').filter((e) => e.stableID === id).length).toBeGreaterThan(0);
  for (const b of batches) expect(b.statsigMetadata?.stableID).toBe(id);
  const granted = exposuresIn(batches, 'statsig::config_exposure', 'hero_copy').find((e) => e.stableID === id)!;
  expect(granted.metadata?.ruleID).toBe(clientRuleID(expectedGroup('hero_copy', id!).ruleID));
  // in the service's event log: the browser's exposures and the server's gate exposure, for the minted ID only
  await expect.poll(() => byDevice(id!).filter((e) => e.eventName === 'statsig::config_exposure' && e.metadata?.config === 'hero_copy').length).toBeGreaterThan(0);
  await expect.poll(() => byDevice(id!).filter((e) => e.eventName === 'statsig::gate_exposure' && e.metadata?.gate === 'express_checkout').length).toBeGreaterThan(0);
  for (const pre of perRequest) expect(byDevice(pre)).toEqual([]);

  // the next page load: the cookie is read, not minted again; first HTML == hydrated, no intermediate text
  await recordTexts(page);
  const again = await page.reload();
  const html = await again!.text();
  expect(htmlText(html, 'hero-variant')).toBe(group);
  expect(htmlText(html, 'why-stable-id')).toBe(id);
  await hydratedAndFlushed(page);
  await page.waitForLoadState('networkidle');
  await expect(page.getByTestId('hero-variant')).toHaveText(group);
  expect([...new Set(await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen))]).toEqual([group]);
  expect(await clientReason(page, 'hero_copy')).toBe('Bootstrap:Recognized');
  expect(sets).toEqual([id]);

  // ---- revoke: through the banner (useConsent().revoke)
  await page.getByTestId('consent-revoke').click();
  await expect(page.getByTestId('consent-state')).toHaveAttribute('data-consent', 'not-granted');
  await expect(page.getByTestId('hero-variant')).toHaveText('default');
  expect(await stableCookie(context)).toEqual([]);
  expect((await context.cookies()).find((c) => c.name === CONSENT)?.value).toBe('denied');
  expect(await statsigStorage(page)).toEqual([]);
  await expect(page.getByTestId('why-consent')).toHaveText(/^No consent yet/);
  const sentBefore = batches.length;
  const loggedBefore = byDevice(id!).length;
  await page.reload();
  await hydratedAndFlushed(page);
  await expect(page.getByTestId('hero-variant')).toHaveText('default');
  const afterRevoke = await page.getByTestId('why-stable-id').textContent();
  expect(afterRevoke).not.toBe(id);
  await page.getByTestId('buy-button').click(); // a custom event too: nothing is sent
  await hydratedAndFlushed(page);
  expect(batches.length).toBe(sentBefore);
  expect(await stableCookie(context)).toEqual([]);
  expect(sets.filter((v) => v !== '')).toEqual([id]);

  // a control device with consent, after the revoked one: once its exposures are in the log, anything
  // the revoked browser had sent would be too (one ordered pipeline)
  const control = await browser.newContext({ baseURL: ORIGIN });
  const controlId = stableIdIn('hero_copy', 'Bold', 'consent-control');
  await control.addCookies([
    { name: CONSENT, value: 'granted', url: ORIGIN },
    { name: COOKIE, value: controlId, url: ORIGIN },
  ]);
  const cp = await control.newPage();
  await cp.goto('/');
  await hydratedAndFlushed(cp);
  await expect.poll(() => byDevice(controlId).length).toBeGreaterThan(0);
  expect(byDevice(id!).length).toBe(loggedBefore);
  expect(byDevice(afterRevoke!)).toEqual([]);
  await control.close();

  expect(net.initialize).toEqual([]);
  expect(net.external).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('a stale stable-ID cookie without consent is removed by the server and decides nothing', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: ORIGIN });
  const stale = stableIdIn('hero_copy', 'Bold', 'consent-stale');
  for (const consent of [null, 'denied', '%E0%A4%A', 'granted%20', 'x'.repeat(80)]) {
    await context.clearCookies();
    await context.addCookies([{ name: COOKIE, value: stale, url: ORIGIN }, ...(consent === null ? [] : [{ name: CONSENT, value: consent, url: ORIGIN }])]);
    const page = await context.newPage();
    const res = await page.goto('/');
    expect(res!.status()).toBe(200);
    const set = (await res!.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${COOKIE}=`)).map((h) => h.value);
    expect(set, String(consent)).toHaveLength(1);
    expect(set[0]).toMatch(new RegExp(`^${COOKIE.replace(/\./g, '\\.')}=;.*Max-Age=0`, 'i'));
    const html = await res!.text();
    expect(htmlText(html, 'hero-variant'), String(consent)).toBe('default');
    expect(htmlText(html, 'why-stable-id')).not.toBe(stale);
    await hydratedAndFlushed(page);
    expect(await stableCookie(context)).toEqual([]);
    await page.close();
  }
  await context.close();
});

test('consent with a forged, oversized or malformed stable-ID cookie: replaced by one minted ID, which the page and the browser use', async ({ browser }) => {
  for (const bad of ['x'.repeat(300), '<script>alert(1)</script>', 'has space', 'short', '%E0%A4%A']) {
    const context = await browser.newContext({ baseURL: ORIGIN });
    await context.addCookies([
      { name: CONSENT, value: 'granted', url: ORIGIN },
      { name: COOKIE, value: encodeURIComponent(bad), url: ORIGIN },
    ]);
    const page = await context.newPage();
    const res = await page.goto('/');
    const set = (await res!.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${COOKIE}=`)).map((h) => h.value.split(';')[0]!.slice(COOKIE.length + 1));
    expect(set, bad.slice(0, 12)).toHaveLength(1);
    const minted = set[0]!;
    expect(minted).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const html = await res!.text();
    expect(htmlText(html, 'why-stable-id')).toBe(minted);
    expect(htmlText(html, 'hero-variant')).toBe(expectedGroup('hero_copy', minted).group);
    await hydratedAndFlushed(page);
    expect((await clientUser(page)).customIDs?.stableID).toBe(minted);
    expect(await stableCookie(context)).toEqual([minted]);
    await context.close();
  }
});
