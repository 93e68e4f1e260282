/**
 * The hand-written fast paths keep statsig-node's semantics: numbers against any/none targets
 * (the String()-set rule), interned results shared between users, and exposure lists that callers
 * cannot mutate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGate, clientInitializeResponseJSON, evaluateAll, getFeatureGate, parseSpecs } from '../../lib/index';
import { cond, dcs, gate, oneGate, rule } from './helpers';

/** statsig-node's rule: String(value) in the String() set of the targets (lower-cased too for any/none). */
function reference(op: string, targets: unknown[], value: unknown): boolean {
  const ci = op === 'any' || op === 'none';
  const set = new Set<string>();
  for (const t of targets) {
    set.add(String(t));
    if (ci) set.add(String(t).toLowerCase());
  }
  const s = String(value);
  const hit = set.has(s) || (ci && set.has(s.toLowerCase()));
  return op.startsWith('none') ? !hit : hit;
}

test('numbers against any/none targets match the String() set exactly, odd numbers included', () => {
  const targets: unknown[][] = [
    [0, 1, 2, 999, 9999],
    ['0', '05', '5.0', '-0', '1e21', 'NaN', 'Infinity', 'INFINITY', '-1', '0.5', ' 7'],
    [10000, 12345, -3, 0.25, 1e21, Number.MAX_SAFE_INTEGER],
    [],
  ];
  const values = [0, -0, 1, 5, 7, 9999, 10000, 12345, -1, -3, 0.5, 0.25, 1e21, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, '5', '05', 'nan'];
  for (const op of ['any', 'none', 'any_case_sensitive', 'none_case_sensitive']) {
    for (const t of targets) {
      const specs = oneGate([cond('user_field', op, t, { field: 'x' })]);
      for (const v of values) {
        assert.equal(checkGate(specs, { userID: 'u', custom: { x: v } }, 'g'), reference(op, t, v), `${op} ${JSON.stringify(t)} vs ${String(v)}`);
      }
    }
  }
});

test('user_bucket any over bucket numbers (the layer assignment shape)', () => {
  const buckets = Array.from({ length: 300 }, (_, i) => i * 2);
  const specs = oneGate([cond('user_bucket', 'any', buckets, { additionalValues: { salt: 'layer-salt' } })]);
  const other = oneGate([cond('user_bucket', 'any', buckets.map(String), { additionalValues: { salt: 'layer-salt' } })]);
  for (let i = 0; i < 300; i++) {
    const user = { userID: `user-${i}` };
    assert.equal(checkGate(specs, user, 'g'), checkGate(other, user, 'g'), user.userID);
  }
});

test('users landing on the same outcome share one frozen result; exposure lists cannot be mutated', () => {
  const specs = parseSpecs(
    dcs({
      gates: [
        gate('inner', [rule('inner-rule', [cond('user_field', 'any', ['a'], { field: 'email' })])]),
        gate('outer', [rule('outer-rule', [cond('pass_gate', null, 'inner')])]),
      ],
    }),
  );
  const a = getFeatureGate(specs, { userID: '1', email: 'a' }, 'outer');
  const b = getFeatureGate(specs, { userID: '2', email: 'a' }, 'outer');
  assert.deepEqual(a.secondaryExposures, [{ gate: 'inner', gateValue: 'true', ruleID: 'inner-rule' }]);
  assert.deepEqual(b.secondaryExposures, a.secondaryExposures);
  // one shared result, not two equal ones
  assert.equal(b.secondaryExposures, a.secondaryExposures);
  assert.equal(evaluateAll(specs, { userID: '2', email: 'a' }).gateResult('outer'), evaluateAll(specs, { userID: '1', email: 'a' }).gateResult('outer'));
  assert.ok(Object.isFrozen(a.secondaryExposures));
  assert.throws(() => (a.secondaryExposures as unknown[]).push({}));
  // a second user's payload is unaffected by what the first one cached
  const c = getFeatureGate(specs, { userID: '3', email: 'b' }, 'outer');
  assert.deepEqual(c.secondaryExposures, [{ gate: 'inner', gateValue: 'false', ruleID: 'default' }]);
  const p1 = clientInitializeResponseJSON(specs, { userID: '1', email: 'a' }, { hash: 'none' });
  const p2 = clientInitializeResponseJSON(specs, { userID: '1', email: 'a' }, { hash: 'none' });
  assert.equal(p1, p2);
  assert.equal(evaluateAll(specs, { userID: '3', email: 'b' }).checkGate('outer'), false);
});

test('evaluated_keys without the JSON re-parse: every userID / customIDs shape judged on its JSON clone', async () => {
  const { echoUser } = await import('../../lib/bootstrap/user-echo');
  const keep = { replaced: false, env: undefined } as const;
  const cloned = (v: unknown) => {
    const json = JSON.stringify(v);
    return { json, value: json === undefined ? undefined : JSON.parse(json) };
  };
  // statsig-node: the echo is a JSON clone, and evaluated_keys keeps truthy userID / non-empty customIDs
  const reference = (user: Record<string, unknown>) => {
    let keys = '';
    const id = cloned(user['userID']);
    if (id.value) keys = '"userID":' + id.json;
    const ids = cloned(user['customIDs']);
    if (ids.value && Object.keys(ids.value).length > 0) keys += (keys === '' ? '' : ',') + '"customIDs":' + ids.json;
    return '{' + keys + '}';
  };
  const shapes: unknown[] = ['', 'a', 'x\ud800y', 0, 1, NaN, -0, null, undefined, true, false, [], [1], {}, { a: undefined },
    { a: 'b' }, { toJSON: () => 'abc' }, { toJSON: () => ({}) }, { toJSON: () => ({ q: 1 }) }, { toJSON: () => [] }, () => 1, 'null', Object.create(null)];
  for (const userID of shapes) {
    for (const customIDs of shapes) {
      const user = { userID, customIDs };
      assert.equal(echoUser(user as never, keep, 'full').evaluatedKeysJson, reference(user), `${typeof userID} ${JSON.stringify(userID)} / ${JSON.stringify(customIDs)}`);
    }
  }
});

test('browser-version and lower-case memos: alternating user values give each condition its own answer', () => {
  const specs = parseSpecs(dcs({
    gates: [
      gate('v', [rule('r', [cond('ua_based', 'version_gte', '10.2', { field: 'browser_version' })])]),
      gate('s', [rule('r', [cond('user_field', 'str_contains_any', ['EXAMPLE'], { field: 'email' })])]),
    ],
  }));
  const cases: [Record<string, unknown>, boolean, boolean][] = [
    [{ userID: 'a', browser_version: '10.3', email: 'x@example.com' }, true, true],
    [{ userID: 'b', browser_version: '9.9-beta', email: 'x@other.com' }, false, false],
    [{ userID: 'c', browser_version: '10.3', email: 'X@EXAMPLE.COM' }, true, true],
    [{ userID: 'd', browser_version: '', email: '' }, false, false],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [user, v, s] of cases) {
      assert.equal(checkGate(specs, user, 'v'), v, JSON.stringify(user));
      assert.equal(checkGate(specs, user, 's'), s, JSON.stringify(user));
    }
  }
});
