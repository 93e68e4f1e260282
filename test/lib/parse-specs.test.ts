import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  SpecParseError,
  checkGate,
  hashIdListEntry,
  isNoUpdatesPayload,
  parseSpecs,
  specsInfo,
  withIdLists,
} from '../../lib/index';
import { dcs, gate, rule } from './helpers';

const text = readFileSync(new URL('../fixtures/example-dcs.json', import.meta.url), 'utf8');

function parseError(payload: unknown): SpecParseError {
  try {
    parseSpecs(payload);
  } catch (e) {
    assert.ok(e instanceof SpecParseError, `expected SpecParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a throw');
}

test('compiles the fixture into maps by name with info', () => {
  const specs = parseSpecs(text, { serverSecret: 'secret-test-key', source: 'Bootstrap', receivedAt: 5 });
  assert.deepEqual(specsInfo(specs), { lcut: 1735689600000, receivedAt: 5, source: 'Bootstrap', gates: 23, configs: 6, layers: 2, hashedSdkKeyUsed: '1593145633' });
  assert.equal(specs.experimentToLayer.get('search_experiment'), 'search_layer');
  assert.ok(Object.isFrozen(specs));
  assert.ok(Object.isFrozen(specs.configs.get('pricing_config')!.defaultValue.value));
});

test('a payload for another server key is rejected', () => {
  assert.throws(() => parseSpecs(text, { serverSecret: 'other-key' }), { code: 'FL_ERR_SPEC_KEY_MISMATCH' });
  assert.doesNotThrow(() => parseSpecs(text));
});

test('schema errors name the path of the bad field', () => {
  assert.match(parseError('{not json').message, /not valid JSON/);
  const bad = JSON.parse(text);
  bad.feature_gates[3].rules[0].conditions[0].type = 42;
  const e = parseError(bad);
  assert.deepEqual(e.issues[0]?.path, ['feature_gates', 3, 'rules', 0, 'conditions', 0, 'type']);
  assert.match(e.message, /feature_gates\.3\.rules\.0\.conditions\.0\.type/);
  const noArrays = parseError({ has_updates: true, time: 1 });
  assert.deepEqual(noArrays.issues.map((i) => i.path[0]).sort(), ['dynamic_configs', 'feature_gates', 'layer_configs']);
});

test('unknown fields are kept, not rejected', () => {
  const withExtra = dcs({ gates: [gate('g', [rule('r', [], { brandNewField: 1 })], { another: { x: 1 } })], extra: { future_top_level: [1] } });
  assert.equal(checkGate(parseSpecs(withExtra), { userID: 'u' }, 'g'), true);
});

test('isNoUpdatesPayload recognises has_updates false', () => {
  assert.equal(isNoUpdatesPayload('{"has_updates":false}'), true);
  assert.equal(isNoUpdatesPayload({ has_updates: false }), true);
  assert.equal(isNoUpdatesPayload(text), false);
  assert.equal(isNoUpdatesPayload('{oops'), false);
});

test('withIdLists swaps hashed ID lists without recompiling', () => {
  const specs = parseSpecs(text);
  const u2 = { userID: 'blocked-user-1' };
  assert.equal(checkGate(specs, u2, 'segment:blocked_users'), false);
  const withList = withIdLists(specs, new Map([['blocked_users_list', new Set([hashIdListEntry('blocked-user-1')])]]));
  assert.equal(checkGate(withList, u2, 'segment:blocked_users'), true);
  assert.equal(withList.gates, specs.gates);
});
