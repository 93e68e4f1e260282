/**
 * Next's router prefetching a flag-reading page in real Chromium: the prefetch logs no exposure;
 * showing the page logs exactly one — reported by the page (POST /api/statsig/shown) and logged by
 * the server, whether the router reuses the prefetched payload or asks the server again — and
 * coming back to it through the router does not log it twice.
 */
import { test } from '@playwright/test';
import { E2E } from './env';
import { COOKIE, captureRgstr, expect, hydratedAndFlushed, readEventLog, stableIdIn, target } from './helpers';

/** express_checkout exposures for this device in the event log (server-logged and browser-sent alike). */
function loggedGateExposures(stableID: string): number {
  return readEventLog().filter(
    (e) =>
      e.eventName === 'statsig::gate_exposure' &&
      (e.metadata as { gate?: string })?.gate === 'express_checkout' &&
      (e.user as { customIDs?: { stableID?: string } })?.customIDs?.stableID === stableID,
  ).length;
}

test('<Link prefetch> to a flag-reading page: no exposure for the prefetch, exactly one when the page is shown', async ({ browser }) => {
  const stableID = stableIdIn('hero_copy', 'Bold', 'prefetch-link');
  const context = await browser.newContext();
  await context.addCookies([{ name: COOKIE, value: stableID, url: target().origin }]);
  const batches = captureRgstr(context);
  const page = await context.newPage();
  const shopRequests: { prefetch: boolean; headers: Record<string, string> }[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/' && r.resourceType() !== 'document') {
      const h = r.headers();
      shopRequests.push({ prefetch: 'next-router-prefetch' in h, headers: h });
    }
  });

  await page.goto('/how-it-works');
  await expect(page.getByTestId('to-shop')).toBeVisible();
  // the router prefetches the storefront as soon as the link is visible
  await expect.poll(() => shopRequests.filter((r) => r.prefetch).length, { timeout: 15_000 }).toBeGreaterThan(0);
  await page.waitForLoadState('networkidle');

  // the prefetched render read express_checkout on the server, but nobody has seen it yet
  const shownReports: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/statsig/shown') shownReports.push(r.postData() ?? '');
  });
  await hydratedAndFlushed(page);
  await page.waitForTimeout(1_000);
  const browserGateExposures = () =>
    batches.flatMap((b) => b.events).filter((e) => e.eventName === 'statsig::gate_exposure' && (e.metadata as { gate?: string })?.gate === 'express_checkout').length;
  expect(loggedGateExposures(stableID), 'exposure logged for a prefetch').toBe(0);
  expect(shownReports, 'nothing reported before the page is shown').toHaveLength(0);

  const before = shopRequests.length;
  await page.getByTestId('to-shop').click();
  await expect(page.getByTestId('hero-variant')).toHaveText('Bold');
  const refetched = shopRequests.slice(before).some((r) => !r.prefetch);

  // exactly one exposure for the shown page, reported by the page and logged by the server
  await expect.poll(() => loggedGateExposures(stableID), { timeout: 15_000 }).toBe(1);
  expect(shownReports.map((b) => JSON.parse(b) as { gates: string[] })).toEqual([{ gates: ['express_checkout'] }]);

  // away and back through the router: a new render of the page reports again, the server dedupes
  await page.getByTestId('to-how').click();
  await expect(page.getByTestId('to-shop')).toBeVisible();
  await page.getByTestId('to-shop').click();
  await expect(page.getByTestId('hero-variant')).toHaveText('Bold');
  await expect.poll(() => shownReports.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await hydratedAndFlushed(page);
  await page.waitForTimeout(1_000);
  expect(loggedGateExposures(stableID)).toBe(1);
  // the browser SDK never logs this server-read gate itself
  expect(browserGateExposures()).toBe(0);
  test.info().annotations.push({ type: 'navigation', description: refetched ? 'router asked the server again' : 'router showed the prefetched payload' });
  await context.close();
});
