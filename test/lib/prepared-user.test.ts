/**
 * prepareUser(): a frozen snapshot checked like the plain object it was made from (the
 * differential suite compares prepared users with statsig-node on whole projects); these cover
 * what a snapshot adds: later changes to the caller's object are not seen, odd objects read the
 * same, the per-user memos follow the specs, and a check started from inside a check is sound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGate, clientInitializeResponseJSON, evaluateAll, getFeatureGate, getLayer, parseSpecs, prepareUser } from '../../lib/index';
import { cond, dcs, gate, oneGate, rule } from './helpers';

const emailGate = () => oneGate([cond('user_field', 'str_ends_with_any', ['@example.com'], { field: 'email' })]);

test('a prepared user is a snapshot: changing the caller object afterwards changes nothing', () => {
  const specs = emailGate();
  const user: Record<string, unknown> = { userID: 'u1', email: 'a@example.com', custom: { plan: 'pro' } };
  const prepared = prepareUser(user);
  assert.equal(checkGate(specs, prepared, 'g'), true);
  user.email = 'a@other.org';
  assert.equal(checkGate(specs, user, 'g'), false, 'the plain object is read afresh');
  assert.equal(checkGate(specs, prepared, 'g'), true, 'the snapshot is not');
  assert.ok(Object.isFrozen(prepared.user));
  assert.ok(Object.isFrozen(prepared.user.custom));
  assert.throws(() => prepareUser(null), /user must be an object/);
  assert.throws(() => prepareUser([]), /user must be an object/);
});

test('odd user objects read the same prepared as plain: prototype-less, an own __proto__ key, getters, custom fields', () => {
  const specs = parseSpecs(
    dcs({
      gates: [
        gate('to_string', [rule('r1', [cond('user_field', 'is_null', null, { field: 'toString' })])]),
        gate('proto', [rule('r2', [cond('user_field', 'any', ['x'], { field: '__proto__' })])]),
        gate('plan', [rule('r3', [cond('user_field', 'any', ['pro'], { field: 'plan' })])]),
        gate('level', [rule('r4', [cond('user_field', 'gt', 3, { field: 'level' })])]),
      ],
    }),
  );
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { userID: 'u2', custom: Object.assign(Object.create(null) as object, { plan: 'pro' }) });
  const protoKey = JSON.parse('{"userID":"u3","__proto__":"x","custom":{"level":4}}') as Record<string, unknown>;
  let reads = 0;
  const withGetter = { userID: 'u4', get custom() { reads++; return { plan: 'pro', level: 9 }; } };
  for (const user of [bare, protoKey, withGetter, { userID: 5, custom: null }, { userID: null, Plan: 'pro' }]) {
    const prepared = prepareUser(user);
    for (const name of ['to_string', 'proto', 'plan', 'level']) {
      const plain = getFeatureGate(specs, user, name);
      const snap = getFeatureGate(specs, prepared, name);
      assert.deepEqual([snap.value, snap.ruleID, snap.details.reason], [plain.value, plain.ruleID, plain.details.reason], `${name} for ${JSON.stringify(user)}`);
    }
  }
  assert.ok(reads > 1, 'the plain object runs its getter on every check');
  const before = reads;
  const p = prepareUser(withGetter);
  checkGate(specs, p, 'plan');
  checkGate(specs, p, 'level');
  assert.equal(reads, before + 1, 'prepareUser ran it once; checks read the snapshot');
});

test('per-user memos belong to one specs: the same prepared user against a new payload sees the new rules', () => {
  const a = oneGate([cond('user_field', 'any', ['US'], { field: 'country' })]);
  const b = oneGate([cond('user_field', 'any', ['GB'], { field: 'country' })]);
  const p = prepareUser({ userID: 'u', country: 'GB' });
  assert.equal(checkGate(a, p, 'g'), false);
  assert.equal(checkGate(b, p, 'g'), true);
  assert.equal(checkGate(a, p, 'g'), false);
});

test('every entry point takes a prepared user: evaluateAll, the bootstrap, options, layers', () => {
  const specs = emailGate();
  const user = { userID: 'u1', email: 'a@example.com' };
  const p = prepareUser(user);
  assert.equal(evaluateAll(specs, p).checkGate('g'), true);
  assert.equal(clientInitializeResponseJSON(specs, p, { hash: 'none' }), clientInitializeResponseJSON(specs, user, { hash: 'none' }));
  assert.equal(checkGate(specs, p, 'g', { environment: 'staging' }), true);
  assert.equal(getLayer(specs, p, 'missing').details.reason, 'Unrecognized');
  assert.equal(checkGate(specs, prepareUser(p), 'g'), true, 'preparing a prepared user snapshots its snapshot');
});

test('a check started while another runs on the same user (user code in a value) is evaluated on its own', () => {
  const specs = parseSpecs(
    dcs({
      gates: [
        gate('outer', [rule('o', [cond('user_field', 'any', ['inner:true'], { field: 'tag' })])]),
        gate('inner', [rule('i', [cond('user_field', 'any', ['yes'], { field: 'flag' })])]),
      ],
    }),
  );
  // `any` compares String(value): the value's toString runs during the outer check and checks again
  const self: { p?: ReturnType<typeof prepareUser> } = {};
  const tag = { toString: () => `inner:${String(checkGate(specs, self.p!, 'inner'))}` };
  const plain = { userID: 'u', flag: 'yes', tag };
  self.p = prepareUser(plain);
  assert.equal(checkGate(specs, self.p, 'outer'), true);
  assert.equal(checkGate(specs, self.p, 'inner'), true);
  const other = { userID: 'u', flag: 'no', tag: { toString: () => `inner:${String(checkGate(specs, other, 'inner'))}` } };
  assert.equal(checkGate(specs, other, 'outer'), false, 'plain users too: the inner check does not disturb the outer one');
  assert.equal(checkGate(specs, other, 'inner'), false);
});
