/**
 * Differential test of the init-v2 payload against @statsig/statsig-node-core 0.23.2's own
 * (`responseFormat: InitializeV2`), same specs (the core reads them as DCS v2) and same users.
 *
 * The two engines do not evaluate every entity alike on these specs (statsig-node-core is not the
 * parity target; Firstlight follows statsig-node), so the format is judged on the entities whose
 * v1 entries agree between the two: for each of those, the init-v2 entry must be byte-identical
 * once table indexes are replaced by what they point to (statsig-node-core numbers its tables in
 * hash-map order, which changes from run to run). A coverage count makes sure every short key was
 * met among them. A value is compared by content with its object keys sorted: statsig-node-core
 * writes them in hash-map order. Our own tables must be minimal: no unused slot, no value or exposure twice.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { clientInitializeResponseJSON, parseSpecs } from '../../lib/index';
import { toDcsV2 } from '../support/dcs-v2';
import { CoreReference, type HashMode, type JsonUser } from '../support/reference';
import { fixtureDcsJson, fixtureUsers, FIXTURE_SECRET } from '../support/fixtures';
import { generateDcs } from '../../bin/generate/generate-dcs';
import { edgeUsers, generateUsers } from '../../bin/generate/generate-users';
import { canonicalEntries, sameEvaluation, tableProblems, type InitV2Payload } from '../support/init-v2-compare';
import { cond, dcs, gate, rule } from '../lib/helpers';

const FORMAT_INIT_V2 = 2; // GCIRResponseFormat.InitializeV2 (a const enum in its typings)
const SHORT_KEYS = ['r', 's', 'i', 'v', 'p', 'gn', 'ea', 'ue', 'ae', 'ep', 'us'];

const totals = { payloads: 0, entries: 0, agreeing: 0 };
const seen = new Set<string>();
after(() => {
  // statsig-node-core's native threads keep the process alive for seconds per instance after
  // shutdown(); the results are reported by now, so leave once the event loop has nothing else
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  console.log(`init-v2 differential: ${totals.payloads} payloads, ${totals.entries} entries, ${totals.agreeing} with the same evaluation in statsig-node-core, all byte-identical`);
});

async function run(label: string, dcs: unknown, secret: string, users: readonly JsonUser[]): Promise<void> {
  const core = await CoreReference.create(toDcsV2(dcs), { secret });
  const specs = parseSpecs(dcs as object, { serverSecret: secret });
  const failures: string[] = [];
  let entries = 0;
  let agreeing = 0;
  try {
    users.forEach((user, i) => {
      const hash: HashMode = (['djb2', 'sha256', 'none'] as const)[i % 3]!;
      const cu = core.toCoreUser(user);
      const coreV2 = JSON.parse(core.statsig.getClientInitializeResponse(cu, { hashAlgorithm: hash, responseFormat: FORMAT_INIT_V2 })) as InitV2Payload;
      const coreV1 = JSON.parse(core.statsig.getClientInitializeResponse(cu, { hashAlgorithm: hash })) as Record<string, Record<string, Record<string, unknown>>>;
      const ours = JSON.parse(clientInitializeResponseJSON(specs, user, { hash, format: 'init-v2' })) as InitV2Payload;
      const oursV1 = JSON.parse(clientInitializeResponseJSON(specs, user, { hash })) as Record<string, Record<string, Record<string, unknown>>>;
      const where = `${label} user#${i} hash=${hash}`;
      for (const p of tableProblems(ours)) failures.push(`${where}: ${p}`);
      // top-level fields in statsig-node-core's order (its sdkInfo also carries a session ID; pa_hash only with private attributes)
      assert.deepEqual(Object.keys(ours), Object.keys(coreV2), `${where}: top-level fields`);
      assert.equal(ours.response_format, 'init-v2');
      assert.equal(ours['pa_hash'], coreV2['pa_hash'], `${where}: pa_hash`);
      for (const section of ['feature_gates', 'dynamic_configs', 'layer_configs'] as const) {
        assert.deepEqual(Object.keys(ours[section]), Object.keys(oursV1[section]!), `${where}: init-v2 and v1 carry the same ${section}`);
      }
      const theirs = canonicalEntries(coreV2);
      for (const [k, text] of canonicalEntries(ours)) {
        entries++;
        const [section, key] = k.split('/') as [string, string];
        if (!sameEvaluation(oursV1[section]?.[key], coreV1[section]?.[key])) continue;
        agreeing++;
        for (const f of Object.keys(JSON.parse(text) as object)) seen.add(f);
        if (theirs.get(k) !== text && failures.length < 8) failures.push(`${where} ${k}\n    core ${theirs.get(k)}\n    ours ${text}`);
      }
    });
  } finally {
    await core.shutdown();
  }
  totals.payloads += users.length;
  totals.entries += entries;
  totals.agreeing += agreeing;
  assert.deepEqual(failures, []);
  assert.ok(agreeing >= entries / 3, `${label}: only ${agreeing} of ${entries} entries agree in evaluation`);
}

test('fixture: init-v2 entries byte-identical to statsig-node-core where the evaluation agrees', async () => {
  await run('fixture', JSON.parse(fixtureDcsJson()), FIXTURE_SECRET, [...fixtureUsers(), ...edgeUsers()] as JsonUser[]);
});

test('generated small and large DCS: the same, 60 users each', async () => {
  for (const size of ['small', 'large'] as const) {
    const g = generateDcs({ size, seed: 7 });
    await run(size, g.dcs, g.secret, generateUsers(7, 60));
  }
});

test('a layer that checks a gate before delegating: undelegated exposures (`us`)', async () => {
  const experiment = {
    name: 'exp_in_layer', type: 'dynamic_config', entity: 'experiment', salt: 'exp-salt', enabled: true, isActive: true,
    hasSharedParams: true, idType: 'userID', defaultValue: { color: 'grey' }, explicitParameters: ['color'],
    rules: [rule('exp-rule', [cond('public', null, null)], { returnValue: { color: 'blue' }, groupName: 'Test', isExperimentGroup: true })],
  };
  const layer = {
    name: 'the_layer', type: 'dynamic_config', entity: 'layer', salt: 'layer-salt', enabled: true, idType: 'userID',
    defaultValue: { color: 'grey' },
    rules: [rule('layer-rule', [cond('pass_gate', null, 'checked_gate')], { returnValue: { color: 'grey' }, configDelegate: 'exp_in_layer' })],
  };
  const payload = {
    ...dcs({ gates: [gate('checked_gate', [rule('gate-rule', [cond('public', null, null)])])], configs: [experiment], layers: [layer] }),
    layers: { the_layer: ['exp_in_layer'] },
  };
  const users = generateUsers(9, 6);
  await run('layer with exposures', payload, 'secret-init-v2-layer', users);
});

test('every short key was met among the entries compared', () => {
  assert.deepEqual(SHORT_KEYS.filter((k) => !seen.has(k)), []);
});
