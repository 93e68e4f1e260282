/**
 * `npm run bench:consent`: what a visitor without consent costs the bootstrap. The demo specs and the
 * large generated payload, one evaluateAll + djb2 bootstrap JSON per cold user, with consent and without
 * (withheldIdTypes: ['stableID'], the per-request ID), alternating round by round so the machine's
 * other load hits both alike. Also how many entities each payload keys on stableID (the ones that skip
 * evaluation without consent). The table's ratio column is to the consented row. No timing asserts.
 */
import { readFileSync } from 'node:fs';
import { clientInitializeResponseJSONFromEvaluation, evaluateAll, parseSpecs, type Specs, type StatsigUser } from '../lib/index';
import { generateDcs } from '../bin/generate/generate-dcs';
import { generateUsers } from '../bin/generate/generate-users';
import { bench, table, type Stats } from './helpers';

const ROUNDS = 6;
const PER_ROUND = 400;

function stableKeyed(dcs: { feature_gates: { idType?: string }[]; dynamic_configs: { idType?: string }[]; layer_configs?: { idType?: string }[] }): string {
  const all = [...dcs.feature_gates, ...dcs.dynamic_configs, ...(dcs.layer_configs ?? [])];
  return `${all.filter((s) => (s.idType ?? '').toLowerCase() === 'stableid').length} of ${all.length}`;
}

function run(label: string, specs: Specs, users: StatsigUser[]): Stats[] {
  const samples: Record<string, Stats[]> = { consented: [], 'no consent': [] };
  let n = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [impl, opts] of [['consented', {}], ['no consent', { withheldIdTypes: ['stableID'] }]] as const) {
      const base = n;
      n += PER_ROUND;
      samples[impl]!.push(
        bench(label, impl, PER_ROUND, (i) => clientInitializeResponseJSONFromEvaluation(evaluateAll(specs, users[(base + i) % users.length]!, opts), { hash: 'djb2' })?.length, { warmup: r === 0 ? 200 : 20, warmupOffset: base + PER_ROUND }),
      );
    }
  }
  // the median of the rounds' p50 and p99
  return Object.entries(samples).map(([impl, s]) => {
    const mid = (k: 'p50' | 'p99') => s.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(s.length / 2)]!;
    return { ...s[0]!, impl, n: s.length * PER_ROUND, p50: mid('p50'), p99: mid('p99'), opsPerSec: 1e6 / mid('p50') };
  });
}

const demoText = readFileSync('data/demo-dcs.json', 'utf8');
const demo = parseSpecs(demoText, { serverSecret: 'secret-demo' });
const g = generateDcs({ size: 'large', seed: 1 });
const large = parseSpecs(JSON.stringify(g.dcs), { serverSecret: g.secret, idLists: g.idLists });
const users = generateUsers('consent-bench', ROUNDS * PER_ROUND * 2 + 2000).map((u) => ({ ...u, customIDs: { ...(u.customIDs ?? {}), stableID: crypto.randomUUID() } }));

const rows = [...run('demo specs: evaluateAll + bootstrap', demo, users), ...run('large payload: evaluateAll + bootstrap', large, users)];
console.log(table(rows, 'consented'));
console.log(`\nstableID-keyed entities: demo ${stableKeyed(JSON.parse(demoText))}, large ${stableKeyed(g.dcs as never)}`);
