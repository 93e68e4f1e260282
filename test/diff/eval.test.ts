/**
 * Differential test: Firstlight's server checks (getFeatureGate / getConfig / getExperiment /
 * getLayer) against statsig-node 6.5.2 on the fixture and on generated payloads, for every entity
 * and every user: value, rule ID, group name, secondary exposures, reason (and ID type, layer
 * allocation, undelegated exposures, explicit parameters, is-in-experiment).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { compareAll, describeMismatches, makePair, type CompareReport, type Pair } from '../support/compare';
import { fixtureDcsJson, fixtureIdLists, fixtureUsers, FIXTURE_SECRET } from '../support/fixtures';
import { generateDcs } from '../../bin/generate/generate-dcs';
import { edgeUsers, generateUsers } from '../../bin/generate/generate-users';

const pairs: Pair[] = [];
const reports: CompareReport[] = [];
after(() => {
  for (const p of pairs) p.ref.shutdown();
  const total = reports.reduce((a, r) => a + r.evaluations, 0);
  const fields = reports.reduce((a, r) => a + r.fields, 0);
  console.log(
    `eval differential: ${reports.map((r) => `${r.specs} ${r.entities} entities × ${r.users} users = ${r.evaluations}`).join('; ')}; total ${total} evaluations, ${fields} fields compared`,
  );
});

function verify(t: { diagnostic(msg: string): void }, report: CompareReport): void {
  reports.push(report);
  t.diagnostic(`${report.specs}: ${report.entities} entities × ${report.users} users = ${report.evaluations} evaluations (${report.fields} fields)`);
  assert.equal(report.mismatches.length, 0, describeMismatches(report));
}

test('fixture DCS: every entity, fixture users + generated users, agrees with statsig-node', async (t) => {
  const pair = await makePair(fixtureDcsJson(), { secret: FIXTURE_SECRET, idLists: fixtureIdLists() });
  pairs.push(pair);
  const users = [...fixtureUsers(), ...edgeUsers(), ...generateUsers('fixture', 300)];
  verify(t, compareAll('fixture', pair, users));
});

test('generated small DCS × 1,000+ users agrees with statsig-node', async (t) => {
  const g = generateDcs({ size: 'small', seed: 11 });
  const pair = await makePair(g.dcs, { secret: g.secret, idLists: g.idLists });
  pairs.push(pair);
  verify(t, compareAll('small', pair, [...edgeUsers(), ...generateUsers(11, 1000)]));
});

test('generated small DCS with an environment option agrees with statsig-node', async (t) => {
  const g = generateDcs({ size: 'small', seed: 12 });
  const pair = await makePair(g.dcs, { secret: g.secret, idLists: g.idLists, environment: 'staging' });
  pairs.push(pair);
  verify(t, compareAll('small+env', pair, [...edgeUsers(), ...generateUsers(12, 200)], { environment: 'staging' }));
});

test('generated large DCS × 1,000 users agrees with statsig-node', async (t) => {
  const g = generateDcs({ size: 'large', seed: 21 });
  const pair = await makePair(g.dcs, { secret: g.secret, idLists: g.idLists });
  pairs.push(pair);
  verify(t, compareAll('large', pair, generateUsers(21, 1000)));
});

test('prepared users (one prepareUser() snapshot per user, every check sharing it) agree with statsig-node', async (t) => {
  const fixture = await makePair(fixtureDcsJson(), { secret: FIXTURE_SECRET, idLists: fixtureIdLists() });
  pairs.push(fixture);
  verify(t, compareAll('fixture prepared', fixture, [...fixtureUsers(), ...edgeUsers(), ...generateUsers('fixture-prepared', 300)], { prepared: true }));
  const g = generateDcs({ size: 'large', seed: 22 });
  const large = await makePair(g.dcs, { secret: g.secret, idLists: g.idLists });
  pairs.push(large);
  verify(t, compareAll('large prepared', large, generateUsers(22, 300), { prepared: true }));
  const s = generateDcs({ size: 'small', seed: 12 });
  const env = await makePair(s.dcs, { secret: s.secret, idLists: s.idLists, environment: 'staging' });
  pairs.push(env);
  verify(t, compareAll('small+env prepared', env, [...edgeUsers(), ...generateUsers(12, 200)], { environment: 'staging', prepared: true }));
});
