import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGate, getFeatureGate } from '../../lib/index';
import { cond, oneGate } from './helpers';

/** [operator, target, user value (custom.x; undefined = missing), expected] */
type Case = [string, unknown, unknown, boolean];

function check(op: string, target: unknown, value: unknown): boolean {
  const specs = oneGate([cond('user_field', op, target, { field: 'x' })]);
  const user = value === undefined ? { userID: 'u' } : { userID: 'u', custom: { x: value } };
  return checkGate(specs, user, 'g');
}

function table(name: string, cases: Case[]) {
  test(name, () => {
    for (const [op, target, value, expected] of cases) {
      assert.equal(check(op, target, value), expected, `${op} ${JSON.stringify(target)} vs ${JSON.stringify(value)}`);
    }
  });
}

table('numeric comparisons coerce with Number(); null or NaN never pass', [
  ['gt', 5, 6, true],
  ['gt', 5, 5, false],
  ['gte', 5, 5, true],
  ['lt', '10', '9', true], // numeric strings
  ['lte', 10, '10', true],
  ['gt', 5, 'abc', false], // NaN
  ['gt', 5, undefined, false], // missing
  ['gt', null, 6, false],
  ['lt', 1, '', true], // Number('') is 0
  ['gte', '1e3', 1000, true],
  ['GT', 5, 6, true], // operator case-insensitive
]);

table('version comparisons: strings only, extension cut at "-", padded with 0', [
  ['version_gt', '1.2.2', '1.2.3-beta', true],
  ['version_eq', '1.2.0', '1.02', true],
  ['version_gte', '2.4.0', '2.4.1', true],
  ['version_lt', '2.4.0', '2.3.9', true],
  ['version_lte', '2.4', '2.4.0.0', true],
  ['version_neq', '1.0', '1.0.1', true],
  ['version_eq', '1.0', 1, false], // numeric value -> false
  ['version_gt', '1.0', 'a.b', false], // NaN part
  ['version_gt', '1.0', '-1', false], // empty after cut
  ['version_gt', '1.0', undefined, false],
]);

table('any / none: case-insensitive String() membership; missing becomes "undefined"', [
  ['any', ['ACME', 'beta'], 'acme', true],
  ['any', ['acme'], 'ACME', true],
  ['any', ['5'], 5, true], // numbers and strings interoperate
  ['any', [5], '5', true],
  ['any', ['x'], undefined, false],
  ['any', ['undefined'], undefined, true], // statsig-node quirk
  ['none', ['x'], undefined, true],
  ['none', ['acme'], 'ACME', false],
  ['any', 'not-an-array', 'x', false],
  ['none', 'not-an-array', 'x', true],
  ['any_case_sensitive', ['ACME'], 'acme', false],
  ['any_case_sensitive', ['acme'], 'acme', true],
  ['none_case_sensitive', ['ACME'], 'acme', true],
  ['any', [true], true, true],
]);

test('upper-case ANY takes statsig-node\'s element-by-element path (a missing value never matches)', () => {
  assert.equal(check('ANY', ['undefined'], undefined), false);
  assert.equal(check('ANY', ['Beta'], 'beta'), true);
  assert.equal(check('NONE', ['x'], undefined), true);
});

table('string operators are case-insensitive over String(); null values never match', [
  ['str_starts_with_any', ['ALI'], 'alice@example.com', true],
  ['str_ends_with_any', ['@EXAMPLE.com', '@x.io'], 'alice@example.com', true],
  ['str_contains_any', ['XAMP'], 'alice@example.com', true],
  ['str_contains_any', ['zzz'], 'alice@example.com', false],
  ['str_contains_none', ['zzz'], 'alice@example.com', true],
  ['str_contains_none', ['zzz'], undefined, true],
  ['str_contains_any', ['1'], 12, true],
  ['str_starts_with_any', ['a'], undefined, false],
  ['str_starts_with_any', 'a', 'abc', false], // target must be an array
]);

table('str_matches: RegExp over String(value); invalid patterns and long values fail', [
  ['str_matches', '^[a-z]+@example\\.com$', 'alice@example.com', true],
  ['str_matches', '^[a-z]+$', 'Alice', false], // no flags
  ['str_matches', '([', 'x', false], // invalid regex
  ['str_matches', 'a', 'a'.repeat(1000), false], // length >= 1000
  ['str_matches', 'a', 'a'.repeat(999), true],
  ['str_matches', 'undefined', undefined, true], // quirk: String(undefined)
]);

table('eq / neq are loose (==), as statsig-node', [
  ['eq', 5, '5', true],
  ['eq', 'team', 'team', true],
  ['eq', 'Team', 'team', false],
  ['eq', null, undefined, true], // null == undefined
  ['neq', null, undefined, false],
  ['neq', 5, 6, true],
  ['eq', true, 1, true],
]);

table('dates: strings parse as dates, numbers below 1e10 are seconds', [
  ['before', '2024-01-01T00:00:00Z', 1700000000, true], // seconds -> 2023-11-14
  ['before', '2024-01-01T00:00:00Z', 1700000000000, true], // ms
  ['after', 1700000000, '2024-06-01', true],
  ['after', '2024-01-01', 'not a date', false],
  ['before', '2024-01-01', undefined, false],
  ['before', null, 1, false],
  ['after', '1700000000', 1700000001, true], // numeric string target falls back to a number
  ['on', '2024-03-05', 1709640000, true], // 2024-03-05T12:00Z in seconds
  ['on', '2024-03-05', '2024-03-05T23:59:59Z', true],
  ['on', '2024-03-05', '2024-03-06T00:00:00Z', false],
]);

table('array_contains_*: both sides arrays; target items match as-is or via parseInt', [
  ['array_contains_any', ['editor', 'admin'], ['editor', 'viewer'], true],
  ['array_contains_any', ['admin'], ['editor'], false],
  ['array_contains_any', ['1'], [1, 2], true], // parseInt("1") matches 1
  ['array_contains_any', [1], ['1'], false], // but not the other way round
  ['array_contains_all', ['editor', 'viewer'], ['viewer', 'editor', 'x'], true],
  ['array_contains_all', ['editor', 'admin'], ['editor'], false],
  ['not_array_contains_all', ['editor', 'admin'], ['editor'], true],
  ['array_contains_none', ['admin'], ['editor'], true],
  ['array_contains_none', ['admin'], 'admin', false], // non-array value: false even for _none
  ['array_contains_any', 'admin', ['admin'], false], // non-array target
  ['array_contains_none', ['admin'], undefined, false],
]);

test('an unknown or missing operator is Unsupported: value false, rule "", reason Unsupported', () => {
  for (const op of ['bogus_op', null, 'constructor', 'toString']) {
    const specs = oneGate([cond('user_field', op, 1, { field: 'x' })]);
    const g = getFeatureGate(specs, { userID: 'u' }, 'g');
    assert.equal(g.value, false);
    assert.equal(g.ruleID, '');
    assert.equal(g.details.reason, 'Unsupported');
  }
});
