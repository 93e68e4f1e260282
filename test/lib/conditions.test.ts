import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGate, getFeatureGate, parseSpecs } from '../../lib/index';
import { cond, dcs, gate, oneGate, rule } from './helpers';

test('public passes without an operator', () => {
  assert.equal(checkGate(oneGate([cond('public', null, null)]), { userID: 'u' }, 'g'), true);
  assert.equal(checkGate(oneGate([]), { userID: 'u' }, 'g'), true, 'an empty condition list passes');
});

test('user_field: user[f], user[f.lower], custom, privateAttributes; only the field name is lower-cased', () => {
  const specs = (field: string) => oneGate([cond('user_field', 'any', ['yes'], { field })]);
  assert.equal(checkGate(specs('email'), { userID: 'u', email: 'yes' }, 'g'), true);
  assert.equal(checkGate(specs('Plan'), { userID: 'u', custom: { plan: 'yes' } }, 'g'), true);
  assert.equal(checkGate(specs('plan'), { userID: 'u', custom: { Plan: 'yes' } }, 'g'), false, 'stored keys are not normalised');
  assert.equal(checkGate(specs('note'), { userID: 'u', privateAttributes: { note: 'yes' } }, 'g'), true);
  assert.equal(checkGate(specs('email'), { userID: 'u', email: 'no', custom: { email: 'yes' } }, 'g'), false, 'top-level wins');
  assert.equal(checkGate(specs('email'), { userID: 'u', email: '', custom: { email: 'yes' } }, 'g'), false, 'empty string is a value (??)');
  assert.equal(checkGate(specs('UserID'), { userID: 'yes' }, 'g'), false, 'UserID lower-cases to userid, which the user lacks');
});

test('ip_based: the user country wins, else country from IP (country field only)', () => {
  const specs = oneGate([cond('ip_based', 'any', ['US'], { field: 'country' })]);
  assert.equal(checkGate(specs, { userID: 'u', ip: '8.8.8.8' }, 'g'), true);
  assert.equal(checkGate(specs, { userID: 'u', ip: '8.8.8.8', country: 'GB' }, 'g'), false);
  assert.equal(checkGate(specs, { userID: 'u', ip: '81.2.69.160' }, 'g'), false);
  assert.equal(checkGate(specs, { userID: 'u' }, 'g'), false);
  const region = oneGate([cond('ip_based', 'any', ['US'], { field: 'region' })]);
  assert.equal(checkGate(region, { userID: 'u', ip: '8.8.8.8' }, 'g'), false);
});

test('ua_based: parsed with the Statsig tweaks (Mac OS X, Chrome Mobile)', () => {
  const mac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
  const pixel = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
  const is = (field: string, target: string, ua: string) =>
    checkGate(oneGate([cond('ua_based', 'any_case_sensitive', [target], { field })]), { userID: 'u', userAgent: ua }, 'g');
  assert.ok(is('os_name', 'Mac OS X', mac));
  assert.ok(is('os_version', '10.15.7', mac));
  assert.ok(is('browser_name', 'Chrome', mac));
  assert.ok(is('browser_version', '120.0.0.0', mac));
  assert.ok(is('OSName', 'Android', pixel));
  assert.ok(is('browserName', 'Chrome Mobile', pixel));
  assert.ok(is('os_name', 'iOS', iphone));
  assert.ok(is('os_version', '17.1', iphone));
  assert.ok(is('browser_name', 'Mobile Safari', iphone));
  assert.ok(!is('device', 'iPhone', iphone), 'unknown fields read null');
  assert.ok(!is('os_name', 'Mac OS X', 'x'.repeat(1001) + mac), 'agents over 1000 chars are ignored');
  // a value on the user wins over the parsed agent
  assert.ok(checkGate(oneGate([cond('ua_based', 'any', ['Linux'], { field: 'os_name' })]), { userID: 'u', userAgent: mac, custom: { os_name: 'Linux' } }, 'g'));
});

test('environment_field: case-insensitive key of statsigEnvironment; default_environment replaces it in server checks', () => {
  const withEnv = (env?: string) =>
    parseSpecs(dcs({ gates: [gate('g', [rule('r', [cond('environment_field', 'any', ['staging'], { field: 'TIER' })])])], extra: env ? { default_environment: env } : {} }));
  assert.equal(checkGate(withEnv(), { userID: 'u', statsigEnvironment: { tier: 'Staging' } }, 'g'), true);
  assert.equal(checkGate(withEnv(), { userID: 'u' }, 'g'), false);
  assert.equal(checkGate(withEnv('production'), { userID: 'u', statsigEnvironment: { tier: 'staging' } }, 'g'), false, 'server checks replace the tier');
  assert.equal(checkGate(withEnv('production'), { userID: 'u' }, 'g', { environment: 'staging' }), true);
});

test('current_time uses the clock (opts.now)', () => {
  const specs = oneGate([cond('current_time', 'after', '2024-01-01T00:00:00Z')]);
  assert.equal(checkGate(specs, { userID: 'u' }, 'g', { now: Date.parse('2025-01-01') }), true);
  assert.equal(checkGate(specs, { userID: 'u' }, 'g', { now: Date.parse('2023-01-01') }), false);
});

test('user_bucket: sha256("<salt>.<unit>") mod 1000; a missing salt hashes as "undefined"', () => {
  const bucket = (salt: string | undefined, unit: string, idType = 'userID') =>
    [...Array(1000).keys()].find((b) =>
      checkGate(oneGate([cond('user_bucket', 'eq', b, { idType, additionalValues: salt === undefined ? {} : { salt } })]), idType === 'userID' ? { userID: unit } : { customIDs: { [idType]: unit } }, 'g'),
    );
  assert.equal(bucket('bucketSalt', 'user-1'), 834);
  assert.equal(bucket('c0ffee00-bucket-salt', ''), 150, 'users without the unit still hash (empty unit ID)');
  assert.equal(bucket('c0ffee00-bucket-salt', 'user-1'), 237);
  assert.equal(bucket('5e4d3c2b-search-layer-salt', 'user-1'), 412);
  assert.equal(bucket(undefined, 'user-1'), bucket('undefined', 'user-1'));
  assert.equal(bucket('c0ffee00-bucket-salt', 'user-1', 'companyID'), 237);
});

test('unit_id: idType picks userID (any case) or a customID, with a case-insensitive fallback', () => {
  const specs = (idType: string) => oneGate([cond('unit_id', 'any', ['acme'], { idType })]);
  assert.ok(checkGate(specs('companyID'), { customIDs: { companyID: 'ACME' } }, 'g'));
  assert.ok(checkGate(specs('companyid'), { customIDs: { CompanyID: 'acme' } }, 'g'));
  assert.ok(checkGate(specs('USERID'), { userID: 'acme' }, 'g'));
  assert.ok(!checkGate(specs('companyID'), { userID: 'acme' }, 'g'));
  assert.ok(checkGate(oneGate([cond('unit_id', 'eq', 42, { idType: 'userID' })]), { userID: 42 }, 'g'), 'numeric IDs');
});

test('target_app: the payload app_id for server checks, the client key\'s app when one is given', () => {
  const specs = parseSpecs(dcs({
    gates: [gate('g', [rule('r', [cond('target_app', 'any', ['app_web'])])])],
    extra: { app_id: 'app_server', sdk_keys_to_app_ids: { 'client-web': 'app_web' } },
  }));
  assert.equal(checkGate(specs, { userID: 'u' }, 'g'), false);
  assert.equal(checkGate(specs, { userID: 'u' }, 'g', { clientKey: 'client-web' }), true);
  assert.equal(checkGate(specs, { userID: 'u' }, 'g', { clientKey: 'unknown' }), false);
});

test('unknown condition types are Unsupported and stop evaluation (no fall-through)', () => {
  const specs = parseSpecs(dcs({ gates: [gate('g', [rule('r1', [cond('experiment_group', 'any', ['x'])]), rule('r2', [])])] }));
  const g = getFeatureGate(specs, { userID: 'u' }, 'g');
  assert.deepEqual([g.value, g.ruleID, g.details.reason], [false, '', 'Unsupported']);
});

test('a statically unsupported condition after a failing one still makes the rule Unsupported', () => {
  const specs = oneGate([cond('user_field', 'any', ['nope'], { field: 'x' }), cond('user_field', 'nonsense', 1, { field: 'x' })]);
  assert.equal(getFeatureGate(specs, { userID: 'u' }, 'g').details.reason, 'Unsupported');
});

test('with a client key, nested checks see no target app (statsig-node parity); top-level checks see it', () => {
  const specs = parseSpecs(dcs({
    gates: [
      gate('app', [rule('r', [cond('target_app', 'any', ['app_web'])])]),
      gate('outer', [rule('o', [cond('pass_gate', null, 'app')])]),
    ],
    extra: { app_id: 'app_server', sdk_keys_to_app_ids: { 'client-web': 'app_web' } },
  }));
  assert.equal(checkGate(specs, { userID: 'u' }, 'app', { clientKey: 'client-web' }), true);
  assert.equal(checkGate(specs, { userID: 'u' }, 'outer', { clientKey: 'client-web' }), false);
  assert.equal(checkGate(specs, { userID: 'u' }, 'outer'), false);
});

test('a target that cannot be converted (an object whose toString is not a function) makes its condition Unsupported, not parseSpecs throw', () => {
  const bad = [{ toString: '' }];
  for (const [type, operator, extra] of [
    ['user_field', 'gt', { field: 'level' }],
    ['user_field', 'any', { field: 'email' }],
    ['user_field', 'str_contains_any', { field: 'email' }],
    ['user_field', 'version_gt', { field: 'appVersion' }],
    ['current_time', 'after', {}],
    ['unit_id', 'in_segment_list', {}],
    ['user_field', 'array_contains_any', { field: 'tags' }],
  ] as const) {
    const specs = parseSpecs(dcs({ gates: [gate('g', [rule('r', [cond(type, operator, bad, extra)])])] }));
    const g = getFeatureGate(specs, { userID: 'u', email: 'a@b', custom: { level: 3, tags: ['x'] }, appVersion: '1.0' }, 'g');
    assert.equal(g.value, false, `${type} ${operator}`);
    assert.ok(g.details.reason === 'Unsupported' || g.ruleID === 'default', `${type} ${operator}: ${g.details.reason} ${g.ruleID}`);
  }
});
