import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  FIRSTLIGHT_VERSION,
  clientInitializeResponse,
  clientInitializeResponseFromEvaluation,
  clientInitializeResponseJSON,
  clientInitializeResponseJSONFromEvaluation,
  djb2,
  emptyOverrides,
  evaluateAll,
  parseSpecs,
  setOverride,
  sha256Base64,
} from '../../lib/index';
import { jsKeyOrder } from '../../lib/spec/key-order';
import { dcs, gate, rule } from './helpers';

const dir = new URL('../fixtures/', import.meta.url);
const dcsText = readFileSync(new URL('example-dcs.json', dir), 'utf8');
const specs = parseSpecs(dcsText, {
  serverSecret: 'secret-test-key',
  idLists: JSON.parse(readFileSync(new URL('example-idlists.json', dir), 'utf8')),
});
const users = readFileSync(new URL('example-users.jsonl', dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const golden = JSON.parse(readFileSync(new URL('example-dcs.gcir-u1-client-key-web-djb2.json', dir), 'utf8'));

test('u1 / client-key-web / djb2 is byte-for-byte the statsig-node golden file (except sdkInfo/generator)', () => {
  const json = clientInitializeResponseJSON(specs, users[0], { clientKey: 'client-key-web' });
  const ours = JSON.parse(json);
  assert.equal(ours.generator, 'firstlight');
  assert.deepEqual(ours.sdkInfo, { sdkType: 'firstlight', sdkVersion: FIRSTLIGHT_VERSION });
  const expected = JSON.stringify({ ...golden, generator: ours.generator, sdkInfo: ours.sdkInfo });
  assert.equal(json, expected);
});

test('§13.4 samples: entry shapes and filters', () => {
  const web = clientInitializeResponse(specs, users[0], { clientKey: 'client-key-web' });
  assert.equal(Object.keys(web.feature_gates).length, 19);
  assert.equal(web.feature_gates[djb2('ios_new_app_gate')], undefined);
  assert.equal(web.feature_gates['1438952215']!['value'], true, 'target_app_gate passes for the web app');
  assert.deepEqual(web.layer_configs['455983098'], {
    name: '455983098', value: { ranker: 'neural', page_size: 20, show_snippets: false },
    group: '1bC2dE3fG4hI5jK6lM7nO8', rule_id: '1bC2dE3fG4hI5jK6lM7nO8', is_device_based: false,
    secondary_exposures: [], group_name: 'Test', explicit_parameters: ['ranker'], allocated_experiment_name: '1952527092',
    is_experiment_active: true, is_user_in_experiment: true, undelegated_secondary_exposures: [],
  });
  assert.deepEqual(web.user['statsigEnvironment'], { tier: 'production' });
  assert.equal(web.user['privateAttributes'], undefined);

  const none = clientInitializeResponse(specs, users[1], { hash: 'none' });
  assert.equal(Object.keys(none.feature_gates).length, 20);
  assert.equal(none.feature_gates['target_app_gate']!['value'], false);
  assert.equal(none.hash_used, 'none');

  const ios = clientInitializeResponse(specs, users[0], { clientKey: 'client-key-ios', hash: 'sha256' });
  assert.equal(Object.keys(ios.feature_gates).length, 20);
  assert.ok(ios.feature_gates['f0G9y2l26UJrId0e31V2VrHUITtaFWaP881psAbWgNs=']);
  assert.equal(sha256Base64('public_gate'), 'f0G9y2l26UJrId0e31V2VrHUITtaFWaP881psAbWgNs=');
});

test('rendering from an Evaluation gives the same bytes as the one-shot call', () => {
  for (const u of users) {
    for (const clientKey of [undefined, 'client-key-web', 'client-key-ios']) {
      const ev = evaluateAll(specs, u, { clientKey });
      for (const hash of ['djb2', 'sha256', 'none'] as const) {
        const direct = clientInitializeResponseJSON(specs, u, { clientKey, hash });
        assert.equal(clientInitializeResponseJSONFromEvaluation(ev, { hash }), direct);
        assert.deepEqual(clientInitializeResponseFromEvaluation(ev, { hash }), JSON.parse(direct));
      }
    }
  }
  const ev = evaluateAll(specs, users[0], { clientKey: 'client-key-web' });
  assert.throws(() => clientInitializeResponseJSONFromEvaluation(ev, { clientKey: 'client-key-ios' }), { code: 'FL_ERR_INVALID_OPTION' });
});

test('only: keeps the named entities and the gates their exposures name', () => {
  const full = clientInitializeResponseJSON(specs, users[0]);
  const small = clientInitializeResponse(specs, users[0], { only: ['new_checkout_gate', 'search_layer'] });
  assert.deepEqual(Object.keys(small.feature_gates).sort(), [djb2('employee_gate'), djb2('new_checkout_gate')].sort());
  assert.deepEqual(Object.keys(small.dynamic_configs), [djb2('search_experiment')], 'the layer\'s allocated experiment');
  assert.deepEqual(Object.keys(small.layer_configs), [djb2('search_layer')]);
  assert.ok(JSON.stringify(small).length < full.length / 3);
  const ev = evaluateAll(specs, users[0], { only: ['public_gate'] });
  assert.equal(Object.keys(clientInitializeResponseFromEvaluation(ev).feature_gates).length, 1);
});

test('userEcho minimal: IDs, environment, country/locale/appVersion only (country derived from IP)', () => {
  const cir = clientInitializeResponse(specs, users[0], { userEcho: 'minimal' });
  assert.deepEqual(cir.user, {
    userID: 'user-1', locale: 'en_US', appVersion: '2.4.1',
    customIDs: { companyID: 'acme', stableID: 'device-123' }, statsigEnvironment: { tier: 'production' }, country: 'US',
  });
  assert.deepEqual(cir.evaluated_keys, { userID: 'user-1', customIDs: { companyID: 'acme', stableID: 'device-123' } });
});

test('environment: a user\'s own tier is kept in the bootstrap; otherwise the option, else the default', () => {
  const own = clientInitializeResponse(specs, { ...users[2], statsigEnvironment: { tier: 'staging' } }, { hash: 'none' });
  assert.deepEqual(own.user['statsigEnvironment'], { tier: 'staging' });
  assert.equal(own.feature_gates['staging_only_gate']!['value'], true);
  const opt = clientInitializeResponse(specs, users[2], { hash: 'none', environment: 'staging' });
  assert.deepEqual(opt.user['statsigEnvironment'], { tier: 'staging' });
});

test('overrides apply to entries (rule "override") and to nested checks', () => {
  const o = setOverride(setOverride(emptyOverrides(), 'gate', 'employee_gate', false), 'config', 'search_experiment', { ranker: 'forced' });
  const cir = clientInitializeResponse(specs, users[0], { hash: 'none', overrides: o });
  assert.deepEqual(cir.feature_gates['employee_gate'], { name: 'employee_gate', value: false, rule_id: 'override', secondary_exposures: [], id_type: 'userID' });
  assert.equal(cir.feature_gates['new_checkout_gate']!['value'], false, 'nested pass_gate sees the override');
  const exp = cir.dynamic_configs['search_experiment']!;
  assert.deepEqual(exp['value'], { ranker: 'forced', page_size: 20, show_snippets: false }, 'merged over the layer defaults');
  assert.equal(exp['rule_id'], 'override');
  assert.equal(exp['is_user_in_experiment'], true, 'reported from the spec\'s own evaluation, as statsig-node');
});

test('map key order follows JavaScript object order: array-index keys ascending first', () => {
  assert.deepEqual(jsKeyOrder(['b', '10', 'a', '2', '4294967295', '4294967294', '01', '2']), [3, 1, 5, 0, 2, 4, 6]);
  // names that are numbers themselves, with hash "none"
  const s = parseSpecs(dcs({ gates: ['zeta', '20', 'alpha', '3'].map((n) => gate(n, [rule('r', [])])) }));
  assert.deepEqual(Object.keys(clientInitializeResponse(s, { userID: 'u' }, { hash: 'none' }).feature_gates), ['3', '20', 'zeta', 'alpha']);
});

test('invalid render options are rejected', () => {
  assert.throws(() => clientInitializeResponseJSON(specs, users[0], { hash: 'md5' as never }), { code: 'FL_ERR_INVALID_OPTION' });
  assert.throws(() => clientInitializeResponseJSON(specs, users[0], { userEcho: 'none' as never }), { code: 'FL_ERR_INVALID_OPTION' });
  assert.throws(() => clientInitializeResponseJSON(specs, users[0], { format: 'v2' as never }), { code: 'FL_ERR_INVALID_OPTION' });
  assert.throws(() => clientInitializeResponseJSON(specs, 'u'), { code: 'FL_ERR_INVALID_ARGUMENT' });
});

test('the payload passes dcsText round trip: parsing an object and a string give the same bootstrap', () => {
  const fromObject = parseSpecs(JSON.parse(dcsText), { idLists: { blocked_users_list: ['blocked-user-1'] } });
  assert.equal(clientInitializeResponseJSON(fromObject, users[1]), clientInitializeResponseJSON(specs, users[1]));
});

test('init-v2: same entities as v1, tables hold exactly what the entries point at, overrides get payload-local slots', async () => {
  const { tableProblems } = await import('../support/init-v2-compare');
  const o = setOverride(setOverride(emptyOverrides(), 'gate', 'employee_gate', 'yes' as never), 'config', 'search_experiment', { ranker: 'forced' });
  for (const opts of [{}, { only: ['new_checkout_gate', 'search_layer'] }, { overrides: o }, { hash: 'sha256' as const }]) {
    const v1 = clientInitializeResponse(specs, users[0], opts);
    const v2 = clientInitializeResponse(specs, users[0], { ...opts, format: 'init-v2' });
    assert.equal(v2.response_format, 'init-v2');
    for (const section of ['feature_gates', 'dynamic_configs', 'layer_configs'] as const) {
      assert.deepEqual(Object.keys(v2[section]), Object.keys(v1[section]), `${JSON.stringify(opts)} ${section}`);
    }
    assert.deepEqual(tableProblems(v2), [], JSON.stringify(opts));
  }
  const v2 = clientInitializeResponse(specs, users[0], { hash: 'none', overrides: o, format: 'init-v2' });
  const exp = v2.dynamic_configs['search_experiment']!;
  assert.equal(exp['r'], 'override');
  assert.deepEqual(v2.values[exp['v'] as string], { ranker: 'forced', page_size: 20, show_snippets: false });
  assert.ok(JSON.stringify(clientInitializeResponseJSON(specs, users[0], { format: 'init-v2' })).length < JSON.stringify(clientInitializeResponseJSON(specs, users[0])).length);
});
