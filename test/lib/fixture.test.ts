/** The example fixture gives exactly the reference's §13.3 table (statsig-node 6.5.2, verified). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { evaluateAll, getConfig, getExperiment, getFeatureGate, getLayer, parseSpecs } from '../../lib/index';

const dir = new URL('../fixtures/', import.meta.url);
const specs = parseSpecs(readFileSync(new URL('example-dcs.json', dir), 'utf8'), {
  serverSecret: 'secret-test-key',
  idLists: JSON.parse(readFileSync(new URL('example-idlists.json', dir), 'utf8')),
});
const users = readFileSync(new URL('example-users.jsonl', dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

const T = true;
const F = false;
/** gate -> [value, ruleID] for u1..u4 */
const gates: Record<string, [boolean, string][]> = {
  public_gate: [[T, '6X3qJgyfwA81IJ2dxI7lYp'], [T, '6X3qJgyfwA81IJ2dxI7lYp'], [T, '6X3qJgyfwA81IJ2dxI7lYp'], [T, '6X3qJgyfwA81IJ2dxI7lYp']],
  employee_gate: [[T, '1kNmlB23wylPFZi1M0Divl:100.00:1'], [F, 'default'], [F, 'default'], [F, 'default']],
  partial_rollout_gate: [[T, '3jdTW54SQWbbxFFZJe7wYZ:50.00:2'], [T, '3jdTW54SQWbbxFFZJe7wYZ:50.00:2'], [T, '3jdTW54SQWbbxFFZJe7wYZ:50.00:2'], [F, '3jdTW54SQWbbxFFZJe7wYZ:50.00:2']],
  us_ca_country_gate: [[T, '4ZHfYb7nQwXJ7Kx2dQvA3m'], [F, 'default'], [F, 'default'], [F, 'default']],
  modern_chrome_gate: [[T, '5h2L1kR8zN0vW3yT6uQ9pA'], [F, 'default'], [F, 'default'], [F, 'default']],
  ios_new_app_gate: [[F, 'default'], [T, '6rP0sD3fG6hJ9kL2zX5cV8'], [F, 'default'], [F, 'default']],
  staging_only_gate: [[F, 'default'], [F, 'default'], [F, 'default'], [F, 'default']],
  time_window_gate: [[T, '8gH2iJ5kL8mN1oP4qR7sT0'], [T, '8gH2iJ5kL8mN1oP4qR7sT0'], [T, '8gH2iJ5kL8mN1oP4qR7sT0'], [T, '8gH2iJ5kL8mN1oP4qR7sT0']],
  bucket_gate: [[T, '9uV3wX6yZ9aB2cD5eF8gH1'], [F, 'default'], [F, 'default'], [T, '9uV3wX6yZ9aB2cD5eF8gH1']],
  company_unit_gate: [[T, 'AiJ4kL7mN0oP3qR6sT9uV2'], [T, 'AiJ4kL7mN0oP3qR6sT9uV2'], [F, 'default'], [F, 'default']],
  'segment:blocked_users': [[F, 'default'], [T, 'id_list'], [F, 'default'], [F, 'default']],
  'segment:power_users': [[T, 'BjK5lM8nO1pQ4rS7tU0vW3'], [F, 'default'], [F, 'default'], [F, 'default']],
  new_checkout_gate: [[T, 'EmN8oP1qR4sT7uV0wX3yZ6'], [F, 'DlM7nO0pQ3rS6tU9vW2xY5'], [F, 'default'], [F, 'default']],
  global_holdout: [[F, 'GoP0qR3sT6uV9wX2yZ5aB8'], [F, 'GoP0qR3sT6uV9wX2yZ5aB8'], [F, 'GoP0qR3sT6uV9wX2yZ5aB8'], [F, 'GoP0qR3sT6uV9wX2yZ5aB8']],
  regex_email_gate: [[T, 'HpQ1rS4tU7vW0xY3zA6bC9'], [F, 'default'], [F, 'default'], [F, 'default']],
  locale_and_string_ops_gate: [[T, 'IqR2sT5uV8wX1yZ4aB7cD0'], [F, 'default'], [F, 'default'], [F, 'default']],
  plan_gate: [[T, 'JrS3tU6vW9xY2zA5bC8dE1'], [F, 'default'], [F, 'default'], [F, 'default']],
  signup_date_gate: [[T, 'LtU5vW8xY1zA4bC7dE0fG3'], [F, 'default'], [F, 'default'], [F, 'default']],
  target_app_gate: [[F, 'default'], [F, 'default'], [F, 'default'], [F, 'default']],
  roles_gate: [[T, 'OwX8yZ1aB4cD7eF0gH3iJ6'], [F, 'default'], [F, 'default'], [F, 'default']],
  numeric_compare_gate: [[T, 'PxY9zA2bC5dE8fG1hI4jK7'], [F, 'default'], [F, 'default'], [F, 'default']],
  disabled_gate: [[F, 'disabled'], [F, 'disabled'], [F, 'disabled'], [F, 'disabled']],
  unsupported_condition_gate: [[F, ''], [F, ''], [F, ''], [F, '']],
};

/** config -> [ruleID, groupName, a value fragment] for u1..u4 */
const configs: Record<string, [string, string | null, Record<string, unknown>][]> = {
  pricing_config: [
    ['SaB2cD5eF8gH1iJ4kL7mN0', 'North America', { currency: 'USD', price: 9.99 }],
    ['default', null, { currency: 'EUR' }],
    ['TbC3dE6fG9hI2jK5lM8nO1', 'UK/IE', { currency: 'GBP', price: 8.99 }],
    ['default', null, { currency: 'EUR' }],
  ],
  device_theme_config: Array(4).fill(['default', null, { theme: 'light' }]),
  disabled_config: Array(4).fill(['disabled', null, { mode: 'off' }]),
  checkout_experiment: [
    ['YgH8iJ1kL4mN7oP0qR3sT6', 'Control', {}],
    ['YgH8iJ1kL4mN7oP0qR3sT6', 'Control', {}],
    ['WeF6gH9iJ2kL5mN8oP1qR4:userID:id_override', 'Test', {}],
    ['ZhI9jK2lM5nO8pQ1rS4tU7', 'Test', {}],
  ],
  search_experiment: [
    ['1bC2dE3fG4hI5jK6lM7nO8', 'Test', { ranker: 'neural' }],
    ['1bC2dE3fG4hI5jK6lM7nO8', 'Test', { ranker: 'neural' }],
    ['0aB1cD2eF3gH4iJ5kL6mN7', 'Control', {}],
    ['layerAssignment', 'Layer Assignment', {}],
  ],
  stopped_experiment: Array(4).fill(['2cD3eF4gH5iJ6kL7mN8oP9', 'Test', { copy: 'new' }]),
};

test('gates: §13.3 values and rule IDs for all four users', () => {
  for (const [name, row] of Object.entries(gates)) {
    row.forEach(([value, ruleID], i) => {
      const g = getFeatureGate(specs, users[i], name);
      assert.deepEqual([g.value, g.ruleID], [value, ruleID], `${name} u${i + 1}`);
      assert.equal(g.details.reason, name === 'unsupported_condition_gate' ? 'Unsupported' : 'Network');
      // evaluateAll agrees with the single-call path
      assert.equal(evaluateAll(specs, users[i]).checkGate(name), value, `${name} u${i + 1} evaluateAll`);
    });
  }
  assert.equal(specs.gates.size, Object.keys(gates).length);
});

test('configs and experiments: §13.3 rule IDs, groups and values', () => {
  for (const [name, row] of Object.entries(configs)) {
    row.forEach(([ruleID, groupName, fragment], i) => {
      const c = getExperiment(specs, users[i], name);
      assert.deepEqual([c.ruleID, c.groupName], [ruleID, groupName], `${name} u${i + 1}`);
      for (const [k, v] of Object.entries(fragment)) assert.deepEqual(c.value[k], v, `${name}.${k} u${i + 1}`);
    });
  }
});

test('the holdout is reported as an exposure of the experiment; the experiment is allocated', () => {
  const e = getExperiment(specs, users[0], 'checkout_experiment');
  assert.deepEqual(e.secondaryExposures, [
    { gate: 'global_holdout', gateValue: 'false', ruleID: 'GoP0qR3sT6uV9wX2yZ5aB8' },
    { gate: 'public_gate', gateValue: 'true', ruleID: '6X3qJgyfwA81IJ2dxI7lYp' },
  ]);
  assert.equal(e.isUserInExperiment, true);
  assert.equal(e.isExperimentActive, true);
  const blocked = getFeatureGate(specs, users[1], 'new_checkout_gate');
  assert.equal(blocked.secondaryExposures.length, 0, 'segment exposures are filtered out');
});

test('layers: search_layer delegates to search_experiment except for u4; empty_layer stays default', () => {
  const expected = [
    ['1bC2dE3fG4hI5jK6lM7nO8', 'Test', 'search_experiment', 'neural'],
    ['1bC2dE3fG4hI5jK6lM7nO8', 'Test', 'search_experiment', 'neural'],
    ['0aB1cD2eF3gH4iJ5kL6mN7', 'Control', 'search_experiment', 'bm25'],
    ['default', null, null, 'bm25'],
  ];
  expected.forEach(([ruleID, group, allocated, ranker], i) => {
    const l = getLayer(specs, users[i], 'search_layer');
    assert.deepEqual([l.ruleID, l.groupName, l.allocatedExperimentName, l.value['ranker']], [ruleID, group, allocated, ranker], `u${i + 1}`);
  });
  for (const u of users) {
    const l = getLayer(specs, u, 'empty_layer');
    assert.deepEqual([l.ruleID, l.value], ['default', { banner_text: 'hello', max_items: 3 }]);
  }
});

test('configs report whether the matched rule let the user through (exposure rulePassed)', () => {
  assert.equal(getConfig(specs, users[0], 'pricing_config').passed, true, 'u1 matched North America');
  assert.equal(getConfig(specs, users[1], 'pricing_config').passed, false, 'u2 falls to the default');
  assert.equal(getConfig(specs, users[0], 'device_theme_config').passed, false, 'default rule');
  assert.equal(getConfig(specs, users[0], 'disabled_config').passed, false, 'disabled spec');
  assert.equal(getConfig(specs, users[0], 'checkout_experiment').passed, true, 'experiment group');
});
