/**
 * The bootstrap as @statsig/js-client reads it: for every generated user, a StatsigClient built
 * with `cir.user`, `dataAdapter.setData(cir)` and `initializeSync()` reports Bootstrap:Recognized
 * and the same values Firstlight computed (evaluateAll with the same client key) for every gate,
 * config, experiment and layer parameter in the payload, for both payload formats (v1 and init-v2).
 * Runs in Node with all network blocked.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { LogLevel, StatsigClient } from '@statsig/js-client';
import { clientInitializeResponseJSON, djb2, evaluateAll, parseSpecs, type PayloadFormat, type Specs } from '../../lib/index';
import { fixtureDcsJson, fixtureIdLists, fixtureUsers, FIXTURE_SECRET } from '../support/fixtures';
import { CLIENT_KEYS, generateDcs } from '../../bin/generate/generate-dcs';
import { edgeUsers, generateUsers } from '../../bin/generate/generate-users';

const CLIENT_OPTIONS = {
  networkConfig: { api: 'http://127.0.0.1:9/v1', preventAllNetworkTraffic: true },
  loggingEnabled: 'disabled' as const,
  disableStorage: true,
  logLevel: LogLevel.None,
};

const FORMATS: PayloadFormat[] = ['v1', 'init-v2'];
const counts = { users: 0, gates: 0, configs: 0, experiments: 0, layerParams: 0 };
after(() => {
  console.log(
    `js-client bootstrap (v1 and init-v2): ${counts.users} payloads; ${counts.gates} gates, ${counts.configs} configs, ${counts.experiments} experiments, ${counts.layerParams} layer parameters checked (reason Bootstrap:Recognized, same values)`,
  );
});

interface RawSpec {
  name: string;
  entity?: string;
  defaultValue?: unknown;
}

function check(label: string, specs: Specs, dcs: { dynamic_configs: readonly RawSpec[]; layer_configs: readonly RawSpec[]; layers?: Record<string, string[]> }, users: readonly object[], clientKeyFor: (i: number) => string | undefined): void {
  for (const format of FORMATS) checkFormat(`${label} ${format}`, format, specs, dcs, users, clientKeyFor);
}

function checkFormat(label: string, format: PayloadFormat, specs: Specs, dcs: { dynamic_configs: readonly RawSpec[]; layer_configs: readonly RawSpec[]; layers?: Record<string, string[]> }, users: readonly object[], clientKeyFor: (i: number) => string | undefined): void {
  const entityOf = new Map(dcs.dynamic_configs.map((s) => [s.name, s.entity ?? 'dynamic_config']));
  const layerDefaultOfExperiment = new Map<string, object>();
  for (const [layer, exps] of Object.entries(dcs.layers ?? {})) {
    const def = (dcs.layer_configs.find((l) => l.name === layer)?.defaultValue ?? {}) as object;
    for (const e of exps) layerDefaultOfExperiment.set(e, def);
  }
  // init-v2 leaves rule "default" out (as statsig-node-core does); js-client then reports "" for
  // configs, experiments and layers (gates it reads back as "default")
  const rid = (ruleID: string) => (format === 'init-v2' && ruleID === 'default' ? '' : ruleID);
  const problems: string[] = [];
  const userText = new Map<string, string>();
  const note = (msg: string) => {
    if (problems.length < 10) problems.push(msg);
  };
  users.forEach((user, i) => {
    const clientKey = clientKeyFor(i);
    const json = clientInitializeResponseJSON(specs, user, { hash: 'djb2', clientKey, format });
    const cir = JSON.parse(json) as { user: Record<string, unknown>; feature_gates: Record<string, unknown>; dynamic_configs: Record<string, unknown>; layer_configs: Record<string, unknown> };
    const ev = evaluateAll(specs, user, { clientKey });
    // one SDK key per page (the client keeps its stableID per SDK key, process-wide)
    // A user without a stableID must not get a generated one (it would not match the bootstrap's user).
    const hasStableID = typeof (cir.user.customIDs as Record<string, unknown> | undefined)?.stableID === 'string';
    if (format === 'init-v2' && (cir as { response_format?: unknown }).response_format !== 'init-v2') note(`${label} user#${i}: not an init-v2 payload`);
    const client = new StatsigClient(`${clientKey ?? 'client-no-key'}#${label}#${i}`, cir.user as never, { ...CLIENT_OPTIONS, disableStableID: !hasStableID });
    client.dataAdapter.setData(json);
    const init = client.initializeSync();
    const where = `${label} user#${i} key=${clientKey ?? '(none)'}`;
    if (!userText.has(where)) userText.set(where, JSON.stringify(user));
    if (init.source !== 'Bootstrap') note(`${where}: initializeSync source ${init.source}`);
    counts.users++;
    for (const name of specs.gates.keys()) {
      if (!(djb2(name) in cir.feature_gates)) continue;
      const g = client.getFeatureGate(name);
      const fl = ev.getFeatureGate(name);
      counts.gates++;
      if (g.details.reason !== 'Bootstrap:Recognized') note(`${where}: gate ${name} reason ${g.details.reason}`);
      if (g.value !== fl.value || g.ruleID !== fl.ruleID) note(`${where}: gate ${name} client ${g.value}/${g.ruleID} firstlight ${fl.value}/${fl.ruleID}`);
    }
    for (const name of specs.configs.keys()) {
      if (!(djb2(name) in cir.dynamic_configs)) continue;
      if (entityOf.get(name) === 'experiment') {
        const e = client.getExperiment(name);
        const fl = ev.getExperiment(name);
        counts.experiments++;
        const layerDefault = layerDefaultOfExperiment.get(name);
        const expected = layerDefault ? { ...layerDefault, ...fl.value } : fl.value;
        if (e.details.reason !== 'Bootstrap:Recognized') note(`${where}: experiment ${name} reason ${e.details.reason}`);
        if (!isDeepStrictEqual(e.value, expected) || e.ruleID !== rid(fl.ruleID) || e.groupName !== fl.groupName) {
          note(`${where}: experiment ${name} client ${JSON.stringify([e.value, e.ruleID, e.groupName])} firstlight ${JSON.stringify([expected, fl.ruleID, fl.groupName])}`);
        }
      } else {
        const c = client.getDynamicConfig(name);
        const fl = ev.getConfig(name);
        counts.configs++;
        if (c.details.reason !== 'Bootstrap:Recognized') note(`${where}: config ${name} reason ${c.details.reason}`);
        if (!isDeepStrictEqual(c.value, fl.value) || c.ruleID !== rid(fl.ruleID)) note(`${where}: config ${name} client ${JSON.stringify([c.value, c.ruleID])} firstlight ${JSON.stringify([fl.value, fl.ruleID])}`);
      }
    }
    for (const name of specs.layers.keys()) {
      if (!(djb2(name) in cir.layer_configs)) continue;
      const l = client.getLayer(name);
      const fl = ev.getLayer(name);
      if (l.details.reason !== 'Bootstrap:Recognized') note(`${where}: layer ${name} reason ${l.details.reason}`);
      if (l.ruleID !== rid(fl.ruleID) || l.groupName !== fl.groupName) note(`${where}: layer ${name} client ${l.ruleID}/${l.groupName} firstlight ${fl.ruleID}/${fl.groupName}`);
      for (const [param, value] of Object.entries(fl.value)) {
        counts.layerParams++;
        const got = l.get(param);
        if (!isDeepStrictEqual(got, value ?? null)) note(`${where}: layer ${name}.${param} client ${JSON.stringify(got)} firstlight ${JSON.stringify(value)}`);
      }
    }
    void client.shutdown();
  });
  const offending = [...new Set(problems.map((p) => p.slice(0, p.indexOf(':'))))].map((w) => `${w} = ${userText.get(w)}`);
  assert.equal(problems.length, 0, [...problems, ...offending].join('\n'));
}

test('fixture: js-client bootstraps every fixture user to Firstlight values', () => {
  const json = fixtureDcsJson();
  const specs = parseSpecs(json, { serverSecret: FIXTURE_SECRET, idLists: fixtureIdLists() });
  const keys = [undefined, 'client-key-web', 'client-key-ios'];
  const users = [...fixtureUsers(), ...edgeUsers()];
  for (const k of keys) check(`fixture`, specs, JSON.parse(json), users, () => k);
});

test('generated small DCS: js-client agrees for 500 users (no key / plain / hashed / entity keys)', () => {
  const g = generateDcs({ size: 'small', seed: 41 });
  const specs = parseSpecs(g.dcs, { serverSecret: g.secret, idLists: g.idLists });
  const keys = [undefined, CLIENT_KEYS.plain, CLIENT_KEYS.hashed, CLIENT_KEYS.entities];
  check('small', specs, g.dcs, generateUsers(41, 500), (i) => keys[i % keys.length]);
});

test('generated large DCS: js-client agrees for 200 users', () => {
  const g = generateDcs({ size: 'large', seed: 42 });
  const specs = parseSpecs(g.dcs, { serverSecret: g.secret, idLists: g.idLists });
  const keys = [CLIENT_KEYS.plain, undefined, CLIENT_KEYS.hashed];
  check('large', specs, g.dcs, generateUsers(42, 200), (i) => keys[i % keys.length]);
});
