/**
 * The OpenFeature providers against the OpenFeature specification's provider and evaluation
 * requirements (numbers as in https://openfeature.dev/specification), and against Firstlight itself:
 * through @openfeature/server-sdk and @openfeature/web-sdk (the web provider on a @statsig/js-client
 * bootstrapped from Firstlight's payload), every gate, config, experiment, layer and parameter of the
 * example fixture, for every fixture user, has the value Firstlight's own API gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { OpenFeature, type Hook, type EvaluationContext } from '@openfeature/server-sdk';
import { OpenFeature as WebOpenFeature } from '@openfeature/web-sdk';
import { LogLevel, StatsigClient } from '@statsig/js-client';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import type { StatsigEvent } from '../../server/events/event';
import { FirstlightServerProvider } from '../../server/openfeature/server-provider';
import { FirstlightWebProvider } from '../../server/openfeature/web-provider';
import { FIXTURE_DCS_FILE, FIXTURE_SECRET, fixtureDcsJson, fixtureUsers } from '../support/fixtures';

const DCS = JSON.parse(fixtureDcsJson()) as { feature_gates: { name: string }[]; dynamic_configs: { name: string }[]; layer_configs: { name: string }[] };
const GATES = DCS.feature_gates.map((g) => g.name);
const OBJECTS = [...DCS.dynamic_configs, ...DCS.layer_configs].map((c) => c.name);
const CLIENT_KEY = 'client-openfeature-test';

async function setup(domain: string, hooks: Hook[] = []) {
  const events: StatsigEvent[] = [];
  const statsig = new Statsig(FIXTURE_SECRET, { localMode: true, specsFile: FIXTURE_DCS_FILE, eventSinks: [{ name: 'memory', send: async (b) => void events.push(...b) }], logger: silentLogger });
  const provider = new FirstlightServerProvider({ statsig, hooks });
  await OpenFeature.setProviderAndWait(domain, provider);
  return {
    statsig,
    provider,
    client: OpenFeature.getClient(domain),
    async exposures() {
      await statsig.flush(2_000);
      const out = events.map((e) => {
        const m = e.metadata as Record<string, string>;
        return `${e.eventName}:${m.gate ?? m.config}${m.parameterName ? '.' + m.parameterName : ''}`;
      });
      events.length = 0;
      return out;
    },
  };
}

/** A fixture user as an OpenFeature context: targetingKey is the userID, the rest as attributes. */
function contextOf(user: Record<string, unknown>): EvaluationContext {
  const { userID, ...rest } = user;
  return { ...(userID !== undefined ? { targetingKey: String(userID) } : {}), ...(rest as EvaluationContext) };
}

type Kind = 'boolean' | 'string' | 'number' | 'object';
function kindOf(v: unknown): Kind | null {
  return typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number' ? (typeof v as Kind) : typeof v === 'object' && v !== null ? 'object' : null;
}
const DEFAULTS: Record<Kind, unknown> = { boolean: false, string: '', number: 0, object: {} };

interface DetailsClient {
  getBooleanDetails(k: string, d: boolean, c?: EvaluationContext): unknown;
  getStringDetails(k: string, d: string, c?: EvaluationContext): unknown;
  getNumberDetails(k: string, d: number, c?: EvaluationContext): unknown;
  getObjectDetails(k: string, d: object, c?: EvaluationContext): unknown;
}
async function details(client: DetailsClient, kind: Kind, key: string, ctx?: EvaluationContext) {
  const d = kind === 'boolean' ? client.getBooleanDetails(key, false, ctx) : kind === 'string' ? client.getStringDetails(key, '', ctx) : kind === 'number' ? client.getNumberDetails(key, 0, ctx) : client.getObjectDetails(key, {}, ctx);
  return (await d) as { value: unknown; reason?: string; variant?: string; errorCode?: string; errorMessage?: string; flagMetadata: Record<string, unknown> };
}

/** Every config, experiment and layer of the fixture, whole and per parameter: OpenFeature's value == Firstlight's. */
async function compareObjects(own: ReturnType<Statsig['evaluateAll']>, client: DetailsClient, ctx?: EvaluationContext): Promise<number> {
  let checked = 0;
  for (const name of OBJECTS) {
    const mine = own.peekExperiment(name).details.reason !== 'Unrecognized' ? own.peekExperiment(name) : own.peekLayer(name);
    const d = await details(client, 'object', name, ctx);
    assert.equal(d.errorCode, undefined, `${name}: ${d.errorMessage}`);
    assert.deepEqual(d.value, mine.value, name);
    checked++;
    for (const [param, v] of Object.entries(mine.value)) {
      const kind = kindOf(v);
      if (kind === null) continue;
      const p = await details(client, kind, `${name}.${param}`, ctx);
      assert.equal(p.errorCode, undefined, `${name}.${param}: ${p.errorMessage}`);
      assert.ok(isDeepStrictEqual(p.value, v), `${name}.${param}`);
      checked++;
    }
  }
  return checked;
}

test('2.1.1 metadata names the provider; both providers declare where they run', async () => {
  const { provider } = await setup('meta');
  assert.equal(provider.metadata.name, 'firstlight');
  assert.equal(provider.runsOn, 'server');
  assert.equal(OpenFeature.getClient('meta').metadata.providerMetadata.name, 'firstlight');
  assert.throws(() => new FirstlightServerProvider({} as never), /needs \{ statsig \}/);
  assert.throws(() => new FirstlightWebProvider({} as never), /needs \{ client \}/);
});

test('2.2.3, 2.2.6, 2.3.2 server: every entity and parameter of the fixture, for every fixture user, equals Firstlight\'s own evaluation (no error code or message)', async () => {
  const { statsig, client } = await setup('values');
  let checked = 0;
  for (const user of fixtureUsers()) {
    const own = statsig.evaluateAll(user);
    const ctx = contextOf(user);
    for (const gate of GATES) {
      const d = await details(client, 'boolean', gate, ctx);
      assert.equal(d.errorCode, undefined, `${gate}: ${d.errorMessage}`);
      assert.equal(d.errorMessage, undefined);
      assert.equal(d.value, own.peekGate(gate).value, gate);
      assert.ok(Object.values(d.flagMetadata).every((v) => ['string', 'number', 'boolean'].includes(typeof v)), '2.2.10');
      assert.equal(d.flagMetadata.ruleID, own.peekGate(gate).ruleID, gate);
      checked++;
    }
    checked += await compareObjects(own, client, ctx);
  }
  assert.ok(checked > 150, `${checked} values compared`);
  console.log(`server provider: ${checked} values equal to Firstlight's evaluation (${fixtureUsers().length} users)`);
});

test('2.2.4, 2.2.5, 2.2.9: variant, reason and flag metadata say how the value came about', async () => {
  const { client, statsig } = await setup('reasons');
  const user1 = contextOf(fixtureUsers()[0]!);
  const exp = await details(client, 'object', 'checkout_experiment', user1);
  const own = statsig.evaluateAll(fixtureUsers()[0]!).peekExperiment('checkout_experiment');
  assert.equal(exp.variant, own.groupName);
  assert.equal(exp.reason, own.isUserInExperiment ? 'SPLIT' : 'TARGETING_MATCH');
  assert.deepEqual({ ...exp.flagMetadata }, { kind: 'experiment', entity: 'checkout_experiment', ruleID: own.ruleID, statsigReason: own.details.reason, groupName: own.groupName!, idType: own.idType! });
  assert.equal((await details(client, 'boolean', 'employee_gate', user1)).reason, 'TARGETING_MATCH');
  assert.equal((await details(client, 'boolean', 'staging_only_gate', user1)).reason, 'DEFAULT');
  assert.equal((await details(client, 'boolean', 'disabled_gate', user1)).reason, 'DISABLED');
  assert.equal((await details(client, 'boolean', 'unsupported_condition_gate', user1)).reason, 'UNKNOWN');
  statsig.overrideGate('staging_only_gate', true);
  const forced = await details(client, 'boolean', 'staging_only_gate', user1);
  assert.equal(forced.value, true);
  assert.equal(forced.reason, 'STATIC');
});

test('2.2.7, 2.3.3: unknown keys, wrong types and bad keys give the default with FLAG_NOT_FOUND / TYPE_MISMATCH / GENERAL, log no exposure, and run error hooks', async () => {
  const seen: string[] = [];
  const hook: Hook = { error: (_ctx, err) => void seen.push(`provider:${(err as { code?: string }).code}`) };
  const { client, exposures } = await setup('errors', [hook]);
  client.addHooks({ error: (_ctx, err) => void seen.push(`client:${(err as { code?: string }).code}`) });
  const ctx = contextOf(fixtureUsers()[0]!);
  await exposures();
  const cases: [Kind, string, string][] = [
    ['boolean', 'no_such_gate', 'FLAG_NOT_FOUND'],
    ['object', 'no_such_config', 'FLAG_NOT_FOUND'],
    ['string', 'pricing_config.no_such_param', 'FLAG_NOT_FOUND'],
    ['string', 'no_such_config.currency', 'FLAG_NOT_FOUND'],
    ['string', 'employee_gate', 'TYPE_MISMATCH'],
    ['number', 'pricing_config', 'TYPE_MISMATCH'],
    ['number', 'pricing_config.currency', 'TYPE_MISMATCH'],
    ['boolean', 'search_layer.ranker', 'TYPE_MISMATCH'],
    ['string', '', 'GENERAL'],
  ];
  for (const [kind, key, code] of cases) {
    const d = await details(client, kind, key, ctx);
    assert.equal(d.errorCode, code, `${kind} ${key}`);
    assert.equal(d.reason, 'ERROR', `${kind} ${key}`);
    assert.deepEqual(d.value, DEFAULTS[kind], `${kind} ${key}: the default comes back`);
    assert.ok(d.errorMessage && d.errorMessage.length > 0);
  }
  assert.deepEqual(await exposures(), [], 'a failed evaluation logs no exposure');
  assert.equal(seen.filter((s) => s.startsWith('provider:')).length, cases.length);
  assert.equal(seen.filter((s) => s.startsWith('client:')).length, cases.length);
  // 4.4.2: error hooks run provider first, then client
  assert.deepEqual(seen.slice(0, 2), ['provider:FLAG_NOT_FOUND', 'client:FLAG_NOT_FOUND']);
});

test('2.3.1 (order as in 4.4.2): provider hooks run around each evaluation, after the client\'s before hooks and before its after hooks', async () => {
  const order: string[] = [];
  const hook: Hook = { before: () => void order.push('provider.before'), after: () => void order.push('provider.after'), finally: () => void order.push('provider.finally') };
  const { client } = await setup('hooks', [hook]);
  client.addHooks({ before: () => void order.push('client.before'), after: () => void order.push('client.after'), finally: () => void order.push('client.finally') });
  assert.equal(await client.getBooleanValue('public_gate', false, { targetingKey: 'u' }), true);
  assert.deepEqual(order, ['client.before', 'provider.before', 'provider.after', 'client.after', 'provider.finally', 'client.finally']);
});

test('each successful evaluation logs the exposure Firstlight\'s own read logs (deduped), a layer per parameter', async () => {
  const { client, exposures } = await setup('exposures');
  const ctx = { targetingKey: 'user-exposures' };
  await client.getBooleanValue('public_gate', false, ctx);
  await client.getBooleanValue('public_gate', false, ctx);
  await client.getStringValue('checkout_experiment.button_color', '', ctx);
  await client.getStringValue('search_layer.ranker', '', ctx);
  assert.deepEqual(await exposures(), ['statsig::gate_exposure:public_gate', 'statsig::config_exposure:checkout_experiment', 'statsig::layer_exposure:search_layer.ranker']);
});

test('web: a js-client bootstrapped from Firstlight\'s payload is ready at once and gives the same values as Firstlight, for every entity × user', async () => {
  const { statsig } = await setup('web-source');
  let checked = 0;
  for (const [i, user] of fixtureUsers().entries()) {
    const own = statsig.evaluateAll(user, { clientKey: CLIENT_KEY });
    const bootstrap = own.toClientInitializeResponseJSON({ hash: 'djb2' })!;
    const cirUser = (JSON.parse(bootstrap) as { user: Record<string, unknown> }).user;
    const js = new StatsigClient(CLIENT_KEY, cirUser, { networkConfig: { api: 'http://127.0.0.1:9/v1', preventAllNetworkTraffic: true }, loggingEnabled: 'disabled', disableStorage: true, logLevel: LogLevel.None });
    js.dataAdapter.setData(bootstrap);
    js.initializeSync();
    const domain = `web-${i}`;
    WebOpenFeature.setProvider(domain, new FirstlightWebProvider({ client: js }));
    const client = WebOpenFeature.getClient(domain);
    assert.equal(client.providerStatus, 'READY', 'ready synchronously: no initialize, nothing to wait for');
    for (const gate of GATES) {
      if (own.peekGate(gate).details.reason === 'Unrecognized') continue;
      const inPayload = js.getFeatureGate(gate, { disableExposureLog: true }).details.reason.includes('Recognized') && !js.getFeatureGate(gate, { disableExposureLog: true }).details.reason.includes('Unrecognized');
      const d = client.getBooleanDetails(gate, false);
      if (!inPayload) {
        // segments and holdouts are not in a bootstrap
        assert.equal(d.errorCode, 'FLAG_NOT_FOUND', gate);
        continue;
      }
      assert.equal(d.errorCode, undefined, `${gate}: ${d.errorMessage}`);
      assert.equal(d.value, own.peekGate(gate).value, gate);
      checked++;
    }
    checked += await compareObjects(own, client as unknown as DetailsClient);
    assert.equal(client.getStringDetails('employee_gate', 'x').errorCode, 'TYPE_MISMATCH');
    assert.equal(client.getBooleanDetails('no_such_gate', true).errorCode, 'FLAG_NOT_FOUND');
    assert.equal(client.getBooleanDetails('no_such_gate', true).value, true);
    js.shutdown().catch(() => {});
  }
  assert.ok(checked > 100, `${checked} values compared`);
  console.log(`web provider: ${checked} values equal to Firstlight's evaluation (${fixtureUsers().length} users)`);
});

test('2.4.2.1: an initialize that cannot load specs terminates abnormally; evaluations then give the default with an error code', async () => {
  const statsig = new Statsig(FIXTURE_SECRET, { localMode: true, specsFile: '/nonexistent/dcs.json', eventSinks: [], logger: silentLogger });
  const provider = new FirstlightServerProvider({ statsig });
  await assert.rejects(OpenFeature.setProviderAndWait('not-ready', provider), (e: Error & { code?: string }) => e.code === 'PROVIDER_NOT_READY' && !e.message.includes('/nonexistent'));
  const client = OpenFeature.getClient('not-ready');
  assert.equal(client.providerStatus, 'ERROR');
  const d = await client.getBooleanDetails('public_gate', true, { targetingKey: 'u' });
  assert.equal(d.value, true);
  assert.equal(d.reason, 'ERROR');
  assert.equal(d.errorCode, 'PROVIDER_NOT_READY');
  await statsig.shutdown();
});
