import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkGate,
  emptyOverrides,
  evaluateAll,
  getConfig,
  getExperiment,
  getFeatureGate,
  getLayer,
  parseSpecs,
  removeOverride,
  setOverride,
} from '../../lib/index';
import { cond, dcs, gate, rule, type Json } from './helpers';

const pass = (name: string) => cond('pass_gate', null, name);
const fail = (name: string) => cond('fail_gate', null, name);
const on = gate('on', [rule('on-rule', [])]);
const off = gate('off', [rule('off-rule', [cond('user_field', 'eq', 'never', { field: 'x' })])]);
const seg = gate('segment:s', [rule('seg-rule', [])], { entity: 'segment' });

function specsWith(gates: Json[], configs: Json[] = [], layers: Json[] = [], extra: Json = {}) {
  return parseSpecs(dcs({ gates: [on, off, seg, ...gates], configs, layers, extra }));
}

test('pass_gate: nested exposures first, then the gate itself; gateValue is a string', () => {
  const specs = specsWith([gate('mid', [rule('mid-rule', [pass('on')])]), gate('top', [rule('top-rule', [pass('mid')])])]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'top');
  assert.equal(g.value, true);
  assert.deepEqual(g.secondaryExposures, [
    { gate: 'on', gateValue: 'true', ruleID: 'on-rule' },
    { gate: 'mid', gateValue: 'true', ruleID: 'mid-rule' },
  ]);
});

test('fail_gate passes when the nested gate fails; unknown gates are false with rule ""', () => {
  const specs = specsWith([gate('top', [rule('top-rule', [fail('off'), fail('missing')])])]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'top');
  assert.equal(g.value, true);
  assert.deepEqual(g.secondaryExposures, [
    { gate: 'off', gateValue: 'false', ruleID: 'default' },
    { gate: 'missing', gateValue: 'false', ruleID: '' },
  ]);
});

test('exposures accumulate over failed rules; segments are dropped; duplicates removed', () => {
  const specs = specsWith([
    gate('top', [
      rule('r1', [pass('segment:s'), pass('off')]), // fails on `off`, both exposures recorded, segment dropped
      rule('r2', [pass('off'), pass('on')]), // fails again: duplicate `off` removed
      rule('r3', [pass('on')]),
    ]),
  ]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'top');
  assert.equal(g.ruleID, 'r3');
  assert.deepEqual(g.secondaryExposures, [
    { gate: 'off', gateValue: 'false', ruleID: 'default' },
    { gate: 'on', gateValue: 'true', ruleID: 'on-rule' },
  ]);
});

test('conditions after a failing one still run (their exposures count)', () => {
  const specs = specsWith([gate('top', [rule('r1', [pass('off'), pass('on')])])]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'top');
  assert.equal(g.ruleID, 'default');
  assert.equal(g.secondaryExposures.length, 2);
});

test('multi_pass_gate: gate then its exposures, stops at the first pass; type compared case-sensitively', () => {
  const specs = specsWith([
    gate('mid', [rule('mid-rule', [pass('on')])]),
    gate('multi', [rule('m', [cond('multi_pass_gate', null, ['off', 'mid', 'on'])])]),
    gate('multiFail', [rule('m', [cond('multi_fail_gate', null, ['on', 'off'])])]),
    gate('upper', [rule('m', [cond('MULTI_PASS_GATE', null, ['on'])])]), // behaves as multi_fail
    gate('bad', [rule('m', [cond('multi_pass_gate', null, 'on')])]),
  ]);
  const m = getFeatureGate(specs, { userID: 'u' }, 'multi');
  assert.equal(m.value, true);
  assert.deepEqual(m.secondaryExposures, [
    { gate: 'off', gateValue: 'false', ruleID: 'default' },
    { gate: 'mid', gateValue: 'true', ruleID: 'mid-rule' },
    { gate: 'on', gateValue: 'true', ruleID: 'on-rule' },
  ]);
  assert.equal(checkGate(specs, { userID: 'u' }, 'multiFail'), true);
  assert.equal(checkGate(specs, { userID: 'u' }, 'upper'), false);
  assert.equal(getFeatureGate(specs, { userID: 'u' }, 'bad').details.reason, 'Unsupported');
});

test('an unsupported nested gate makes the parent Unsupported', () => {
  const specs = specsWith([
    gate('weird', [rule('w', [cond('future_type', 'eq', 1)])]),
    gate('top', [rule('t', [pass('weird')]), rule('t2', [])]),
  ]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'top');
  assert.deepEqual([g.value, g.ruleID, g.details.reason, g.secondaryExposures], [false, '', 'Unsupported', []]);
});

test('cyclic gates and self-delegating configs come back Unsupported instead of overflowing', () => {
  const specs = specsWith(
    [gate('a', [rule('ra', [pass('b')])]), gate('b', [rule('rb', [pass('a')])]), gate('self', [rule('rs', [pass('self')])])],
    [{ name: 'loop', type: 'dynamic_config', entity: 'experiment', salt: 's', enabled: true, defaultValue: {}, idType: 'userID', rules: [rule('l', [], { configDelegate: 'loop', returnValue: {} })] }],
  );
  for (const name of ['a', 'b', 'self']) assert.equal(getFeatureGate(specs, { userID: 'u' }, name).details.reason, 'Unsupported');
  assert.equal(getConfig(specs, { userID: 'u' }, 'loop').details.reason, 'Unsupported');
  const ev = evaluateAll(specs, { userID: 'u' });
  assert.equal(ev.getFeatureGate('a').details.reason, 'Unsupported');
});

test('a very deep chain of nested gates hits the depth guard, not the stack', () => {
  const chain: Json[] = [];
  for (let i = 0; i < 1000; i++) chain.push(gate(`c${i}`, [rule(`r${i}`, i === 999 ? [] : [pass(`c${i + 1}`)])]));
  const specs = specsWith(chain);
  assert.equal(getFeatureGate(specs, { userID: 'u' }, 'c0').details.reason, 'Unsupported');
  assert.equal(getFeatureGate(specs, { userID: 'u' }, 'c800').value, true);
});

test('disabled specs return the default with rule "disabled"', () => {
  const specs = specsWith([gate('d', [rule('r', [])], { enabled: false })]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'd');
  assert.deepEqual([g.value, g.ruleID, g.details.reason], [false, 'disabled', 'Network']);
});

test('unrecognized names: false, rule "", reason Unrecognized', () => {
  const specs = specsWith([]);
  const g = getFeatureGate(specs, { userID: 'u' }, 'nope');
  assert.deepEqual([g.value, g.ruleID, g.details.reason], [false, '', 'Unrecognized']);
  assert.equal(getConfig(specs, { userID: 'u' }, 'nope').details.reason, 'Unrecognized');
  assert.equal(getLayer(specs, { userID: 'u' }, 'nope').details.reason, 'Unrecognized');
});

test('pass percentage: sha256("<specSalt>.<ruleSalt ?? id>.<unit>") mod 10000 < pct*100; rule id kept on failure', () => {
  const g = (pct: number, salt: string | null) =>
    gate('p', [rule('ruleSalt1', [], { salt, passPercentage: pct })], { salt: 'salt1' });
  // hash of "salt1.ruleSalt1.user-1" mod 10000 is 1999
  assert.equal(checkGate(specsWith([g(20, 'ruleSalt1')]), { userID: 'user-1' }, 'p'), true);
  assert.equal(checkGate(specsWith([g(19.99, 'ruleSalt1')]), { userID: 'user-1' }, 'p'), false);
  assert.equal(checkGate(specsWith([g(20, null)]), { userID: 'user-1' }, 'p'), true, 'salt falls back to the rule id');
  const failed = getFeatureGate(specsWith([g(19.99, 'ruleSalt1')]), { userID: 'user-1' }, 'p');
  assert.equal(failed.ruleID, 'ruleSalt1');
  assert.equal(checkGate(specsWith([g(0, 'x')]), { userID: 'user-1' }, 'p'), false);
  assert.equal(checkGate(specsWith([g(100, 'x')]), { userID: 'user-1' }, 'p'), true);
});

const layerSpec = {
  name: 'L', type: 'dynamic_config', entity: 'layer', salt: 'ls', enabled: true, idType: 'userID',
  defaultValue: { p: 'layer-default', q: 1 }, explicitParameters: null,
  rules: [rule('assign', [pass('on')], { configDelegate: 'E', returnValue: {} })],
};
const expSpec = {
  name: 'E', type: 'dynamic_config', entity: 'experiment', salt: 'es', enabled: true, idType: 'userID', isActive: true,
  hasSharedParams: true, explicitParameters: ['p'], defaultValue: { p: 'exp-default', q: 1 },
  rules: [rule('group', [pass('off'), pass('on')], { isExperimentGroup: true, groupName: 'Test', returnValue: { p: 'test', q: 1 } }), rule('group2', [], { isExperimentGroup: true, groupName: 'Control', returnValue: { p: 'control', q: 1 } })],
};

test('layers delegate to their experiment: experiment value/rule/group, both exposure sets', () => {
  const specs = specsWith([], [expSpec], [layerSpec], { layers: { L: ['E'] } });
  const l = getLayer(specs, { userID: 'u' }, 'L');
  assert.deepEqual(l.value, { p: 'control', q: 1 });
  assert.equal(l.ruleID, 'group2');
  assert.equal(l.groupName, 'Control');
  assert.equal(l.allocatedExperimentName, 'E');
  assert.deepEqual(l.explicitParameters, ['p']);
  assert.deepEqual(l.undelegatedSecondaryExposures, [{ gate: 'on', gateValue: 'true', ruleID: 'on-rule' }]);
  assert.deepEqual(l.secondaryExposures, [
    { gate: 'on', gateValue: 'true', ruleID: 'on-rule' },
    { gate: 'off', gateValue: 'false', ruleID: 'default' },
  ]);
  const e = getExperiment(specs, { userID: 'u' }, 'E');
  assert.equal(e.isUserInExperiment, true);
  assert.equal(e.isExperimentActive, true);
});

test('local overrides: userID, then customID values, then everyone; nested pass_gate sees them', () => {
  const specs = specsWith([gate('top', [rule('t', [pass('off')])])], [expSpec], [layerSpec], { layers: { L: ['E'] } });
  let o = setOverride(emptyOverrides(), 'gate', 'off', true, 'u1');
  o = setOverride(o, 'gate', 'off', false, 'acme');
  const g = getFeatureGate(specs, { userID: 'u1' }, 'off', { overrides: o });
  assert.deepEqual([g.value, g.ruleID, g.details.reason], [true, 'override', 'LocalOverride']);
  assert.equal(checkGate(specs, { userID: 'u2', customIDs: { companyID: 'acme' } }, 'off', { overrides: o }), false);
  assert.equal(checkGate(specs, { userID: 'u1' }, 'top', { overrides: o }), true, 'nested check sees the override');
  assert.deepEqual(getFeatureGate(specs, { userID: 'u1' }, 'top', { overrides: o }).secondaryExposures, [
    { gate: 'off', gateValue: 'true', ruleID: 'override' },
  ]);
  const everyone = setOverride(emptyOverrides(), 'config', 'E', { p: 'forced' });
  const c = getExperiment(specs, { userID: 'x' }, 'E', { overrides: everyone });
  assert.deepEqual([c.value, c.ruleID, c.idType, c.details.reason], [{ p: 'forced' }, 'override', '', 'LocalOverride']);
  const viaLayer = getLayer(specs, { userID: 'x' }, 'L', { overrides: everyone });
  assert.deepEqual([viaLayer.value, viaLayer.details.reason], [{ p: 'forced' }, 'LocalOverride'], 'delegation goes through getConfig');
  const layerO = setOverride(emptyOverrides(), 'layer', 'L', { p: 'L!' }, 'x');
  assert.deepEqual(getLayer(specs, { userID: 'x' }, 'L', { overrides: layerO }).value, { p: 'L!' });
  assert.equal(removeOverride(o, 'gate', 'off').gates.size, 0);
  assert.equal(removeOverride(o, 'gate', 'off', 'u1').gates.get('off')?.size, 1);
  assert.equal(o.gates.get('off')?.size, 2, 'updates never mutate');
});

test('the caller\'s user is never mutated, even when the environment is substituted', () => {
  const specs = specsWith([gate('env', [rule('e', [cond('environment_field', 'any', ['production'], { field: 'tier' })])])], [expSpec], [layerSpec], { layers: { L: ['E'] }, default_environment: 'production' });
  const user = Object.freeze({ userID: 'u', custom: Object.freeze({ a: 1 }), customIDs: Object.freeze({ stableID: 's' }) });
  assert.equal(checkGate(specs, user, 'env'), true);
  getLayer(specs, user, 'L');
  evaluateAll(specs, user).getLayer('L');
  assert.deepEqual(user, { userID: 'u', custom: { a: 1 }, customIDs: { stableID: 's' } });
});

test('a user that is not an object throws InvalidArgumentError; odd objects evaluate', () => {
  const specs = specsWith([]);
  for (const bad of [null, undefined, 'u', 42, [1]]) {
    assert.throws(() => checkGate(specs, bad, 'on'), { code: 'FL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => evaluateAll(specs, bad), { code: 'FL_ERR_INVALID_ARGUMENT' });
  }
  assert.equal(checkGate(specs, {}, 'on'), true);
  assert.equal(checkGate(specs, { userID: null, customIDs: null, custom: null }, 'on'), true);
});
