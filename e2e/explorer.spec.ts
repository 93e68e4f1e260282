/**
 * The evaluation explorer in Chromium: behind its token, for a pasted user it lists every entity of the
 * demo specs with the value, rule, group, reason and secondary exposures evaluateAll gives, and the
 * bucket the user falls in for the deciding rule, recomputed here from the raw specs with node:crypto
 * (SHA-256 of "<salt>.<rule salt>.<unit ID>", first 8 bytes as u64, mod 10000).
 */
import { createHash } from 'node:crypto';
import { test } from '@playwright/test';
import { evaluateAll, parseSpecs, type StatsigUser } from '../lib/index';
import { E2E } from './env';
import { DCS_TEXT, expect } from './helpers';

interface RawRule { id: string; salt?: string; idType?: string; groupName?: string }
interface RawSpec { name: string; salt: string; idType?: string; entity?: string; rules: RawRule[] }
const RAW = JSON.parse(DCS_TEXT) as { feature_gates: RawSpec[]; dynamic_configs: RawSpec[]; layer_configs: RawSpec[] };
// the server reads the demo specs from a file, which Firstlight reports as source Bootstrap
const SPECS = parseSpecs(DCS_TEXT, { serverSecret: E2E.serverSecret, source: 'Bootstrap' });

function bucketOf(spec: RawSpec, rule: RawRule, user: StatsigUser): number {
  const idType = rule.idType ?? 'userID';
  const unit = idType.toLowerCase() === 'userid' ? user.userID : (user.customIDs as Record<string, string> | undefined)?.[idType];
  const digest = createHash('sha256').update(`${spec.salt}.${rule.salt ?? rule.id}.${unit ?? ''}`).digest();
  return Number(digest.readBigUInt64BE(0) % 10000n);
}

const explore = (user: object, token: string = E2E.explorerToken) => `/explore?token=${encodeURIComponent(token)}&user=${encodeURIComponent(JSON.stringify(user))}`;

test('every entity equals evaluateAll for the same user, with the deciding rule\'s bucket; screenshot', async ({ page }) => {
  const users: StatsigUser[] = [{ userID: 'alice', customIDs: { stableID: 'explorer-0000-4000-8000-000000000001' }, country: 'DE', locale: 'de_DE' }, { userID: 'bob', customIDs: { stableID: 'explorer-0000-4000-8000-000000000002' } }];
  for (const [i, user] of users.entries()) {
    await page.goto(explore(user));
    const ev = evaluateAll(SPECS, user);
    const kinds = [
      ['gate', RAW.feature_gates, (n: string) => ev.getFeatureGate(n)],
      ['config', RAW.dynamic_configs.filter((c) => c.entity !== 'experiment'), (n: string) => ev.getConfig(n)],
      ['experiment', RAW.dynamic_configs.filter((c) => c.entity === 'experiment'), (n: string) => ev.getExperiment(n)],
      ['layer', RAW.layer_configs, (n: string) => ev.getLayer(n)],
    ] as const;
    let rows = 0;
    let buckets = 0;
    for (const [kind, specs, get] of kinds) {
      for (const spec of specs) {
        const want = get(spec.name);
        const row = page.getByTestId(`explore-${kind}-${spec.name}`);
        await expect(row).toHaveAttribute('data-rule', want.ruleID);
        await expect(row).toHaveAttribute('data-group', want.groupName ?? '');
        await expect(row).toHaveAttribute('data-reason', want.details.reason);
        expect(JSON.parse((await row.getAttribute('data-value'))!)).toEqual(want.value);
        expect(JSON.parse((await row.getAttribute('data-exposures'))!)).toEqual(want.secondaryExposures.map((e) => `${e.gate}:${e.gateValue}:${e.ruleID}`));
        const rule = spec.rules.find((r) => r.id === want.ruleID);
        await expect(row).toHaveAttribute('data-bucket', rule ? String(bucketOf(spec, rule, user)) : '');
        rows++;
        if (rule) buckets++;
      }
    }
    await expect(page.getByTestId('explore-summary')).toContainText(`${rows} entities`);
    expect(buckets).toBeGreaterThan(3);
    if (i === 0) await page.screenshot({ path: 'test-results/explorer.png', fullPage: true });
  }
});

test('no token, a wrong token or a bad user: nothing is evaluated, the form says why', async ({ page }) => {
  await page.goto('/explore');
  await expect(page.getByTestId('explore-denied')).toBeVisible();
  await page.goto(explore({ userID: 'alice' }, 'wrong-token-of-some-length'));
  await expect(page.getByTestId('explore-denied')).toBeVisible();
  await expect(page.locator('[data-testid^="explore-gate-"]')).toHaveCount(0);
  for (const [user, message] of [['{"userID":', 'not valid JSON'], ['[1,2]', 'must be a JSON object'], ['x'.repeat(9000), 'at most 8192']] as const) {
    const res = await page.goto(`/explore?token=${encodeURIComponent(E2E.explorerToken)}&user=${encodeURIComponent(user)}`);
    expect(res!.status()).toBe(200);
    await expect(page.getByTestId('explore-invalid')).toContainText(message);
    await expect(page.locator('[data-testid^="explore-gate-"]')).toHaveCount(0);
  }
});

test('the why panel links to the explorer with the page\'s user', async ({ page }) => {
  await page.goto('/');
  const href = await page.getByTestId('to-explorer').getAttribute('href');
  expect(href).toMatch(/^\/explore\?user=/);
  const user = JSON.parse(new URL(href!, E2E.origin).searchParams.get('user')!) as { customIDs?: { stableID?: string } };
  expect(user.customIDs?.stableID).toBeTruthy();
});
