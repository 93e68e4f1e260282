/**
 * DCS v2 (the format of Statsig's current server core): Firstlight reads it natively and evaluates
 * it as statsig-node-core 0.23.2 does on the same v2 bytes, and as Firstlight itself does on the v1
 * payload it was derived from. Format errors name the format.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { checkGate, getExperiment, getConfig, parseSpecs, specsInfo, type Specs } from '../../lib/index';
import { SpecParseError } from '../../lib/errors';
import { toDcsV2 } from '../support/dcs-v2';
import { fixtureDcsJson, fixtureUsers, FIXTURE_SECRET } from '../support/fixtures';
import { generateDcs } from '../../bin/generate/generate-dcs';
import { makeUser } from '../../bin/generate/generate-users';
import { CoreReference, NodeReference } from '../support/reference';

process.env.TZ = 'UTC';

const v1 = JSON.parse(fixtureDcsJson()) as Record<string, unknown>;
const v2 = toDcsV2(v1);
const names = (list: unknown) => (list as { name: string }[]).map((s) => s.name);

/** JSON with sorted keys: the SDKs order object keys differently, which is not a difference. */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/**
 * Firstlight on the v2 bytes against statsig-node-core on the same bytes. The two Statsig SDKs do
 * not agree with each other everywhere (statsig-node-core ignores `enabled: false`, for one), and
 * statsig-node 6.5.2 is the reference behaviour: so every answer must equal statsig-node-core's, or,
 * where statsig-node-core differs, statsig-node's on the v1 payload. Each such case is counted and
 * must be a minority.
 */
describe('DCS v2 against statsig-node-core 0.23.2 (same v2 bytes) and statsig-node 6.5.2', () => {
  const refs: { shutdown(): unknown }[] = [];
  after(async () => {
    for (const r of refs) await r.shutdown();
  });

  const cases = [
    () => ({ label: 'fixture', v1, secret: FIXTURE_SECRET, users: [...fixtureUsers(), ...Array.from({ length: 120 }, (_, i) => makeUser('v2-fixture', i))] }),
    () => {
      const g = generateDcs({ size: 'small', seed: 'dcs-v2' });
      return { label: 'generated', v1: g.dcs as unknown as Record<string, unknown>, secret: g.secret, users: Array.from({ length: 120 }, (_, i) => makeUser('v2-gen', i)) as object[] };
    },
  ];
  for (const make of cases) {
    test(`${make().label}: every gate and config answer matches statsig-node-core, or statsig-node where they differ`, async () => {
      const c = make();
      const payload = JSON.stringify(toDcsV2(c.v1));
      const specs = parseSpecs(payload, { serverSecret: c.secret });
      const core = await CoreReference.create(payload, { secret: c.secret, transport: 'http' });
      const node = await NodeReference.create(JSON.stringify(c.v1), { secret: c.secret });
      refs.push(core, node);
      let compared = 0;
      let coreDiffers = 0;
      const wrong: string[] = [];
      for (const u of c.users) {
        const cu = core.toCoreUser(u);
        for (const g of names(c.v1.feature_gates)) {
          compared++;
          const mine = checkGate(specs, u, g);
          if (mine === core.checkGate(cu, g)) continue;
          coreDiffers++;
          if (mine !== node.checkGate(u, g)) wrong.push(`gate ${g} for ${JSON.stringify(u)}: ${mine}`);
        }
        for (const e of names(c.v1.dynamic_configs)) {
          compared++;
          const mine = getExperiment(specs, u, e);
          const theirs = core.getExperiment(cu, e);
          if (mine.ruleID === theirs.ruleID && canon(mine.value) === canon(theirs.value)) continue;
          coreDiffers++;
          const ref = node.config(u, e);
          if (mine.ruleID !== ref.ruleID || canon(mine.value) !== canon(ref.value)) wrong.push(`config ${e} for ${JSON.stringify(u)}: ${mine.ruleID}`);
        }
      }
      assert.ok(compared > 2000, `compared ${compared}`);
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${compared} answers match neither SDK`);
      assert.ok(coreDiffers < compared / 2, `statsig-node-core differs on ${coreDiffers} of ${compared}`);
      console.log(`# ${c.label}: ${compared} answers, ${compared - coreDiffers} equal to statsig-node-core's, ${coreDiffers} where it differs from statsig-node (Firstlight = statsig-node there)`);
    });
  }
});

describe('DCS v2 read by Firstlight', () => {
  test('evaluates exactly as the v1 payload it was derived from', () => {
    const a = parseSpecs(v1, { serverSecret: FIXTURE_SECRET });
    const b = parseSpecs(v2, { serverSecret: FIXTURE_SECRET });
    assert.equal(specsInfo(b).lcut, specsInfo(a).lcut);
    assert.equal(specsInfo(b).gates, specsInfo(a).gates);
    const all = (s: Specs, u: object) => [
      ...names(v1.feature_gates).map((g) => checkGate(s, u, g)),
      ...names(v1.dynamic_configs).map((c) => getConfig(s, u, c).ruleID),
    ];
    for (let i = 0; i < 100; i++) {
      const u = makeUser('v2-self', i);
      assert.deepEqual(all(b, u), all(a, u));
    }
  });

  test('does not modify the payload it is given', () => {
    const copy = structuredClone(v2);
    parseSpecs(v2);
    assert.deepEqual(v2, copy);
  });

  test('a rule naming a condition missing from condition_map is refused with the path and the key', () => {
    const bad = structuredClone(v2);
    const [name, gate] = Object.entries(bad.feature_gates).find(([, g]) => ((g.rules as { conditions: string[] }[])[0]?.conditions.length ?? 0) > 0)!;
    (gate.rules as { conditions: string[] }[])[0]!.conditions[0] = 'no-such-condition';
    assert.throws(() => parseSpecs(bad), (e: unknown) => e instanceof SpecParseError && e.message.includes('dcs-v2') && e.message.includes(`feature_gates.${name}.rules.0.conditions.0`) && e.message.includes('no-such-condition'));
  });

  test('a bad field inside a v2 spec is reported with the format named', () => {
    const bad = structuredClone(v2);
    const first = Object.values(bad.feature_gates)[0]!;
    first.salt = 42;
    assert.throws(() => parseSpecs(bad), (e: unknown) => e instanceof SpecParseError && /\(dcs-v2\)/.test(e.message) && /salt/.test(e.message));
  });

  test('a payload that is neither format says what it is', () => {
    assert.throws(() => parseSpecs('[]'), (e: unknown) => e instanceof SpecParseError && /expected a JSON object, got an array/.test(e.message));
    assert.throws(() => parseSpecs({ time: 1, feature_gates: 'x', dynamic_configs: [], layer_configs: [] }), (e: unknown) => e instanceof SpecParseError && /\(dcs-v1\)/.test(e.message) && /feature_gates/.test(e.message));
  });

  test('a payload without `time` loads with lcut 0 and answers checks, as statsig-node does', () => {
    for (const p of [v1, v2]) {
      const { time: _t, ...rest } = p;
      void _t;
      const s = parseSpecs(rest);
      assert.equal(specsInfo(s).lcut, 0);
      assert.equal(checkGate(s, { userID: 'user-1', email: 'alice@example.com' }, 'public_gate'), true);
    }
  });
});
