// The Statsig-compatible facade end to end: local mode makes no connection, exposures are Statsig's,
// private attributes never leave, bad input never throws from a check, overrides, ID lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Statsig } from '../../server/statsig';
import { firstlight } from '../../server/singleton';
import { flushAfter } from '../../server/events/flush-after';
import { silentLogger } from '../../server/logger';
import { InvalidArgumentError, InvalidOptionError } from '../../lib/errors';
import { prepareUser } from '../../lib/api';
import type { StatsigEvent } from '../../server/events/event';
import type { EventSink } from '../../server/events/event-sink';
import { FIXTURES, FakeStatsig, SECRET, EXAMPLE_TIME } from './support/fake-statsig';

const SPECS = join(FIXTURES, 'example-dcs.json');
const u1 = {
  userID: 'user-1',
  email: 'alice@example.com',
  ip: '8.8.8.8',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  locale: 'en_US',
  appVersion: '2.4.1',
  custom: { level: 12, tags: ['beta'], plan: 'team', verified: true, roles: ['editor', 'viewer'], age: 30, score: '50', signupTime: 1700000000 },
  privateAttributes: { secret_note: 'do not log' },
  customIDs: { companyID: 'acme', stableID: 'device-123' },
};

/** A sink that keeps what it gets, for asserting on events without a network. */
function memorySink(): EventSink & { events: StatsigEvent[] } {
  const events: StatsigEvent[] = [];
  return { name: 'memory', events, send: async (batch) => void events.push(...batch) };
}

function local(extra: ConstructorParameters<typeof Statsig>[1] = {}) {
  const sink = memorySink();
  const statsig = new Statsig(SECRET, { localMode: true, specsFile: SPECS, eventSinks: [sink], logger: silentLogger, ...extra });
  return { statsig, sink };
}

test('local mode opens no connection at all, even with every URL pointed at a live server', async () => {
  const fake = await new FakeStatsig().start();
  try {
    const statsig = new Statsig(SECRET, {
      localMode: true,
      specsFile: SPECS,
      api: fake.api,
      apiForDownloadConfigSpecs: fake.api,
      apiForGetIdLists: fake.api,
      apiForLogEvent: fake.api,
      rulesetsSyncIntervalMs: 50,
      idListsSyncIntervalMs: 50,
      flushIntervalMs: 10,
      eventLogFile: join(tmpdir(), `fl-local-mode-${process.pid}`, 'events.jsonl'),
      logger: silentLogger,
    });
    const init = await statsig.initialize();
    assert.equal(init.source, 'file');
    assert.equal(statsig.checkGate(u1, 'public_gate'), true);
    statsig.logEvent(u1, 'purchase', 9.99, { sku: 'a' });
    await statsig.flush(2_000);
    await new Promise((r) => setTimeout(r, 120)); // a few sync intervals pass
    await statsig.shutdown(2_000);
    assert.equal(fake.connections, 0);
    assert.equal(fake.requests.length, 0);
  } finally {
    await fake.close();
  }
});

test('local mode without specs: defaults plus overrides', async () => {
  const statsig = new Statsig(SECRET, { localMode: true, eventSinks: [], logger: silentLogger });
  await statsig.initialize();
  assert.equal(statsig.isInitialized(), true);
  assert.equal(statsig.getFeatureGate(u1, 'public_gate').details.reason, 'Uninitialized');
  statsig.overrideGate('public_gate', true);
  const g = statsig.getFeatureGate(u1, 'public_gate');
  assert.equal(g.value, true);
  assert.equal(g.details.reason, 'LocalOverride');
  await statsig.shutdown();
});

test('exposures match statsig-node: metadata, secondary exposures, user without private attributes', async () => {
  const { statsig, sink } = local();
  await statsig.initialize();
  assert.equal(statsig.checkGate(u1, 'new_checkout_gate'), true);
  assert.equal(statsig.getExperiment(u1, 'checkout_experiment').groupName, 'Control');
  statsig.logEvent(u1, 'purchase', 12, { sku: 'abc' });
  await statsig.shutdown(2_000);
  const [gate, config, custom] = sink.events;
  assert.equal(gate!.eventName, 'statsig::gate_exposure');
  const gm = gate!.metadata as Record<string, unknown>;
  assert.equal(gm.gate, 'new_checkout_gate');
  assert.equal(gm.gateValue, 'true');
  assert.equal(gm.ruleID, 'EmN8oP1qR4sT7uV0wX3yZ6');
  assert.equal(typeof gm.configVersion, 'string');
  assert.equal(gm.configSyncTime, EXAMPLE_TIME);
  assert.equal(gm.initTime, EXAMPLE_TIME);
  assert.equal(typeof gm.serverTime, 'number');
  assert.equal(gm.isManualExposure, undefined);
  assert.deepEqual(gate!.secondaryExposures, [{ gate: 'employee_gate', gateValue: 'true', ruleID: '1kNmlB23wylPFZi1M0Divl:100.00:1' }]);
  assert.equal(gate!.value, null);
  assert.equal(gate!.user!.privateAttributes, null);
  assert.deepEqual(gate!.user!.statsigEnvironment, { tier: 'production' });

  assert.equal(config!.eventName, 'statsig::config_exposure');
  const cm = config!.metadata as Record<string, unknown>;
  assert.equal(cm.config, 'checkout_experiment');
  assert.match(String(cm.ruleID), /^YgH8/);
  assert.equal(cm.rulePassed, 'true');
  assert.equal(config!.secondaryExposures!.length, 2);

  assert.equal(custom!.eventName, 'purchase');
  assert.equal(custom!.value, 12);
  assert.deepEqual(custom!.metadata, { sku: 'abc' });
  assert.ok(!JSON.stringify(sink.events).includes('do not log'), 'private attributes never leave the process');
});

test('a prepared user (prepareUser) is taken by every check, snapshot, bootstrap and event, with the results and events of the plain object', async () => {
  const run = async (user: object) => {
    const { statsig, sink } = local();
    await statsig.initialize();
    const u = user as typeof u1;
    const seen = {
      gate: statsig.getFeatureGate(u, 'new_checkout_gate'),
      check: statsig.checkGate(u, 'employee_gate'),
      config: statsig.getConfig(u, 'pricing_config').value,
      experiment: statsig.getExperiment(u, 'checkout_experiment').groupName,
      layer: statsig.getLayer(u, 'search_layer').get('ranker', ''),
      quiet: statsig.getFeatureGateWithExposureLoggingDisabled(u, 'public_gate').value,
      snapshot: statsig.evaluateAll(u).checkGate('new_checkout_gate'),
      cir: statsig.getClientInitializeResponseJSON(u, { hash: 'none' }),
      logged: statsig.logEvent(u, 'purchase', 12, { sku: 'abc' }),
    };
    statsig.manuallyLogGateExposure(u, 'public_gate');
    const health = statsig.health().counters.evaluations;
    await statsig.shutdown(2_000);
    // the same events, but for the time each was made
    const events = sink.events.map((e) => ({ ...e, time: 0, metadata: { ...(e.metadata as object), serverTime: 0 } }));
    return { seen: { ...seen, gate: { ...seen.gate, details: { ...seen.gate.details, receivedAt: 0 } } }, events, health };
  };
  const plain = await run(u1);
  const prepared = await run(prepareUser(u1));
  assert.equal(plain.seen.gate.details.reason, 'Bootstrap');
  assert.equal(plain.health.errors, 0);
  assert.deepEqual(prepared, plain);
  assert.ok(plain.events.length >= 5, `events: ${plain.events.length}`);
});

test('layer exposures: only on get/getValue of a parameter that exists, explicit vs undelegated', async () => {
  const { statsig, sink } = local();
  await statsig.initialize();
  const layer = statsig.getLayer(u1, 'search_layer');
  assert.equal(sink.events.length + statsig.health().counters.events.buffered, 0, 'getLayer alone logs nothing');
  assert.equal(layer.get('missing_param', 'd'), 'd');
  assert.equal(layer.get('ranker', 123), 123, 'a default of another type is returned and nothing logged');
  assert.equal(layer.get('ranker', 'x'), 'neural');
  assert.equal(layer.get('page_size', 0), 20);
  assert.equal(layer.getValue('show_snippets'), false);
  await statsig.flush(2_000);
  assert.equal(sink.events.length, 3);
  const [ranker, pageSize] = sink.events.map((e) => e.metadata as Record<string, string>);
  assert.equal(sink.events[0]!.eventName, 'statsig::layer_exposure');
  assert.equal(ranker!.config, 'search_layer');
  assert.equal(ranker!.parameterName, 'ranker');
  assert.equal(ranker!.isExplicitParameter, 'true');
  assert.equal(ranker!.allocatedExperiment, 'search_experiment');
  assert.equal(pageSize!.isExplicitParameter, 'false');
  assert.equal(pageSize!.allocatedExperiment, '');
  await statsig.shutdown();
});

test('repeated checks log one exposure (deduplicated); *WithExposureLoggingDisabled logs none; manual exposures are flagged', async () => {
  const { statsig, sink } = local();
  await statsig.initialize();
  for (let i = 0; i < 5; i++) statsig.checkGate(u1, 'public_gate');
  statsig.getFeatureGateWithExposureLoggingDisabled(u1, 'employee_gate');
  statsig.getConfigWithExposureLoggingDisabled(u1, 'pricing_config');
  statsig.manuallyLogGateExposure(u1, 'employee_gate');
  statsig.manuallyLogLayerParameterExposure(u1, 'search_layer', 'ranker');
  statsig.manuallyLogLayerParameterExposure(u1, 'search_layer', 'nope');
  await statsig.flush(2_000);
  assert.deepEqual(
    sink.events.map((e) => [e.eventName, (e.metadata as Record<string, string>).isManualExposure]),
    [
      ['statsig::gate_exposure', undefined],
      ['statsig::gate_exposure', 'true'],
      ['statsig::layer_exposure', 'true'],
    ],
  );
  assert.equal(statsig.health().counters.events.deduped, 4);
  await statsig.shutdown();
});

test('bad arguments never throw from a check: default value, reason Error, recorded in health', async () => {
  const { statsig, sink } = local();
  await statsig.initialize();
  const bad: unknown[] = [null, undefined, 'user-1', 42, [], {}, { email: 'no-ids@example.com' }];
  for (const user of bad) {
    const gate = statsig.getFeatureGate(user as never, 'public_gate');
    assert.equal(gate.value, false);
    assert.equal(gate.details.reason, 'Error');
    assert.equal(statsig.getConfig(user as never, 'pricing_config').get('currency', 'EUR'), 'EUR');
    assert.equal(statsig.getLayer(user as never, 'search_layer').get('ranker', 'classic'), 'classic');
  }
  assert.equal(statsig.getFeatureGate(u1, '' as never).details.reason, 'Error');
  assert.equal(statsig.checkGate(u1, 7 as never), false);
  const h = statsig.health();
  assert.equal(h.counters.evaluations.errors, bad.length * 3 + 2);
  assert.equal(h.lastError!.code, 'FL_ERR_INVALID_ARGUMENT');
  assert.equal(statsig.logEvent(u1, '' as never), false);
  assert.equal(statsig.logEvent(u1, 'ok', { no: 'objects' } as never), false);
  await statsig.flush(1_000);
  assert.equal(sink.events.length, 0, 'errors log no exposure');
  // setup calls fail loudly instead
  assert.throws(() => statsig.overrideGate('', true), InvalidArgumentError);
  assert.throws(() => statsig.overrideGate('g', 'yes' as never), /needs a boolean/);
  assert.throws(() => statsig.overrideConfig('c', [] as never), /plain object/);
  await statsig.shutdown();
});

test('bad options fail at construction and at the default instance’s initialize, naming the option', async () => {
  assert.throws(() => new Statsig(SECRET, { initTimeoutMs: -1 }), /option "initTimeoutMs" must be >= 0 \(got -1\)/);
  assert.throws(() => new Statsig(undefined as never), InvalidOptionError);
  assert.throws(() => firstlight.initialize(SECRET, { eventQueueSize: 'big' as never }), /option "eventQueueSize"/);
  // and the default instance still answers defaults
  assert.equal(firstlight.getFeatureGate(u1, 'public_gate').details.reason, 'Uninitialized');
});

test('overrides: userID, then custom IDs, then everyone; removal of one or all', async () => {
  const { statsig } = local();
  await statsig.initialize();
  statsig.overrideGate('employee_gate', false); // everyone
  statsig.overrideGate('employee_gate', true, 'acme'); // a customID value
  assert.equal(statsig.checkGate(u1, 'employee_gate'), true, 'custom ID beats everyone');
  statsig.overrideGate('employee_gate', false, 'user-1');
  assert.equal(statsig.checkGate(u1, 'employee_gate'), false, 'userID beats custom IDs');
  assert.equal(statsig.getFeatureGate({ userID: 'other' }, 'employee_gate').details.reason, 'LocalOverride');
  statsig.removeGateOverride('employee_gate', 'user-1');
  assert.equal(statsig.checkGate(u1, 'employee_gate'), true);
  statsig.removeGateOverride('employee_gate');
  assert.equal(statsig.getFeatureGate(u1, 'employee_gate').details.reason, 'Bootstrap');

  statsig.overrideConfig('pricing_config', { currency: 'JPY' }, 'user-1');
  statsig.overrideExperiment('checkout_experiment', { variant: 'forced' });
  statsig.overrideLayer('search_layer', { ranker: 'override' });
  assert.equal(statsig.getConfig(u1, 'pricing_config').get('currency', ''), 'JPY');
  assert.equal(statsig.getExperiment(u1, 'checkout_experiment').get('variant', ''), 'forced');
  assert.equal(statsig.getLayer(u1, 'search_layer').get('ranker', ''), 'override');
  // the nested pass_gate of new_checkout_gate sees gate overrides too
  statsig.overrideGate('employee_gate', false);
  assert.equal(statsig.checkGate(u1, 'new_checkout_gate'), false);

  const plain = statsig.getClientInitializeResponse(u1, { hash: 'none' }) as { feature_gates: Record<string, { value: boolean }> };
  const withOverrides = statsig.getClientInitializeResponse(u1, { hash: 'none', includeLocalOverrides: true }) as typeof plain;
  assert.equal(plain.feature_gates.employee_gate!.value, true);
  assert.equal(withOverrides.feature_gates.employee_gate!.value, false);

  statsig.removeAllOverrides();
  assert.equal(statsig.getConfig(u1, 'pricing_config').details.reason, 'Bootstrap');
  await statsig.shutdown();
});

test('ID lists sync from the API and feed segments; removals apply', async () => {
  const fake = await new FakeStatsig().start();
  // blocked-user-1 hashes to uqA1R8xi (statsig-eval.md §13.2)
  fake.idListFiles.set('blocked_users_list', { fileID: 'file-1', creationTime: 1, content: '+uqA1R8xi\n' });
  const statsig = new Statsig(SECRET, {
    api: fake.api,
    apiForDownloadConfigSpecs: fake.api,
    rulesetsSyncIntervalMs: 600_000,
    idListsSyncIntervalMs: 600_000,
    eventSinks: [],
    logger: silentLogger,
  });
  try {
    await statsig.initialize();
    const u2 = { userID: 'blocked-user-1' };
    assert.equal(statsig.checkGate(u2, 'segment:blocked_users'), true);
    assert.equal(statsig.checkGate(u1, 'segment:blocked_users'), false);
    fake.idListFiles.get('blocked_users_list')!.content += '-uqA1R8xi\n';
    await statsig.syncNow();
    assert.equal(statsig.checkGate(u2, 'segment:blocked_users'), false);
    assert.equal(statsig.health().counters.idLists!.lists, 1);
  } finally {
    await statsig.shutdown(1_000);
    await fake.close();
  }
});

test('several instances in one process keep their own specs, overrides and events', async () => {
  const a = local();
  const b = local();
  await Promise.all([a.statsig.initialize(), b.statsig.initialize()]);
  a.statsig.overrideGate('public_gate', false);
  assert.equal(a.statsig.checkGate(u1, 'public_gate'), false);
  assert.equal(b.statsig.checkGate(u1, 'public_gate'), true);
  await Promise.all([a.statsig.shutdown(), b.statsig.shutdown()]);
  assert.equal(a.sink.events.length, 1);
  assert.equal(b.sink.events.length, 1);
  assert.equal((a.sink.events[0]!.metadata as Record<string, string>).reason, 'LocalOverride');
});

test('flushAfter gives Next.js after() a function that delivers the queued events', async () => {
  const { statsig, sink } = local({ flushIntervalMs: 60_000 });
  await statsig.initialize();
  statsig.logEvent(u1, 'clicked');
  const task = flushAfter(statsig);
  assert.equal(sink.events.length, 0);
  await task();
  assert.equal(sink.events.length, 1);
  await statsig.shutdown();
});

test('browser events relayed through ingestClientEvents lose private attributes and keep the rest', async () => {
  const { statsig, sink } = local();
  const n = statsig.ingestClientEvents(
    [
      { eventName: 'statsig::gate_exposure', user: { userID: 'u', privateAttributes: { ssn: '123' } }, metadata: { gate: 'g' }, time: 5 },
      { nope: true },
      'junk',
    ],
    { clientKey: 'client-key-web', sdkType: 'javascript-client' },
  );
  assert.deepEqual(n, { ok: true, queued: 1 });
  await statsig.shutdown(1_000);
  assert.equal(sink.events.length, 1);
  assert.equal(sink.events[0]!.user!.privateAttributes, null);
  assert.equal(sink.events[0]!.time, 5);
  assert.equal((sink.events[0]!.statsigMetadata as Record<string, string>).clientKey, 'client-key-web');
});

test('typed getters: the result has the type of the default, and a value of another type yields the default', async () => {
  const { statsig } = local();
  await statsig.initialize();
  const pricing = statsig.getConfig(u1, 'pricing_config');
  const currency: string = pricing.get('currency', 'EUR');
  const price: number = pricing.get('price', 0);
  const wrongType: number = pricing.get('currency', 0);
  const tags: string[] = statsig.getLayer(u1, 'search_layer').get('missing', ['a']);
  const whole = pricing.getValue();
  assert.equal(currency, 'USD');
  assert.equal(price, 9.99);
  assert.equal(wrongType, 0);
  assert.deepEqual(tags, ['a']);
  assert.equal(whole.currency, 'USD');
  assert.ok(Object.isFrozen(pricing));
  await statsig.shutdown();
});

test('users and metadata JSON cannot copy (BigInt, cycles) neither throw from checks nor poison a batch', async () => {
  const { statsig, sink } = local();
  await statsig.initialize();
  const cycle: Record<string, unknown> = { a: 1 };
  cycle['self'] = cycle;
  const odd = [
    { userID: 'big-1', custom: { n: 10n } },
    { userID: 'cyc-1', custom: { c: cycle } },
  ] as never[];
  for (const u of odd) {
    assert.doesNotThrow(() => statsig.checkGate(u, 'public_gate'));
    assert.equal(statsig.checkGate(u, 'public_gate'), true);
    assert.equal(statsig.logEvent(u, 'purchase', 1, { sku: 'a' }), true);
  }
  assert.equal(statsig.logEvent(u1, 'purchase', 2, { big: 5n, nested: cycle } as never), true);
  const r = await statsig.flush(2_000);
  assert.deepEqual(r, { complete: true, pending: 0 });
  const byUser = (id: string) => sink.events.filter((e) => e.user?.userID === id);
  assert.deepEqual(byUser('big-1').map((e) => e.eventName), ['statsig::gate_exposure', 'purchase']);
  assert.equal((byUser('big-1')[0]!.user!.custom as { n: unknown }).n, '10');
  assert.deepEqual(byUser('cyc-1')[0]!.user!.custom, { c: { a: 1 } });
  const custom = sink.events.find((e) => e.eventName === 'purchase' && e.value === 2)!;
  assert.deepEqual(custom.metadata, { big: '5', nested: { a: 1 } });
  // everything in the batch is plain JSON now
  assert.doesNotThrow(() => JSON.stringify(sink.events));
  await statsig.shutdown();
});
