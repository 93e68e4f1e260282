// The default instance (`import firstlight from 'firstlight'`) offers every public method of the
// Statsig class and hands each call to the instance initialize() created: arguments, `this`-free
// calls and return values included. A method added to Statsig and missing here fails this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Statsig } from '../../server/statsig';
import { firstlight } from '../../server/singleton';
import { silentLogger } from '../../server/logger';
import { FIXTURES, SECRET } from './support/fake-statsig';

// read from the class here, not through the module under test
const publicMethods = Object.getOwnPropertyNames(Statsig.prototype).filter(
  (n) => n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(Statsig.prototype, n)?.value === 'function',
);
const LIFECYCLE = new Set(['initialize', 'shutdown']);

test('the default instance has every public method of Statsig', () => {
  // statsig-node's server API, so a rename inside Statsig cannot make this test vacuous
  for (const n of ['checkGate', 'getExperiment', 'getLayer', 'manuallyLogGateExposure', 'removeGateOverride', 'syncNow', 'getClientInitializeResponse']) {
    assert.ok(publicMethods.includes(n), `Statsig.prototype.${n}`);
  }
  const missing = publicMethods.filter((n) => typeof (firstlight as unknown as Record<string, unknown>)[n] !== 'function');
  assert.deepEqual(missing, [], `missing from the default instance: ${missing.join(', ')}`);
});

test('before initialize every check answers its default; afterwards every method reaches the instance', async (t) => {
  assert.equal(firstlight.isInitialized(), false);
  assert.equal(firstlight.getFeatureGate({ userID: 'u' }, 'public_gate').details.reason, 'Uninitialized');
  assert.equal(firstlight.getExperiment({ userID: 'u' }, 'checkout_experiment').details.reason, 'Uninitialized');

  await firstlight.initialize(SECRET, { localMode: true, specsFile: join(FIXTURES, 'example-dcs.json'), eventSinks: [], logger: silentLogger });
  t.after(() => firstlight.shutdown());
  assert.equal(firstlight.isInitialized(), true);
  const { checkGate } = firstlight; // destructured, as statsig-node users do
  assert.equal(typeof checkGate({ userID: 'u' }, 'public_gate'), 'boolean');
  assert.equal(firstlight.getFeatureGate({ userID: 'u' }, 'public_gate').details.reason, 'Bootstrap');

  const inner = firstlight.instance as unknown as Record<string, unknown>;
  for (const name of publicMethods.filter((n) => !LIFECYCLE.has(n))) {
    const calls: unknown[][] = [];
    const answer = Symbol(name);
    // an own property shadows the prototype's method on this one instance for the duration of the call
    inner[name] = (...args: unknown[]) => (calls.push(args), answer);
    try {
      const args = [{ userID: name }, `${name}-arg`, 3];
      const got = (firstlight as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      assert.equal(got, answer, `${name} returns the instance's answer`);
      assert.deepEqual(calls, [args], `${name} passes its arguments through`);
    } finally {
      delete inner[name];
    }
  }
});

test('shutdown ends the default instance; a later initialize starts a new one', async () => {
  await firstlight.initialize(SECRET, { localMode: true, specsFile: join(FIXTURES, 'example-dcs.json'), eventSinks: [], logger: silentLogger });
  const first = firstlight.instance;
  assert.deepEqual(await firstlight.shutdown(), { complete: true, pending: 0 });
  assert.equal(firstlight.isInitialized(), false);
  assert.equal(firstlight.checkGate({ userID: 'u' }, 'public_gate'), false);
  await firstlight.initialize(SECRET, { localMode: true, specsFile: join(FIXTURES, 'example-dcs.json'), eventSinks: [], logger: silentLogger });
  assert.notEqual(firstlight.instance, first);
  await firstlight.shutdown();
});
