/**
 * Forced variants in Chromium through firstlight/testing: each group of the demo's device experiment,
 * forced on a device that the experiment's own bucketing puts in the other group, is what the first
 * HTML shows, what the why panel explains and what the browser SDK shows after hydration (from the same
 * bootstrap, no /initialize). A forged, expired or oversized token changes nothing.
 */
import { test } from '@playwright/test';
import { forceVariants, FORCE_COOKIE, signForcedVariants } from 'firstlight/testing';
import { E2E } from './env';
import { COOKIE, HERO_GROUPS, clientReason, expect, expectedGroup, guardNetwork, htmlText, hydratedAndFlushed, stableIdIn, target } from './helpers';

const other = (g: (typeof HERO_GROUPS)[number]) => (g === 'Classic' ? 'Bold' : 'Classic');

/** The headline of a hero_copy group, from the demo specs (not through the server). */
function headlineOf(group: string): string {
  for (let i = 0; ; i++) {
    const e = expectedGroup('hero_copy', `${group}-${i}-0000-4000-8000-000000000000`);
    if (e.group === group) return String(e.value.headline);
  }
}

test('each group of the device experiment, forced, is in the first HTML, the why panel and the hydrated page', async ({ browser }) => {
  for (const group of HERO_GROUPS) {
    const id = stableIdIn('hero_copy', other(group), `forced-${group}`);
    const context = await browser.newContext();
    const { external, initialize } = await guardNetwork(context);
    await context.addCookies([{ name: COOKIE, value: id, url: target().origin }]);
    await forceVariants(context, { key: E2E.forceKey, url: target().origin, experiments: { hero_copy: group } });
    const page = await context.newPage();
    const res = await page.goto('/');
    const html = await res!.text();
    expect(htmlText(html, 'hero-variant')).toBe(group);
    expect(htmlText(html, 'hero-headline')).toBe(headlineOf(group));
    expect(htmlText(html, 'why-forced')).toBe('Forced for this browser: experiment:hero_copy');
    await hydratedAndFlushed(page);
    await expect(page.getByTestId('hero-variant')).toHaveText(group);
    await expect(page.getByTestId('hero-headline')).toHaveText(headlineOf(group));
    await expect(page.getByTestId('why-hero_copy')).toHaveAttribute('data-group', group);
    await expect(page.getByTestId('why-hero_copy')).toContainText(`Forced into group “${group}”`);
    expect(await clientReason(page, 'hero_copy')).toBe('Bootstrap:Recognized');
    expect(initialize).toEqual([]);
    expect(external).toEqual([]);

    // the same device without the token: its own bucket again
    await context.clearCookies({ name: FORCE_COOKIE });
    const plain = await (await page.goto('/'))!.text();
    expect(htmlText(plain, 'hero-variant')).toBe(other(group));
    expect(htmlText(plain, 'why-forced')).toBeNull();
    await context.close();
  }
});

test('a forged, expired or oversized forced-variants cookie is ignored: the device keeps its own group', async ({ browser }) => {
  const id = stableIdIn('hero_copy', 'Classic', 'forced-bad');
  const forged = signForcedVariants({ experiments: { hero_copy: 'Bold' } }, 'not-the-servers-key-but-long-enough-000');
  const expired = signForcedVariants({ experiments: { hero_copy: 'Bold' } }, E2E.forceKey, { nowMs: Date.now() - 2 * 3600_000, ttlMs: 3600_000 });
  const valid = signForcedVariants({ experiments: { hero_copy: 'Bold' } }, E2E.forceKey);
  const oversized = `${valid}${'A'.repeat(3900 - valid.length)}`;
  for (const [what, token] of [['forged', forged], ['expired', expired], ['oversized', oversized]] as const) {
    const context = await browser.newContext();
    await context.addCookies([
      { name: COOKIE, value: id, url: target().origin },
      { name: FORCE_COOKIE, value: token, url: target().origin },
    ]);
    const page = await context.newPage();
    const res = await page.goto('/');
    expect(res!.status(), what).toBe(200);
    const html = await res!.text();
    expect(htmlText(html, 'hero-variant'), what).toBe('Classic');
    expect(htmlText(html, 'why-forced'), what).toBeNull();
    await hydratedAndFlushed(page);
    await expect(page.getByTestId('hero-variant')).toHaveText('Classic');
    await context.close();
  }
});
