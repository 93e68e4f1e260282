/** Property tests: random spec fragments and users never make evaluation throw; bad payloads fail typed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SpecParseError,
  checkGate,
  clientInitializeResponseJSON,
  evaluateAll,
  getConfig,
  getExperiment,
  getFeatureGate,
  getLayer,
  parseSpecs,
} from '../../lib/index';

const names = ['g0', 'g1', 'g2', 'segment:s', 'c0', 'c1', 'L0', 'missing'];
const types = ['public', 'pass_gate', 'fail_gate', 'multi_pass_gate', 'multi_fail_gate', 'ip_based', 'ua_based', 'user_field',
  'environment_field', 'current_time', 'user_bucket', 'unit_id', 'target_app', 'PASS_GATE', 'experiment_group', 'weird'];
const ops = ['gt', 'gte', 'lt', 'lte', 'version_gt', 'version_gte', 'version_lt', 'version_lte', 'version_eq', 'version_neq',
  'any', 'none', 'ANY', 'any_case_sensitive', 'none_case_sensitive', 'str_starts_with_any', 'str_ends_with_any',
  'str_contains_any', 'str_contains_none', 'str_matches', 'eq', 'neq', 'before', 'after', 'on', 'in_segment_list',
  'not_in_segment_list', 'array_contains_any', 'array_contains_none', 'array_contains_all', 'not_array_contains_all',
  'bogus', '__proto__', 'constructor'];
const fields = ['email', 'country', 'userAgent', 'os_name', 'browser_version', 'tier', 'level', 'Plan', 'statsigEnvironment', 'constructor'];
const idTypes = ['userID', 'stableID', 'companyID', 'COMPANYID', 'toString'];

const target = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(...names),
  fc.array(fc.constantFrom(...names, 'x', '5', 5)),
  fc.constantFrom('([', '^a', '2024-01-01', '1.2.3', 'blocked'),
);
const condition = fc.record({
  type: fc.constantFrom(...types),
  operator: fc.option(fc.constantFrom(...ops), { nil: null }),
  targetValue: target,
  field: fc.option(fc.constantFrom(...fields), { nil: null }),
  idType: fc.option(fc.constantFrom(...idTypes), { nil: null }),
  additionalValues: fc.option(fc.record({ salt: fc.string() }), { nil: null }),
});
const rule = fc.record({
  name: fc.string(),
  id: fc.string(),
  salt: fc.option(fc.string(), { nil: null }),
  passPercentage: fc.constantFrom(0, 0.5, 33.3, 50, 100),
  conditions: fc.array(condition, { maxLength: 3 }),
  returnValue: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 2 })),
  idType: fc.constantFrom(...idTypes),
  groupName: fc.option(fc.string(), { nil: null }),
  isExperimentGroup: fc.option(fc.boolean(), { nil: null }),
  configDelegate: fc.option(fc.constantFrom('c0', 'c1', 'missing'), { nil: null }),
});
const spec = (name: string, type: string, entity: string) =>
  fc.record({
    name: fc.constant(name),
    type: fc.constant(type),
    entity: fc.constant(entity),
    salt: fc.string(),
    enabled: fc.boolean(),
    defaultValue: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 2 })),
    rules: fc.array(rule, { maxLength: 3 }),
    idType: fc.constantFrom(...idTypes),
    explicitParameters: fc.option(fc.array(fc.string(), { maxLength: 2 }), { nil: null }),
    hasSharedParams: fc.boolean(),
    isActive: fc.boolean(),
    targetAppIDs: fc.option(fc.array(fc.constantFrom('app_web', 'app_ios')), { nil: undefined }),
  });
const payload = fc.record({
  has_updates: fc.constant(true),
  time: fc.nat(),
  feature_gates: fc.tuple(spec('g0', 'feature_gate', 'feature_gate'), spec('g1', 'feature_gate', 'feature_gate'), spec('g2', 'feature_gate', 'holdout'), spec('segment:s', 'feature_gate', 'segment')),
  dynamic_configs: fc.tuple(spec('c0', 'dynamic_config', 'experiment'), spec('c1', 'dynamic_config', 'dynamic_config')),
  layer_configs: fc.tuple(spec('L0', 'dynamic_config', 'layer')),
  layers: fc.constant({ L0: ['c0'] }),
  default_environment: fc.option(fc.constantFrom('production', 'staging'), { nil: undefined }),
  sdk_keys_to_app_ids: fc.constant({ web: 'app_web' }),
  app_id: fc.option(fc.string(), { nil: undefined }),
});

const userValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
const user = fc.record(
  {
    userID: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    email: fc.string(),
    ip: fc.oneof(fc.ipV4(), fc.string(), fc.integer()),
    userAgent: fc.oneof(fc.string(), fc.constant('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148 Safari/604.1')),
    country: fc.string(),
    custom: fc.dictionary(fc.constantFrom(...fields, 'x'), userValue),
    privateAttributes: fc.dictionary(fc.constantFrom(...fields), userValue),
    customIDs: fc.dictionary(fc.constantFrom(...idTypes, 'other'), fc.oneof(fc.string(), fc.integer())),
    statsigEnvironment: fc.oneof(fc.constant(null), fc.record({ tier: fc.string() })),
  },
  { requiredKeys: [] },
);

test('random specs and users never make evaluation or bootstrap throw', () => {
  fc.assert(
    fc.property(payload, user, fc.constantFrom(undefined, 'web', 'unknown'), fc.constantFrom('djb2', 'sha256', 'none') as fc.Arbitrary<'djb2' | 'sha256' | 'none'>, (p, u, clientKey, hash) => {
      const specs = parseSpecs(p, { idLists: { blocked: ['a', 'b'] } });
      // the API turns an internal throw into reason 'Error' instead of throwing, so the reason is what can fail
      for (const n of names) {
        const gate = getFeatureGate(specs, u, n);
        assert.equal(checkGate(specs, u, n), gate.value);
        for (const r of [gate, getFeatureGate(specs, u, n, { clientKey }), getConfig(specs, u, n), getExperiment(specs, u, n), getLayer(specs, u, n)]) {
          assert.notEqual(r.details.reason, 'Error', `${n}: evaluation threw internally`);
        }
      }
      const json = clientInitializeResponseJSON(specs, u, { clientKey, hash });
      JSON.parse(json);
      const ev = evaluateAll(specs, u, { clientKey });
      for (const n of names) assert.equal(ev.checkGate(n), evaluateAll(specs, u, { clientKey }).checkGate(n));
    }),
    { numRuns: 300 },
  );
});

test('bad payloads make parseSpecs throw SpecParseError and nothing else', () => {
  const valid = { has_updates: true, time: 1, feature_gates: [], dynamic_configs: [], layer_configs: [] };
  const bad = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ key: fc.constantFrom(...Object.keys(valid), 'layers', 'hashed_sdk_keys_to_entities'), value: fc.anything() }).map(({ key, value }) => ({ ...valid, [key]: value })),
    fc.record({ key: fc.constantFrom('name', 'salt', 'enabled', 'rules', 'idType', 'targetAppIDs'), value: fc.anything() }).map(({ key, value }) => ({
      ...valid,
      feature_gates: [{ name: 'g', type: 'feature_gate', salt: 's', enabled: true, rules: [], [key]: value }],
    })),
  );
  fc.assert(
    fc.property(bad, (p) => {
      try {
        parseSpecs(p);
      } catch (e) {
        assert.ok(e instanceof SpecParseError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns: 500 },
  );
});
