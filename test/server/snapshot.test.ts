// Evaluation snapshots: evaluated once, exposures once per entity on first access, peeks silent,
// filtered copies independent, the bootstrap written from the same evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import type { StatsigEvent } from '../../server/events/event';
import type { EventSink } from '../../server/events/event-sink';
import { FIXTURES, SECRET } from './support/fake-statsig';

const SPECS = join(FIXTURES, 'example-dcs.json');
const u1 = { userID: 'user-1', email: 'alice@example.com', custom: { level: 12 }, customIDs: { companyID: 'acme', stableID: 'device-123' } };

async function setup() {
  const events: StatsigEvent[] = [];
  const sink: EventSink = { name: 'memory', send: async (b) => void events.push(...b) };
  const statsig = new Statsig(SECRET, { localMode: true, specsFile: SPECS, eventSinks: [sink], logger: silentLogger });
  await statsig.initialize();
  return {
    statsig,
    events,
    async drained() {
      await statsig.flush(2_000);
      return events.map((e) => `${e.eventName}:${(e.metadata as Record<string, string>).gate ?? (e.metadata as Record<string, string>).config ?? ''}${(e.metadata as Record<string, string>).parameterName ? '.' + (e.metadata as Record<string, string>).parameterName : ''}`);
    },
  };
}

test('each entity logs one exposure, on its first read; peeks never log', async () => {
  const { statsig, drained } = await setup();
  const snap = statsig.evaluateAll(u1);
  assert.deepEqual(await drained(), [], 'evaluating logs nothing');
  assert.equal(snap.peekGate('employee_gate').value, true);
  assert.equal(snap.peekExperiment('checkout_experiment').groupName, 'Control');
  assert.equal(snap.peekLayer('search_layer').get('ranker', ''), 'neural');
  assert.deepEqual(await drained(), [], 'peeks log nothing');
  assert.equal(snap.checkGate('employee_gate'), true);
  assert.equal(snap.checkGate('employee_gate'), true);
  assert.equal(snap.getExperiment('checkout_experiment').groupName, 'Control');
  snap.getExperiment('checkout_experiment');
  const layer = snap.getLayer('search_layer');
  layer.get('ranker', '');
  layer.get('ranker', '');
  snap.getLayer('search_layer').get('page_size', 0);
  snap.getLayer('search_layer').get('not_a_param', 0);
  assert.deepEqual(await drained(), [
    'statsig::gate_exposure:employee_gate',
    'statsig::config_exposure:checkout_experiment',
    'statsig::layer_exposure:search_layer.ranker',
    'statsig::layer_exposure:search_layer.page_size',
  ]);
  assert.deepEqual(snap.accessedNames(), ['employee_gate', 'checkout_experiment', 'search_layer']);
  await statsig.shutdown();
});

test('results are pinned: later changes to the user or the overrides do not change a snapshot', async () => {
  const { statsig } = await setup();
  const user = structuredClone(u1);
  const snap = statsig.evaluateAll(user);
  user.email = 'mallory@spam.net';
  statsig.overrideGate('employee_gate', false);
  assert.equal(snap.checkGate('employee_gate'), true);
  assert.equal(statsig.evaluateAll(user).checkGate('employee_gate'), false);
  assert.ok(Object.isFrozen(snap.user));
  await statsig.shutdown();
});

test('filtered copies start with nothing accessed and never mark their parent', async () => {
  const { statsig } = await setup();
  const snap = statsig.evaluateAll(u1);
  snap.checkGate('public_gate');
  snap.getConfig('pricing_config');
  const accessed = snap.onlyAccessed();
  assert.deepEqual(accessed.accessedNames(), []);
  assert.equal(accessed.peekGate('public_gate').value, true);
  assert.equal(accessed.peekGate('employee_gate').details.reason, 'Unrecognized', 'outside the copy');
  const some = snap.only(['employee_gate', 'search_layer']);
  some.checkGate('employee_gate');
  assert.deepEqual(some.accessedNames(), ['employee_gate']);
  assert.deepEqual(snap.accessedNames(), ['public_gate', 'pricing_config'], 'no back-propagation');
  assert.deepEqual(some.only(['employee_gate', 'public_gate']).peekGate('public_gate').details.reason, 'Unrecognized');
  await statsig.shutdown();
});

test('the bootstrap comes from the same evaluation and agrees with the server checks', async () => {
  const { statsig } = await setup();
  statsig.overrideGate('employee_gate', false, 'user-1');
  const snap = statsig.evaluateAll(u1, { clientKey: 'client-key-web' });
  const cir = snap.toClientInitializeResponse({ hash: 'none' }) as {
    feature_gates: Record<string, { value: boolean }>;
    dynamic_configs: Record<string, { value: Record<string, unknown> }>;
  };
  assert.equal(cir.feature_gates.employee_gate!.value, snap.checkGate('employee_gate'));
  assert.equal(cir.feature_gates.employee_gate!.value, false, 'overrides included, as in the checks');
  assert.equal(cir.feature_gates.target_app_gate!.value, true, 'target_app resolved for the client key');
  assert.deepEqual(cir.dynamic_configs.pricing_config!.value, snap.getConfig('pricing_config').value);
  const json = snap.toClientInitializeResponseJSON({ hash: 'none' })!;
  assert.deepEqual(JSON.parse(json).feature_gates, cir.feature_gates);

  // the compact format from the same snapshot: same entities, same overrides and target app
  const v2 = JSON.parse(snap.toClientInitializeResponseJSON({ hash: 'none', format: 'init-v2' })!) as { response_format: string; feature_gates: Record<string, { v?: boolean }> };
  assert.equal(v2.response_format, 'init-v2');
  assert.deepEqual(Object.keys(v2.feature_gates), Object.keys(cir.feature_gates));
  assert.equal(v2.feature_gates.employee_gate!.v, undefined, 'a false gate carries no value');
  assert.equal(v2.feature_gates.target_app_gate!.v, true);

  const onlyAccessed = snap.onlyAccessed().toClientInitializeResponse({ hash: 'none' }) as typeof cir;
  assert.ok('employee_gate' in onlyAccessed.feature_gates);
  assert.ok(!('public_gate' in onlyAccessed.feature_gates));
  assert.ok('pricing_config' in onlyAccessed.dynamic_configs);
  await statsig.shutdown();
});

test('users without any ID are evaluated but log no exposures', async () => {
  const { statsig, drained } = await setup();
  const snap = statsig.evaluateAll({ email: 'anon@example.com', customIDs: { stableID: '' } });
  assert.equal(snap.checkGate('public_gate'), true);
  snap.getLayer('search_layer').get('ranker', '');
  assert.deepEqual(await drained(), []);
  await statsig.shutdown();
});

test('logEvent with flags attaches what the snapshot handed out', async () => {
  const { statsig, events } = await setup();
  const snap = statsig.evaluateAll(u1);
  snap.checkGate('employee_gate');
  snap.getConfig('pricing_config');
  snap.peekGate('public_gate');
  statsig.logEvent(u1, 'checkout', 42, { cart: '3' }, { flags: snap });
  await statsig.flush(2_000);
  const e = events.find((x) => x.eventName === 'checkout')!;
  assert.deepEqual(e.metadata, {
    cart: '3',
    'flag:employee_gate': 'true',
    'flag:pricing_config': JSON.stringify(snap.peekConfig('pricing_config').value),
  });
  await statsig.shutdown();
});

test('a snapshot made before specs arrive answers Uninitialized and has no bootstrap', async () => {
  const statsig = new Statsig(SECRET, { localMode: true, eventSinks: [], logger: silentLogger });
  const snap = statsig.evaluateAll(u1);
  assert.equal(snap.getFeatureGate('public_gate').details.reason, 'Uninitialized');
  assert.equal(snap.toClientInitializeResponseJSON(), null);
  const bad = statsig.evaluateAll(null as never);
  assert.equal(bad.getFeatureGate('public_gate').details.reason, 'Error');
  assert.equal(statsig.health().lastError!.code, 'FL_ERR_INVALID_ARGUMENT');
  await statsig.shutdown();
});
