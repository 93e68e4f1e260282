// The explorer's pure parts: bucket splits (each group's share and the user's bucket) recomputed from the
// raw fixture with node:crypto and agreeing with the evaluator on the group it chose; the diff of two
// evaluations (two users, two spec versions) agreeing field by field with evaluateAll on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bucketSplits, diffOutcomes, entityOutcomes, evaluateAll, jsonEqual, parseSpecs, type EntityOutcome, type StatsigUser } from '../../lib/index';
import { FIXTURE_SECRET, fixtureDcsJson, fixtureUsers } from '../support/fixtures';

interface RawCondition { type: string; operator?: string; targetValue?: unknown; idType?: string; additionalValues?: { salt?: string } }
interface RawRule { id: string; passPercentage: number; conditions: RawCondition[]; groupName?: string }
interface RawSpec { name: string; entity?: string; rules: RawRule[] }
interface RawDcs { feature_gates: RawSpec[]; dynamic_configs: RawSpec[]; layer_configs: RawSpec[] }

const RAW = JSON.parse(fixtureDcsJson()) as RawDcs;
const SPECS = parseSpecs(fixtureDcsJson(), { serverSecret: FIXTURE_SECRET });
// the fixture users, and enough generated ones that every group of every split holds some
const USERS = [...(fixtureUsers() as StatsigUser[]), ...Array.from({ length: 120 }, (_, i): StatsigUser => ({ userID: `user-${i}`, customIDs: { stableID: `device-${i}` } }))];

function unitOf(user: StatsigUser, idType: string | undefined): string {
  const t = idType ?? 'userID';
  if (t.toLowerCase() === 'userid') return user.userID === undefined || user.userID === null ? '' : String(user.userID);
  const ids = (user.customIDs ?? {}) as Record<string, string>;
  const lower = Object.fromEntries(Object.entries(ids).map(([k, v]) => [k.toLowerCase(), v]));
  return ids[t] ?? lower[t.toLowerCase()] ?? '';
}

/** The buckets 0–999 a raw user_bucket condition accepts, from its JSON alone. */
function acceptedBuckets(c: RawCondition): Set<number> {
  const t = c.targetValue;
  const list = Array.isArray(t) ? t.map(String) : typeof t === 'object' && t !== null ? Object.keys(t) : [];
  const out = new Set<number>();
  for (let b = 0; b < 1000; b++) {
    const ok =
      c.operator === 'lt' ? b < Number(t) : c.operator === 'lte' ? b <= Number(t) : c.operator === 'gt' ? b > Number(t) : c.operator === 'gte' ? b >= Number(t)
        : c.operator === 'any' ? list.includes(String(b)) : c.operator === 'none' ? !list.includes(String(b)) : false;
    if (ok) out.add(b);
  }
  return out;
}

test('bucket splits: shares and the user\'s bucket from the raw specs; the evaluated group is the user\'s segment', () => {
  let segmentsChecked = 0;
  let groupsMatched = 0;
  for (const [kind, list] of [['gate', RAW.feature_gates], ['config', RAW.dynamic_configs], ['layer', RAW.layer_configs]] as const) {
    for (const spec of list) {
      // the expected splits: rules with exactly one user_bucket condition, grouped by salt and unit type
      const expected = new Map<string, { salt: string; idType: string; rules: { rule: RawRule; accepts: Set<number> }[] }>();
      for (const rule of spec.rules) {
        const conds = rule.conditions.filter((c) => c.type === 'user_bucket');
        if (conds.length !== 1) continue;
        const c = conds[0]!;
        const idType = c.idType ?? 'userID';
        const key = `${idType.toLowerCase()}|${c.additionalValues?.salt}`;
        if (!expected.has(key)) expected.set(key, { salt: String(c.additionalValues?.salt), idType, rules: [] });
        expected.get(key)!.rules.push({ rule, accepts: acceptedBuckets(c) });
      }
      for (const user of USERS) {
        const got = bucketSplits(SPECS, user, kind, spec.name);
        assert.equal(got.length, expected.size, spec.name);
        [...expected.values()].forEach((want, i) => {
          const split = got[i]!;
          const digest = createHash('sha256').update(`${want.salt}.${unitOf(user, want.idType)}`).digest();
          assert.equal(split.salt, want.salt);
          assert.equal(split.bucket, Number(digest.readBigUInt64BE(0) % 1000n), `${spec.name} bucket`);
          const taken = new Set<number>();
          want.rules.forEach(({ rule, accepts }, j) => {
            const mine = [...accepts].filter((b) => !taken.has(b));
            mine.forEach((b) => taken.add(b));
            const seg = split.segments[j]!;
            assert.equal(seg.ruleID, rule.id);
            assert.equal(seg.buckets, mine.length, `${spec.name} ${rule.id}`);
            assert.equal(seg.share, mine.length / 10);
            assert.equal(seg.ranges.reduce((n, [from, to]) => n + (to - from), 0), mine.length);
            assert.equal(seg.containsUser, mine.includes(split.bucket));
            segmentsChecked++;
          });
          assert.equal(split.unassigned, 1000 - taken.size);
        });
        // the group the evaluator picked for an experiment is the segment holding the user's bucket
        if (kind === 'config' && spec.entity === 'experiment') {
          const ev = evaluateAll(SPECS, user).getExperiment(spec.name);
          for (const split of got) {
            const seg = split.segments.find((s) => s.ruleID === ev.ruleID);
            if (seg && seg.exact) {
              assert.ok(seg.containsUser, `${spec.name}: ${ev.ruleID} for ${JSON.stringify(user)}`);
              groupsMatched++;
            }
          }
        }
      }
    }
  }
  const checkout = bucketSplits(SPECS, { userID: 'x' }, 'config', 'checkout_experiment');
  assert.deepEqual(checkout.map((s) => s.segments.map((g) => [g.groupName, g.share, g.ranges])), [[['Control', 50, [[0, 500]]], ['Test', 50, [[500, 1000]]]]]);
  const search = bucketSplits(SPECS, { userID: 'x' }, 'config', 'search_experiment');
  assert.deepEqual(search.map((s) => s.segments.map((g) => [g.groupName, g.share])), [[['Layer Assignment', 50]], [['Control', 50], ['Test', 50]]]);
  const layer = bucketSplits(SPECS, { userID: 'x' }, 'layer', 'search_layer');
  assert.deepEqual(layer[0]!.segments.map((g) => [g.experiment, g.share]), [['search_experiment', 50]]);
  assert.equal(layer[0]!.unassigned, 500);
  assert.deepEqual(bucketSplits(SPECS, { userID: 'x' }, 'gate', 'bucket_gate')[0]!.segments.map((g) => g.share), [30]);
  assert.deepEqual(bucketSplits(SPECS, { userID: 'x' }, 'gate', 'public_gate'), []);
  assert.deepEqual(bucketSplits(SPECS, { userID: 'x' }, 'gate', 'no_such_gate'), []);
  assert.ok(segmentsChecked > 900 && groupsMatched > 100, `${segmentsChecked} segments, ${groupsMatched} groups`);
});

const o = (name: string, fields: Partial<EntityOutcome> = {}): EntityOutcome => ({ kind: 'gate', name, value: false, ruleID: 'r', groupName: null, reason: 'Network', allocatedExperiment: null, ...fields });

test('diffOutcomes: each field, one-sided entities, unchanged ones last; values compared as JSON', () => {
  const a = [o('same', { value: { x: 1, y: [1, 2] } }), o('value', { value: true }), o('rule'), o('group', { groupName: 'Control' }), o('reason'), o('exp', { kind: 'layer', allocatedExperiment: 'e1' }), o('gone')];
  const b = [o('new'), o('same', { value: { y: [1, 2], x: 1 } }), o('value', { value: false }), o('rule', { ruleID: 'r2' }), o('group', { groupName: 'Test' }), o('reason', { reason: 'Unrecognized' }), o('exp', { kind: 'layer', allocatedExperiment: 'e2' })];
  const d = diffOutcomes(a, b);
  assert.deepEqual(d.counts, { same: 1, changed: 5, onlyA: 1, onlyB: 1 });
  assert.deepEqual(d.entities.map((e) => [e.name, e.status, e.changed]), [
    ['value', 'changed', ['value']],
    ['rule', 'changed', ['rule']],
    ['group', 'changed', ['group']],
    ['reason', 'changed', ['reason']],
    ['exp', 'changed', ['experiment']],
    ['gone', 'onlyA', []],
    ['new', 'onlyB', []],
    ['same', 'same', []],
  ]);
  // the same name of another kind is another entity
  assert.deepEqual(diffOutcomes([o('n')], [o('n', { kind: 'config', value: {} })]).counts, { same: 0, changed: 0, onlyA: 1, onlyB: 1 });
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.ok(!jsonEqual({ a: null }, {}));
  assert.ok(!jsonEqual({ a: 1 }, [1] as never));
  assert.ok(jsonEqual({ a: { b: [null, 'x'] } }, { a: { b: [null, 'x'] } }));
});

/** What evaluateAll gives for one entity outcome, read through the public getters. */
function fromGetters(specs: ReturnType<typeof parseSpecs>, user: StatsigUser, kind: EntityOutcome['kind'], name: string) {
  const ev = evaluateAll(specs, user);
  const r = kind === 'gate' ? ev.getFeatureGate(name) : kind === 'config' ? ev.getConfig(name) : kind === 'experiment' ? ev.getExperiment(name) : ev.getLayer(name);
  return { value: r.value, ruleID: r.ruleID, groupName: r.groupName, reason: r.details.reason };
}

test('two users and two spec versions: every side of every entity equals evaluateAll; what changed is what differs', () => {
  const [alice, ...others] = USERS;
  const checkSides = (diff: ReturnType<typeof diffOutcomes>, specsA: typeof SPECS, userA: StatsigUser, specsB: typeof SPECS, userB: StatsigUser) => {
    for (const e of diff.entities) {
      const wantA = e.a ? fromGetters(specsA, userA, e.kind, e.name) : null;
      const wantB = e.b ? fromGetters(specsB, userB, e.kind, e.name) : null;
      if (e.a) assert.deepEqual({ value: e.a.value, ruleID: e.a.ruleID, groupName: e.a.groupName, reason: e.a.reason }, wantA);
      if (e.b) assert.deepEqual({ value: e.b.value, ruleID: e.b.ruleID, groupName: e.b.groupName, reason: e.b.reason }, wantB);
      if (wantA && wantB) {
        const differs = !jsonEqual(wantA.value as never, wantB.value as never) || wantA.ruleID !== wantB.ruleID || wantA.groupName !== wantB.groupName || wantA.reason !== wantB.reason;
        const layerMoved = e.kind === 'layer' && e.a!.allocatedExperiment !== e.b!.allocatedExperiment;
        assert.equal(e.status === 'changed', differs || layerMoved, `${e.kind} ${e.name}`);
      }
    }
  };
  let changedPairs = 0;
  for (const bob of others) {
    const d = diffOutcomes(entityOutcomes(evaluateAll(SPECS, alice!)), entityOutcomes(evaluateAll(SPECS, bob)));
    assert.equal(d.counts.onlyA + d.counts.onlyB, 0);
    assert.equal(d.entities.length, SPECS.gates.size + SPECS.configs.size + SPECS.layers.size);
    checkSides(d, SPECS, alice!, SPECS, bob);
    if (d.counts.changed > 0) changedPairs++;
  }
  assert.ok(changedPairs > 0);

  // a newer spec version: Control shrinks to 10%, a gate is removed, one added, a config's value changes
  const next = JSON.parse(fixtureDcsJson()) as RawDcs & { time: number };
  next.time += 1000;
  const checkout = next.dynamic_configs.find((c) => c.name === 'checkout_experiment')!;
  checkout.rules.find((r) => r.groupName === 'Control')!.conditions[0]!.targetValue = 100;
  next.feature_gates = next.feature_gates.filter((g) => g.name !== 'time_window_gate');
  next.feature_gates.push({ ...structuredClone(next.feature_gates.find((g) => g.name === 'public_gate')!), name: 'brand_new_gate' });
  const theme = next.dynamic_configs.find((c) => c.name === 'device_theme_config')! as RawSpec & { defaultValue: Record<string, unknown> };
  theme.defaultValue = { theme: 'sepia' };
  const specsB = parseSpecs(JSON.stringify(next), { serverSecret: FIXTURE_SECRET });
  let movedToTest = 0;
  for (const user of USERS) {
    const d = diffOutcomes(entityOutcomes(evaluateAll(SPECS, user)), entityOutcomes(evaluateAll(specsB, user)));
    checkSides(d, SPECS, user, specsB, user);
    assert.deepEqual(d.entities.filter((e) => e.status === 'onlyA').map((e) => e.name), ['time_window_gate']);
    assert.deepEqual(d.entities.filter((e) => e.status === 'onlyB').map((e) => e.name), ['brand_new_gate']);
    const c = d.entities.find((e) => e.name === 'checkout_experiment')!;
    if (c.status === 'changed') {
      assert.deepEqual([c.a!.groupName, c.b!.groupName], ['Control', 'Test']);
      movedToTest++;
    }
    const t = d.entities.find((e) => e.name === 'device_theme_config')!;
    assert.equal(t.status === 'changed', t.a!.ruleID === 'default', JSON.stringify(t));
  }
  assert.ok(movedToTest > 0, 'some fixture user moved from Control to Test');
});
