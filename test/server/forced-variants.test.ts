// Forced variants: the signed token (round trip and every refusal), what a verified payload does to an
// evaluation (server reads and the bootstrap alike, reason LocalOverride, group names kept), and the
// Next reader: off without a key or in production, each refusal logged once, the token never logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Statsig } from '../../server/statsig';
import { silentLogger, type Logger } from '../../server/logger';
import { signForcedVariants, verifyForcedVariants, MAX_TOKEN_BYTES } from '../../server/forced/forced-token';
import { ForcedVariantsReader } from '../../server/next/forced-variants';
import { readForcedVariantsConfig } from '../../server/next/forced-config';
import { InvalidOptionError } from '../../lib/errors';
import { getExperiment, parseSpecs } from '../../lib/index';
import { readFileSync } from 'node:fs';

const KEY = 'k'.repeat(16) + '-forced-variants-test-key';
const OTHER_KEY = 'o'.repeat(40);
const NOW = 1_800_000_000_000;
const DEMO = 'data/demo-dcs.json';
const DEMO_SPECS = parseSpecs(readFileSync(DEMO, 'utf8'), { serverSecret: 'secret-demo' });

/** A stable ID the demo's hero_copy puts in `group` without any forcing. */
function deviceIn(group: string): string {
  for (let i = 0; ; i++) {
    const id = `forced-${i}`;
    if (getExperiment(DEMO_SPECS, { customIDs: { stableID: id } }, 'hero_copy').groupName === group) return id;
  }
}

test('a signed token verifies; forged, tampered, expired, oversized, malformed and unsigned-shape tokens are refused with their reason', () => {
  const token = signForcedVariants({ experiments: { hero_copy: 'Bold' }, gates: { express_checkout: true } }, KEY, { nowMs: NOW, ttlMs: 60_000 });
  const ok = verifyForcedVariants(token, KEY, NOW + 59_999);
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.ok && ok.payload, { v: 1, exp: NOW + 60_000, experiments: { hero_copy: 'Bold' }, gates: { express_checkout: true } });

  assert.deepEqual(verifyForcedVariants(token, OTHER_KEY, NOW), { ok: false, reason: 'forged' });
  const [v, body, sig] = token.split('.') as [string, string, string];
  const tampered = Buffer.from(JSON.stringify({ v: 1, exp: NOW + 60_000, experiments: { hero_copy: 'Classic' } })).toString('base64url');
  assert.deepEqual(verifyForcedVariants(`${v}.${tampered}.${sig}`, KEY, NOW), { ok: false, reason: 'forged' });
  assert.deepEqual(verifyForcedVariants(token, KEY, NOW + 60_000), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyForcedVariants(`${token}${'A'.repeat(MAX_TOKEN_BYTES)}`, KEY, NOW), { ok: false, reason: 'oversized' });
  for (const bad of ['', 'v1.', 'v2.' + body + '.' + sig, `v1.${body}`, `v1.${body}.${sig}.x`, `v1.${body}.${sig}!`, 'garbage']) {
    assert.deepEqual(verifyForcedVariants(bad, KEY, NOW), { ok: false, reason: 'malformed' }, bad);
  }
  // correctly signed, but not a payload Firstlight accepts (someone with the key signing by hand)
  const signedJunk = (json: string) => {
    const b = Buffer.from(json).toString('base64url');
    return `v1.${b}.${createHmac('sha256', KEY).update(`v1.${b}`).digest('base64url')}`;
  };
  assert.deepEqual(verifyForcedVariants(signedJunk('{not json'), KEY, NOW), { ok: false, reason: 'invalid' });
  assert.deepEqual(verifyForcedVariants(signedJunk(JSON.stringify({ v: 1, exp: NOW + 1, gates: { g: 'yes' } })), KEY, NOW), { ok: false, reason: 'invalid' });
  assert.deepEqual(verifyForcedVariants(signedJunk(JSON.stringify({ v: 1, exp: NOW + 1, extra: 1 })), KEY, NOW), { ok: false, reason: 'invalid' });

  assert.throws(() => signForcedVariants({}, 'short'), /at least 32 characters/);
  assert.throws(() => signForcedVariants({ gates: { g: 'on' as unknown as boolean } }, KEY), /forced variants gates\.g: /);
  const huge = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`gate_with_a_long_name_${'x'.repeat(40)}_${i}`, true]));
  assert.throws(() => signForcedVariants({ gates: huge }, KEY), /too large for a cookie/);
});

test('forced variants apply to the server reads and to the bootstrap; unknown names are reported, not guessed', async () => {
  const statsig = new Statsig('secret-demo', { localMode: true, specsFile: DEMO, eventSinks: [], logger: silentLogger });
  await statsig.initialize();
  try {
    for (const [natural, forcedGroup] of [['Classic', 'Bold'], ['Bold', 'Classic']] as const) {
      const user = { customIDs: { stableID: deviceIn(natural) } };
      assert.equal(statsig.evaluateAll(user).peekExperiment('hero_copy').groupName, natural);
      const snap = statsig.evaluateAll(user, {
        forcedVariants: {
          experiments: { hero_copy: forcedGroup, no_such_experiment: 'A', checkout_button: 'No such group' },
          gates: { express_checkout: true, no_such_gate: false },
          layers: { storefront: { recs_title: 'Forced title' } },
        },
      });
      const hero = snap.peekExperiment('hero_copy');
      const expected = DEMO_SPECS.configs.get('hero_copy')!.rules.find((r) => r.groupName === forcedGroup)!.returnValue.value;
      assert.equal(hero.groupName, forcedGroup);
      assert.equal(hero.details.reason, 'LocalOverride');
      assert.deepEqual(hero.value, expected);
      assert.equal(snap.peekGate('express_checkout').value, true);
      assert.equal(snap.peekLayer('storefront').get('recs_title', ''), 'Forced title');
      assert.equal(snap.peekLayer('storefront').get('recs_count', 0), 3, 'other layer parameters keep the layer default');
      assert.deepEqual(snap.forcedVariants.forced, ['gate:express_checkout', 'experiment:hero_copy', 'layer:storefront']);
      assert.deepEqual(snap.forcedVariants.ignored, ['gate:no_such_gate (no such gate)', 'experiment:no_such_experiment (no such experiment)', 'experiment:checkout_button (no group "No such group")']);

      const cir = JSON.parse(snap.toClientInitializeResponseJSON({ hash: 'none' })!) as { dynamic_configs: Record<string, { value: unknown; group_name?: string }>; feature_gates: Record<string, { value: boolean }> };
      assert.deepEqual(cir.dynamic_configs.hero_copy!.value, expected, 'the bootstrap carries the forced value');
      assert.equal(cir.dynamic_configs.hero_copy!.group_name, forcedGroup, 'and the group name the browser shows');
      assert.equal(cir.feature_gates.express_checkout!.value, true);
      // another snapshot of the same user, without the token, is untouched
      assert.equal(statsig.evaluateAll(user).peekExperiment('hero_copy').groupName, natural);
    }
    // forced variants win over an instance override of the same experiment
    statsig.overrideExperiment('hero_copy', { headline: 'instance override' });
    const both = statsig.evaluateAll({ userID: 'u' }, { forcedVariants: { experiments: { hero_copy: 'Bold' } } });
    assert.equal(both.peekExperiment('hero_copy').groupName, 'Bold');
    assert.equal(statsig.evaluateAll({ userID: 'u' }).peekExperiment('hero_copy').get('headline', ''), 'instance override');
  } finally {
    await statsig.shutdown();
  }
});

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { warn: (m) => void lines.push(m), error: (m) => void lines.push(m) } };
}
const headers = (h: Record<string, string> = {}) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });
const cookies = (c: Record<string, string> = {}) => ({ get: (n: string) => (n in c ? { value: c[n]! } : undefined) });

test('the reader: the header wins over the cookie; refusals ignored and logged once per reason, never with the token', () => {
  const { logger, lines } = recorder();
  const reader = new ForcedVariantsReader({ config: () => ({ key: KEY, off: null }), logger, now: () => NOW });
  const bold = signForcedVariants({ experiments: { hero_copy: 'Bold' } }, KEY, { nowMs: NOW });
  const classic = signForcedVariants({ experiments: { hero_copy: 'Classic' } }, KEY, { nowMs: NOW });
  assert.deepEqual(reader.read(headers(), cookies({ firstlight_force: bold })), { experiments: { hero_copy: 'Bold' } });
  assert.deepEqual(reader.read(headers({ 'x-firstlight-force': classic }), cookies({ firstlight_force: bold })), { experiments: { hero_copy: 'Classic' } });
  assert.equal(reader.read(headers(), cookies()), undefined);
  assert.equal(lines.length, 0, 'a valid token and no token log nothing');

  const forged = signForcedVariants({ gates: { express_checkout: true } }, OTHER_KEY, { nowMs: NOW });
  const expired = signForcedVariants({ gates: { express_checkout: true } }, KEY, { nowMs: NOW - 10_000, ttlMs: 1_000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(reader.read(headers(), cookies({ firstlight_force: forged })), undefined);
    assert.equal(reader.read(headers(), cookies({ firstlight_force: expired })), undefined);
    assert.equal(reader.read(headers(), cookies({ firstlight_force: 'x'.repeat(10_000) })), undefined);
    assert.equal(reader.read(headers({ 'x-firstlight-force': 'not-a-token' }), cookies()), undefined);
  }
  for (const line of lines) assert.ok(!line.includes(forged.slice(3, 20)) && !line.includes(expired.slice(3, 20)), 'the token is never logged');
  assert.deepEqual(lines, [
    'forced variants in the firstlight_force cookie ignored: forged token',
    'forced variants in the firstlight_force cookie ignored: expired token',
    'forced variants in the firstlight_force cookie ignored: oversized token',
    'forced variants in the x-firstlight-force header ignored: malformed token',
  ]);
});

test('off without a key and in production unless enabled; a short key stops the start without being echoed', () => {
  const { logger, lines } = recorder();
  const token = signForcedVariants({ experiments: { hero_copy: 'Bold' } }, KEY);
  for (const env of [{}, { FIRSTLIGHT_FORCE_KEY: KEY, NODE_ENV: 'production' }, { FIRSTLIGHT_FORCE_KEY: KEY, NODE_ENV: 'production', FIRSTLIGHT_FORCE_IN_PRODUCTION: 'false' }]) {
    const reader = new ForcedVariantsReader({ config: () => readForcedVariantsConfig(env), logger });
    assert.equal(reader.read(headers(), cookies({ firstlight_force: token })), undefined);
    assert.equal(reader.read(headers(), cookies({ firstlight_force: token })), undefined);
  }
  assert.deepEqual(lines, [
    'forced variants in the firstlight_force cookie ignored: forced variants are off (FIRSTLIGHT_FORCE_KEY is not set)',
    'forced variants in the firstlight_force cookie ignored: forced variants are off (NODE_ENV is production and FIRSTLIGHT_FORCE_IN_PRODUCTION is not true)',
    'forced variants in the firstlight_force cookie ignored: forced variants are off (NODE_ENV is production and FIRSTLIGHT_FORCE_IN_PRODUCTION is not true)',
  ]);
  assert.deepEqual(readForcedVariantsConfig({ FIRSTLIGHT_FORCE_KEY: KEY, NODE_ENV: 'production', FIRSTLIGHT_FORCE_IN_PRODUCTION: 'true' }), { key: KEY, off: null });
  assert.deepEqual(readForcedVariantsConfig({ FIRSTLIGHT_FORCE_KEY: KEY, NODE_ENV: 'development' }), { key: KEY, off: null });
  const short = 'short-secret-key';
  assert.throws(
    () => readForcedVariantsConfig({ FIRSTLIGHT_FORCE_KEY: short }),
    (e: unknown) => e instanceof InvalidOptionError && /FIRSTLIGHT_FORCE_KEY must be at least 32 characters/.test(e.message) && !e.message.includes(short),
  );
  assert.throws(() => readForcedVariantsConfig({ FIRSTLIGHT_FORCE_IN_PRODUCTION: 'yes' }), /FIRSTLIGHT_FORCE_IN_PRODUCTION must be "true" or "false"/);
});
