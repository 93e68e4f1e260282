/**
 * Next's router prefetching a flag-reading page in real Chromium: the prefetch logs no exposure;
 * showing the page logs exactly one, whether the router reuses the prefetched payload (the browser
 * logs it) or asks the server again (the server logs it).
 */
import { test } from '@playwright/test';
import { E2E } from './env';
import { COOKIE, captureRgstr, expect, hydratedAndFlushed, readEventLog, stableIdIn } from './helpers';

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
  await context.addCookies([{ name: COOKIE, value: stableID, url: E2E.origin }]);
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
  await hydratedAndFlushed(page);
  await page.waitForTimeout(1_000);
  const browserGateExposures = () =>
    batches.flatMap((b) => b.events).filter((e) => e.eventName === 'statsig::gate_exposure' && (e.metadata as { gate?: string })?.gate === 'express_checkout').length;
  expect(loggedGateExposures(stableID), 'exposure logged for a prefetch').toBe(0);
  expect(browserGateExposures(), 'browser exposure before the page is shown').toBe(0);

  const before = shopRequests.length;
  await page.getByTestId('to-shop').click();
  await expect(page.getByTestId('hero-variant')).toHaveText('Bold');
  const refetched = shopRequests.slice(before).some((r) => !r.prefetch);

  // exactly one exposure for the shown page, from whichever side rendered what the user sees
  await hydratedAndFlushed(page);
  await expect.poll(() => loggedGateExposures(stableID), { timeout: 15_000 }).toBe(1);
  await page.waitForTimeout(1_000);
  await hydratedAndFlushed(page);
  expect(loggedGateExposures(stableID)).toBe(1);
  // the browser sent it exactly when the router showed the prefetched payload without asking again
  expect(browserGateExposures()).toBe(refetched ? 0 : 1);
  test.info().annotations.push({ type: 'navigation', description: refetched ? 'router asked the server again' : 'router showed the prefetched payload' });
  await context.close();
});
