// The explorer's pieces without a browser: rule allocations recomputed independently (node:crypto on the
// raw specs) for every rule of the example fixture and every fixture user, agreeing with the evaluator
// on which rules let the user through; and the token setting (off, refused, never echoed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseSpecs, ruleAllocations, type StatsigUser } from '../../lib/index';
import { explorerToken } from '../../server/next/explorer';
import { InvalidOptionError } from '../../lib/errors';
import { FIXTURE_SECRET, fixtureDcsJson, fixtureUsers } from '../support/fixtures';

interface RawRule { id: string; salt?: string; idType?: string; passPercentage: number }
interface RawSpec { name: string; salt: string; rules: RawRule[] }

test('every rule\'s bucket equals SHA-256 of "<salt>.<rule salt>.<unit>" mod 10000, for every fixture user', () => {
  const raw = JSON.parse(fixtureDcsJson()) as { feature_gates: RawSpec[]; dynamic_configs: RawSpec[]; layer_configs: RawSpec[] };
  const specs = parseSpecs(fixtureDcsJson(), { serverSecret: FIXTURE_SECRET });
  let checked = 0;
  for (const user of fixtureUsers() as StatsigUser[]) {
    for (const [kind, list] of [['gate', raw.feature_gates], ['config', raw.dynamic_configs], ['layer', raw.layer_configs]] as const) {
      for (const spec of list) {
        const got = ruleAllocations(specs, user, kind, spec.name);
        assert.equal(got.length, spec.rules.length, spec.name);
        spec.rules.forEach((rule, i) => {
          const idType = rule.idType ?? 'userID';
          const ids = Object.fromEntries(Object.entries((user.customIDs ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
          const unit = idType.toLowerCase() === 'userid' ? user.userID : ((user.customIDs as Record<string, string> | undefined)?.[idType] ?? ids[idType.toLowerCase()]);
          const digest = createHash('sha256').update(`${spec.salt}.${rule.salt ?? rule.id}.${unit ?? ''}`).digest();
          const bucket = Number(digest.readBigUInt64BE(0) % 10000n);
          const a = got[i]!;
          assert.equal(a.ruleID, rule.id);
          assert.equal(a.bucket, bucket, `${spec.name} rule ${rule.id}`);
          assert.equal(a.passPercentage, rule.passPercentage);
          assert.equal(a.withinPercentage, rule.passPercentage === 100 || bucket < rule.passPercentage * 100);
          checked++;
        });
      }
    }
  }
  assert.deepEqual(ruleAllocations(specs, {}, 'gate', 'no_such_gate'), []);
  assert.ok(checked > 100, `${checked} rules`);
});

test('the explorer token: unset is off; too short or with spaces is refused without echoing it', () => {
  assert.equal(explorerToken({}), null);
  assert.equal(explorerToken({ FIRSTLIGHT_EXPLORER_TOKEN: '  ' }), null);
  assert.equal(explorerToken({ FIRSTLIGHT_EXPLORER_TOKEN: 'a-long-enough-token' }), 'a-long-enough-token');
  for (const bad of ['short', 'has a space in it somewhere']) {
    assert.throws(() => explorerToken({ FIRSTLIGHT_EXPLORER_TOKEN: bad }), (e: unknown) => e instanceof InvalidOptionError && !e.message.includes(bad));
  }
});
