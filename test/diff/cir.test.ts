/**
 * Differential test of the bootstrap payload: Firstlight's clientInitializeResponseJSON against
 * statsig-node 6.5.2's getClientInitializeResponse on the fixture and on small, large and xlarge
 * generated payloads, every hash mode, with no client key / a plain-mapped key / a hashed-mapped
 * key / an entity-restricted key / an unmapped key. Identical except generator and sdkInfo.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { clientInitializeResponse } from '../../lib/index';
import { makePair, type Pair } from '../support/compare';
import { compareCir, IGNORED_TOP_LEVEL, type CirCase } from '../support/cir-compare';
import { fixtureDcsJson, fixtureGolden, fixtureIdLists, fixtureUsers, FIXTURE_SECRET } from '../support/fixtures';
import { CLIENT_KEYS, generateDcs, type DcsSize } from '../../bin/generate/generate-dcs';
import { edgeUsers, generateUsers } from '../../bin/generate/generate-users';
import type { HashMode, JsonUser } from '../support/reference';

const HASHES: HashMode[] = ['djb2', 'sha256', 'none'];
const KEYS: (string | undefined)[] = [undefined, CLIENT_KEYS.plain, CLIENT_KEYS.hashed, CLIENT_KEYS.entities, CLIENT_KEYS.unknown];
const CASES: CirCase[] = HASHES.flatMap((hash) => KEYS.map((clientKey) => ({ hash, clientKey })));

const pairs: Pair[] = [];
const totals = { payloads: 0, users: 0, equal: 0, byteIdentical: 0, bytes: 0 };
const perSpecs: string[] = [];
after(() => {
  for (const p of pairs) p.ref.shutdown();
  console.log(
    `cir differential: ${perSpecs.join('; ')}; total ${totals.payloads} payloads for ${totals.users} users, ${totals.equal} equal, ${totals.byteIdentical} byte-identical (after setting ${IGNORED_TOP_LEVEL.join('/')}), ${(totals.bytes / 1e6).toFixed(1)} MB compared`,
  );
});

/**
 * Every user gets one (hash, key) case in rotation; the first `allCasesFor` users get all of them.
 */
function run(t: { diagnostic(msg: string): void }, label: string, pair: Pair, users: JsonUser[], allCasesFor: number): void {
  let payloads = 0;
  let equal = 0;
  let byteIdentical = 0;
  const failures: string[] = [];
  users.forEach((user, i) => {
    const cases = i < allCasesFor ? CASES : [CASES[i % CASES.length] as CirCase];
    for (const c of cases) {
      const o = compareCir(pair.specs, pair.ref, user, c);
      payloads++;
      totals.bytes += o.firstlightBytes;
      if (o.equal) equal++;
      else if (failures.length < 6) failures.push(`user#${i} ${JSON.stringify(user)} hash=${c.hash} key=${c.clientKey ?? '(none)'}\n    ${o.differences.join('\n    ')}`);
      if (o.byteIdentical) byteIdentical++;
    }
  });
  totals.payloads += payloads;
  totals.users += users.length;
  totals.equal += equal;
  totals.byteIdentical += byteIdentical;
  const line = `${label}: ${payloads} payloads for ${users.length} users, ${equal} equal, ${byteIdentical} byte-identical`;
  perSpecs.push(line);
  t.diagnostic(line);
  assert.equal(equal, payloads, `${label}: ${payloads - equal} payloads differ from statsig-node\n  ${failures.join('\n  ')}`);
}

test('fixture: golden file (u1, client-key-web, djb2) matches', async () => {
  const pair = await makePair(fixtureDcsJson(), { secret: FIXTURE_SECRET, idLists: fixtureIdLists() });
  pairs.push(pair);
  const u1 = fixtureUsers()[0] as JsonUser;
  const got = clientInitializeResponse(pair.specs, u1, { hash: 'djb2', clientKey: 'client-key-web' }) as Record<string, unknown>;
  const golden = fixtureGolden();
  for (const k of IGNORED_TOP_LEVEL) {
    delete got[k];
    delete golden[k];
  }
  assert.ok(isDeepStrictEqual(got, golden), 'the bootstrap for u1 / client-key-web / djb2 differs from the golden statsig-node output');
});

test('fixture DCS: every hash mode × client key, fixture + edge + generated users', async (t) => {
  const pair = await makePair(fixtureDcsJson(), { secret: FIXTURE_SECRET, idLists: fixtureIdLists() });
  pairs.push(pair);
  const fixed = [...fixtureUsers(), ...edgeUsers()];
  run(t, 'fixture', pair, [...fixed, ...generateUsers('cir-fixture', 100)], fixed.length);
});

const SIZES: { size: DcsSize; seed: number; users: number; allCasesFor: number }[] = [
  { size: 'small', seed: 31, users: 600, allCasesFor: 20 },
  { size: 'large', seed: 32, users: 400, allCasesFor: 10 },
  { size: 'xlarge', seed: 33, users: 60, allCasesFor: 2 },
];

for (const s of SIZES) {
  test(`generated ${s.size} DCS: hash modes × client keys over ${s.users} users`, async (t) => {
    const g = generateDcs({ size: s.size, seed: s.seed });
    const pair = await makePair(g.dcs, { secret: g.secret, idLists: g.idLists });
    pairs.push(pair);
    const users = s.size === 'small' ? [...edgeUsers(), ...generateUsers(s.seed, s.users)] : generateUsers(s.seed, s.users);
    run(t, s.size, pair, users, s.allCasesFor);
  });
}

test('generated small DCS with an environment option', async (t) => {
  const g = generateDcs({ size: 'small', seed: 34 });
  const pair = await makePair(g.dcs, { secret: g.secret, idLists: g.idLists, environment: 'staging' });
  pairs.push(pair);
  const users = generateUsers(34, 60);
  let payloads = 0;
  for (const user of users) {
    const o = compareCir(pair.specs, pair.ref, user, { hash: 'djb2', clientKey: CLIENT_KEYS.plain, environment: 'staging' });
    payloads++;
    assert.ok(o.equal, `environment staging: ${JSON.stringify(user)}\n  ${o.differences.join('\n  ')}`);
  }
  t.diagnostic(`small+env: ${payloads} payloads equal`);
});
