// The page bootstrap's options of getRequestFlags()/getBootstrap() (`only`, `format`): good values
// pass through, bad ones throw InvalidOptionError naming the option, checked once per options object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapOptionsOf, MAX_ONLY_NAMES } from '../../server/next/bootstrap-options';
import { InvalidOptionError } from '../../lib/errors';

test('only and format pass through; absent options stay absent', () => {
  assert.deepEqual(bootstrapOptionsOf({}), {});
  assert.deepEqual(bootstrapOptionsOf({ only: ['a_gate', 'an_experiment'], format: 'init-v2' }), { only: ['a_gate', 'an_experiment'], format: 'init-v2' });
  assert.deepEqual(bootstrapOptionsOf({ format: 'v1' }), { format: 'v1' });
  assert.deepEqual(bootstrapOptionsOf({ only: [] }), { only: [] });
});

test('the checked copy is frozen and kept per options object', () => {
  const only = ['a'];
  const opts = { only };
  const first = bootstrapOptionsOf(opts);
  assert.ok(Object.isFrozen(first.only));
  only.push('b');
  // the same object is not checked again (the cache key of getRequestFlags is the object, too)
  assert.equal(bootstrapOptionsOf(opts), first);
  assert.deepEqual(first.only, ['a']);
});

const bad: [string, { only?: unknown; format?: unknown }, RegExp][] = [
  ['only as one string', { only: 'a_gate' }, /only must be an array of entity names/],
  ['only with a number', { only: ['a', 42] }, /only\.1 must be entity names \(strings\)/],
  ['only with an empty name', { only: [''] }, /only\.0 must not be an empty name/],
  ['only too long', { only: Array.from({ length: MAX_ONLY_NAMES + 1 }, (_, i) => `g${i}`) }, /only must list at most/],
  ['an unknown format', { format: 'v2' }, /format must be 'v1' or 'init-v2'/],
  ['format of the wrong type', { format: 2 }, /format must be 'v1' or 'init-v2'/],
];

for (const [what, opts, message] of bad) {
  test(`refused: ${what}`, () => {
    assert.throws(() => bootstrapOptionsOf(opts), (e: unknown) => e instanceof InvalidOptionError && message.test((e as Error).message));
  });
}
