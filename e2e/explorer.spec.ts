/**
 * The evaluation explorer in Chromium: behind its token, for a pasted user it lists every entity of the
 * demo specs with the value, rule, group, reason and secondary exposures evaluateAll gives, the
 * bucket the user falls in for the deciding rule, recomputed here from the raw specs with node:crypto
 * (SHA-256 of "<salt>.<rule salt>.<unit ID>", first 8 bytes as u64, mod 10000), and each group's share
 * with the user's user_bucket (mod 1000). The diffs (two users; the specs in force against pasted or
 * uploaded ones) show, for both sides of every entity, what evaluateAll gives there.
 */
import { createHash } from 'node:crypto';
import { test, type Page } from '@playwright/test';
import { evaluateAll, parseSpecs, type Specs, type StatsigUser } from '../lib/index';
import { E2E } from './env';
import { DCS_TEXT, expect, target } from './helpers';

// The explorer page renders no bootstrap (no provider, no browser SDK): its rows come from evaluateAll on the
// server. Every test still runs on both projects, so a server started with either format is covered.

interface RawCondition { type: string; operator?: string; targetValue?: unknown; idType?: string; additionalValues?: { salt?: string } }
interface RawRule { id: string; salt?: string; idType?: string; groupName?: string; conditions?: RawCondition[] }
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
  const user = JSON.parse(new URL(href!, target().origin).searchParams.get('user')!) as { customIDs?: { stableID?: string } };
  expect(user.customIDs?.stableID).toBeTruthy();
});

function unitOf(user: StatsigUser, idType: string | undefined): string {
  const t = idType ?? 'userID';
  const v = t.toLowerCase() === 'userid' ? user.userID : (user.customIDs as Record<string, string> | undefined)?.[t];
  return v === undefined || v === null ? '' : String(v);
}

test('each experiment group\'s share and the user\'s bucket, from the raw specs', async ({ page }) => {
  const user: StatsigUser = { userID: 'carol', customIDs: { stableID: 'explorer-0000-4000-8000-000000000003' } };
  await page.goto(explore(user));
  const ev = evaluateAll(SPECS, user);
  let splits = 0;
  for (const spec of RAW.dynamic_configs.filter((c) => c.entity === 'experiment')) {
    // the group rules: one `lt` user_bucket condition each on the experiment's salt; shares are threshold steps
    const groups = spec.rules.filter((r) => r.conditions?.length === 1 && r.conditions[0]!.type === 'user_bucket' && r.conditions[0]!.operator === 'lt');
    const cond = groups[0]!.conditions![0]!;
    const digest = createHash('sha256').update(`${cond.additionalValues!.salt}.${unitOf(user, cond.idType)}`).digest();
    const bucket = Number(digest.readBigUInt64BE(0) % 1000n);
    let from = 0;
    const want = groups.map((r) => {
      const to = Number(r.conditions![0]!.targetValue);
      const entry = [r.id, (to - from) / 10, bucket >= from && bucket < to] as const;
      from = to;
      return entry;
    });
    const rows = page.locator(`[data-testid^="explore-split-experiment-${spec.name}-"]`);
    let found = false;
    for (let i = 0; i < (await rows.count()); i++) {
      const shares = JSON.parse((await rows.nth(i).getAttribute('data-shares'))!) as [string, number, boolean][];
      if (shares[0]![0] !== groups[0]!.id) continue;
      found = true;
      expect(shares).toEqual(want);
      await expect(rows.nth(i)).toHaveAttribute('data-bucket', String(bucket));
      // the group evaluateAll picked, when the user reached the group rules, is the one holding the bucket
      const picked = ev.getExperiment(spec.name).ruleID;
      if (groups.some((g) => g.id === picked)) expect(want.find((w) => w[2])![0]).toBe(picked);
      splits++;
    }
    expect(found, spec.name).toBe(true);
  }
  expect(splits).toBe(RAW.dynamic_configs.filter((c) => c.entity === 'experiment').length);
  await expect(page.getByTestId('explore-split-experiment-hero_copy-0')).toContainText('Classic 50% · Bold 50%');
});

type Side = { value: unknown; ruleID: string; groupName: string | null; reason: string };
function sideOf(specs: Specs, user: StatsigUser, kind: string, name: string): Side {
  const ev = evaluateAll(specs, user);
  const r = kind === 'gate' ? ev.getFeatureGate(name) : kind === 'config' ? ev.getConfig(name) : kind === 'experiment' ? ev.getExperiment(name) : ev.getLayer(name);
  return { value: r.value, ruleID: r.ruleID, groupName: r.groupName, reason: r.details.reason };
}

/** Every row of the diff on the page, both sides equal to evaluateAll, the status what they make it. */
async function checkDiff(page: Page, sideA: [Specs, StatsigUser], sideB: [Specs, StatsigUser], kinds: { kind: string; name: string }[]) {
  const counts = { same: 0, changed: 0, onlyA: 0, onlyB: 0 };
  for (const { kind, name } of kinds) {
    const row = page.getByTestId(`diff-${kind}-${name}`);
    const inA = kind === 'gate' ? sideA[0].gates.has(name) : kind === 'layer' ? sideA[0].layers.has(name) : sideA[0].configs.has(name);
    const inB = kind === 'gate' ? sideB[0].gates.has(name) : kind === 'layer' ? sideB[0].layers.has(name) : sideB[0].configs.has(name);
    const pick = (s: string | null) => {
      if (!s) return null;
      const o = JSON.parse(s) as Side;
      return { value: o.value, ruleID: o.ruleID, groupName: o.groupName, reason: o.reason };
    };
    const a = inA ? sideOf(sideA[0], sideA[1], kind, name) : null;
    const b = inB ? sideOf(sideB[0], sideB[1], kind, name) : null;
    expect(pick(await row.getAttribute('data-a')), `${kind} ${name} A`).toEqual(a);
    expect(pick(await row.getAttribute('data-b')), `${kind} ${name} B`).toEqual(b);
    const status = !a ? 'onlyB' : !b ? 'onlyA' : JSON.stringify(a) === JSON.stringify(b) ? 'same' : 'changed';
    // (JSON text equality is exact here: both spec versions write their values with the same key order)
    await expect(row, `${kind} ${name}`).toHaveAttribute('data-status', status);
    counts[status]++;
  }
  expect(JSON.parse((await page.getByTestId('diff-summary').getAttribute('data-counts'))!)).toEqual(counts);
  return counts;
}

function entitiesOf(raw: typeof RAW): { kind: string; name: string }[] {
  return [
    ...raw.feature_gates.map((g) => ({ kind: 'gate', name: g.name })),
    ...raw.dynamic_configs.map((c) => ({ kind: c.entity === 'experiment' ? 'experiment' : 'config', name: c.name })),
    ...raw.layer_configs.map((l) => ({ kind: 'layer', name: l.name })),
  ];
}

test('diff of two users: every entity\'s both sides equal evaluateAll; unchanged ones collapsed', async ({ page }) => {
  const a: StatsigUser = { userID: 'alice', customIDs: { stableID: 'explorer-0000-4000-8000-000000000001' }, country: 'DE', locale: 'de_DE' };
  // a device in the other hero_copy group than alice's, so at least one experiment differs
  const aliceGroup = evaluateAll(SPECS, a).getExperiment('hero_copy').groupName;
  let n = 10;
  let b: StatsigUser;
  do b = { userID: `bob-${n}`, customIDs: { stableID: `explorer-0000-4000-8000-0000000000${n++}` } };
  while (evaluateAll(SPECS, b).getExperiment('hero_copy').groupName === aliceGroup);
  await page.goto(`${explore(a)}&user2=${encodeURIComponent(JSON.stringify(b))}`);
  await expect(page.getByTestId('diff-users')).toBeVisible();
  const counts = await checkDiff(page, [SPECS, a], [SPECS, b], entitiesOf(RAW));
  expect(counts.changed).toBeGreaterThan(0);
  expect(counts.onlyA + counts.onlyB).toBe(0);
  await expect(page.getByTestId('diff-experiment-hero_copy')).toHaveAttribute('data-changed', /group/);
  if (counts.same > 0) {
    const firstSame = page.locator('[data-testid="diff-unchanged"] li').first();
    await expect(firstSame).toBeHidden();
    await page.getByTestId('diff-unchanged').locator('summary').click();
    await expect(firstSame).toBeVisible();
  }
  // the second user is validated like the first
  await page.goto(`${explore(a)}&user2=${encodeURIComponent('{"userID":')}`);
  await expect(page.getByTestId('explore-invalid')).toContainText('second user: the user is not valid JSON');
});

/** The demo specs, a version later: hero_copy's Classic shrinks to 20%, the gate goes, a new gate comes, the store's default changes. */
function newerSpecs(): { text: string; raw: typeof RAW } {
  const next = JSON.parse(DCS_TEXT) as typeof RAW & { time: number };
  next.time += 60_000;
  const hero = next.dynamic_configs.find((c) => c.name === 'hero_copy')!;
  hero.rules.find((r) => r.groupName === 'Classic')!.conditions![0]!.targetValue = 200;
  const template = next.feature_gates[0]!;
  next.feature_gates = [{ ...structuredClone(template), name: 'holiday_banner' }];
  (next.dynamic_configs.find((c) => c.name === 'store_config') as RawSpec & { defaultValue: unknown }).defaultValue = { currency: 'CHF' };
  return { text: JSON.stringify(next), raw: next };
}

async function compare(page: Page, fill: (page: Page) => Promise<void>, token: string = E2E.explorerToken) {
  await fill(page);
  await page.getByTestId('specs-diff-token').fill(token);
  await page.getByTestId('specs-diff-submit').click();
}

test('diff against pasted and uploaded specs: both sides equal evaluateAll on their specs; screenshot', async ({ page }) => {
  const user: StatsigUser = { userID: 'dana', customIDs: { stableID: 'explorer-0000-4000-8000-000000000004' }, locale: 'de_CH' };
  const { text, raw } = newerSpecs();
  const specsB = parseSpecs(text, { serverSecret: E2E.serverSecret, source: 'Bootstrap' });
  const all = [...entitiesOf(RAW), ...entitiesOf(raw).filter((e) => !entitiesOf(RAW).some((x) => x.kind === e.kind && x.name === e.name))];
  await page.goto(explore(user));
  await compare(page, (p) => p.getByTestId('specs-diff-text').fill(text));
  await expect(page.getByTestId('diff-specs')).toBeVisible();
  const counts = await checkDiff(page, [SPECS, user], [specsB, user], all);
  expect(counts.onlyA).toBe(RAW.feature_gates.length);
  expect(counts.onlyB).toBe(1);
  await expect(page.getByTestId('diff-config-store_config')).toHaveAttribute('data-status', sideOf(SPECS, user, 'config', 'store_config').ruleID === 'default' ? 'changed' : 'same');

  // the same through an upload, for a device that moves from Classic to Bold
  let i = 0;
  let mover: StatsigUser;
  do mover = { userID: 'erin', customIDs: { stableID: `explorer-mover-${i++}` } };
  while (!(sideOf(SPECS, mover, 'experiment', 'hero_copy').groupName === 'Classic' && sideOf(specsB, mover, 'experiment', 'hero_copy').groupName === 'Bold'));
  await page.goto(explore(mover));
  await compare(page, (p) => p.getByTestId('specs-diff-file').setInputFiles({ name: 'dcs.json', mimeType: 'application/json', buffer: Buffer.from(text) }));
  await expect(page.getByTestId('diff-experiment-hero_copy')).toHaveAttribute('data-changed', 'value,rule,group');
  await checkDiff(page, [SPECS, mover], [specsB, mover], all);
  await page.getByTestId('diff-unchanged').locator('summary').click();
  await page.screenshot({ path: 'test-results/explorer-diff.png', fullPage: true });
});

test('bad specs for the diff: explained on the form, nothing compared', async ({ page }) => {
  // eight page loads, a 4 MiB paste and two multi-MiB uploads: past one minute on a loaded 2-core machine
  test.slow();
  await page.goto(explore({ userID: 'alice' }));
  const cases: [string, (p: Page) => Promise<void>, RegExp, string?][] = [
    ['wrong token', (p) => p.getByTestId('specs-diff-text').fill(DCS_TEXT), /./, 'wrong-token-of-some-length'],
    ['empty', async () => {}, /paste or upload a download_config_specs JSON/],
    ['not JSON', (p) => p.getByTestId('specs-diff-text').fill('{"feature_gates": ['), /not valid JSON/],
    ['not DCS', (p) => p.getByTestId('specs-diff-text').fill('{"feature_gates":[{"name":7}]}'), /not a valid download_config_specs payload/],
    ['too deep', (p) => p.getByTestId('specs-diff-text').fill('['.repeat(100) + ']'.repeat(100)), /nested deeper than 64 levels/],
    ['too large', (p) => p.getByTestId('specs-diff-file').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) }), /at most 4194304 bytes \(4 MiB\); these are 4194305/],
    // past the 5 MB Next lets a server action carry: refused in the browser before it is sent
    ['larger than an action may carry', (p) => p.getByTestId('specs-diff-file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(6 * 1024 * 1024, 0x20) }), /these are 6291456/],
    ['too large pasted', (p) => p.getByTestId('specs-diff-text').fill(' '.repeat(4 * 1024 * 1024 + 10)), /these are 4194314/],
  ];
  for (const [what, fill, message, token] of cases) {
    await page.goto(explore({ userID: 'alice' }));
    await compare(page, fill, token);
    if (token) await expect(page.getByTestId('specs-diff-denied'), what).toBeVisible();
    else await expect(page.getByTestId('specs-diff-invalid'), what).toContainText(message);
    await expect(page.locator('[data-testid^="diff-"][data-status]')).toHaveCount(0);
  }
});
