import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FirstlightError,
  InvalidArgumentError,
  InvalidOptionError,
  NotInitializedError,
  SourceUnavailableError,
  SpecKeyMismatchError,
  SpecParseError,
} from '../../lib/index';

const table: [new (message?: string) => Error, string, string, string][] = [
  [SpecParseError, 'SpecParseError', 'FL_ERR_SPEC_PARSE', 'invalid download_config_specs payload'],
  [SpecKeyMismatchError, 'SpecKeyMismatchError', 'FL_ERR_SPEC_KEY_MISMATCH', 'download_config_specs payload was produced for another server key'],
  [InvalidOptionError, 'InvalidOptionError', 'FL_ERR_INVALID_OPTION', 'invalid option'],
  [InvalidArgumentError, 'InvalidArgumentError', 'FL_ERR_INVALID_ARGUMENT', 'invalid argument'],
  [SourceUnavailableError, 'SourceUnavailableError', 'FL_ERR_SOURCE_UNAVAILABLE', 'spec source unavailable'],
  [NotInitializedError, 'NotInitializedError', 'FL_ERR_NOT_INITIALIZED', 'not initialized'],
];

for (const [Cls, name, code, message] of table) {
  test(`${name}: name, code, default message, instanceof`, () => {
    const e = new Cls() as Error & { code: string };
    assert.equal(e.name, name);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    assert.ok(e instanceof Cls);
    assert.ok(e instanceof FirstlightError);
    assert.ok(e instanceof Error);
    for (const [Other] of table) if (Other !== Cls) assert.ok(!(e instanceof Other), `${name} is not ${Other.name}`);
    assert.equal(new Cls('custom').message, 'custom');
  });
}

test('codes are unique', () => {
  assert.equal(new Set(table.map((r) => r[2])).size, table.length);
});

test('SpecParseError carries its issues', () => {
  const e = new SpecParseError('bad', [{ path: ['feature_gates', 0, 'salt'], message: 'Invalid input' }]);
  assert.deepEqual(e.issues[0]?.path, ['feature_gates', 0, 'salt']);
});
