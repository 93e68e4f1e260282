/**
 * `npm run bench`: Firstlight vs statsig-node 6.5.2 vs @statsig/statsig-node-core 0.23.2 vs
 * @statsig/js-on-device-eval-client 3.33.5, in one run, on the same generated specs (the core gets
 * the same payload converted to DCS v2) and the same users.
 *   1. checkGate and getExperiment on the large payload (≈211 gates, 150 configs incl. 50
 *      experiments in 10 layers): p50/p99 µs per call, ops/s, ratios.
 *   2. The client initialize response (djb2) on small, large, larger and xlarge payloads with cold
 *      users (every call gets a user never seen before by that implementation): Firstlight's
 *      clientInitializeResponseJSON in the v1 and init-v2 formats, statsig-node
 *      getClientInitializeResponse + JSON.stringify, statsig-node-core's getClientInitializeResponse
 *      string, js-on-device-eval-client's getClientInitializeResponse + JSON.stringify. They take
 *      turns round by round after the same warm-up time, and each timed call includes the UTF-8
 *      byte length of its string (what a server pays to send it).
 *   3. The floor: SHA-256 computations per payload × measured hash cost + encoding a string of the
 *      payload's size.
 *   4. A scaling table (p50 and µs per entity at each size) and, on full runs, the plot
 *      docs/bench-scaling.svg.
 * Flags: --quick (fewer iterations), --only gates|cir. No timing asserts.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { checkGate, clientInitializeResponseJSON, getExperiment, parseSpecs, prepareUser, type Specs } from '../lib/index';
import { sha256Mod10000Prefixed, sha256Prefix, type Sha256Prefix } from '../lib/hash/sha256';
import { toDcsV2 } from '../test/support/dcs-v2';
import { generateDcs, type DcsSize, type GeneratedDcs } from '../bin/generate/generate-dcs';
import { generateUsers } from '../bin/generate/generate-users';
import { cloneUser, CoreReference, NodeReference, type CoreUser } from '../test/support/reference';
import { gzipSync } from 'node:zlib';
import { benchInterleaved, benchTurns, mb, table, type Stats } from './helpers';
import { OnDeviceEvalReference } from './on-device-eval';
import { scalingSvg } from './scaling-plot';

const PLOT_FILE = 'docs/bench-scaling.svg';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } }, strict: true });
const QUICK = flags.quick === true;
const ONLY = flags.only as string | undefined;
const SEED = 1; // the large payload of seed 1 bootstraps to ≈88 KB, like the reference figures

interface Impls {
  g: GeneratedDcs;
  specs: Specs;
  node: NodeReference;
  core: CoreReference;
}

/**
 * `latin1`: the same payload with its one non-Latin-1 character (U+2713 in a generated string value)
 * replaced. V8 stores a string with any character above U+00FF at two bytes per character, so the
 * large bootstrap becomes a ~176 KB object instead of ~88 KB, past V8's 128 KB regular-object limit:
 * every implementation then pays a fresh large-object allocation (page faults) per payload.
 */
async function setup(size: DcsSize, latin1 = false): Promise<Impls> {
  const g = generateDcs({ size, seed: SEED });
  if (latin1) g.dcs = JSON.parse(JSON.stringify(g.dcs).replaceAll('\u2713', '*')) as typeof g.dcs;
  const json = JSON.stringify(g.dcs);
  const specs = parseSpecs(json, { serverSecret: g.secret, idLists: g.idLists });
  const node = await NodeReference.create(json, { secret: g.secret, idLists: g.idLists });
  const core = await CoreReference.create(toDcsV2(g.dcs), { secret: g.secret });
  return { g, specs, node, core };
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const rows: Stats[] = [];
const notes: string[] = [];

// ---------------------------------------------------------------------------------------------
async function gateBenches(): Promise<void> {
  const { g, specs, node, core } = await setup('large');
  const users = generateUsers(`${SEED}-gates`, 1000);
  const nodeUsers = users.map((u) => cloneUser(u));
  const coreUsers: CoreUser[] = users.map((u) => core.toCoreUser(u));
  // built once per user, as statsig-node-core's StatsigUser objects are (like for like with the core's rows)
  const prepared = users.map((u) => prepareUser(u));
  const gates = g.dcs.feature_gates.map((s) => s.name);
  const experiments = g.dcs.dynamic_configs.filter((s) => s.entity === 'experiment').map((s) => s.name);
  const iters = QUICK ? 30_000 : 150_000;
  // i -> (user, entity) pairs that walk every combination (1000 users; 211 gates / 50 experiments)
  const gi = (i: number) => gates[i % gates.length] as string;
  const ei = (i: number) => experiments[i % experiments.length] as string;
  const ui = (i: number) => Math.floor(i / 7) % users.length;
  const nodeServer = node.server;
  const coreStatsig = core.statsig;
  const off = { disableExposureLogging: true };

  // one call against every implementation in turns: Firstlight with plain and prepared users, statsig-node, the core
  interface Calls {
    fl: (user: object, name: string) => unknown;
    node: (user: object, name: string) => unknown;
    core: (user: CoreUser, name: string) => unknown;
  }
  const turns = (label: string, what: string, names: (i: number) => string, c: Calls) => {
    log(`${label}: ${what} × ${users.length} users, ${iters} calls each, taking turns`);
    rows.push(
      ...benchTurns(label, [
        { impl: 'Firstlight', op: (i) => c.fl(users[ui(i)]!, names(i)) },
        { impl: 'Firstlight, prepared user', op: (i) => c.fl(prepared[ui(i)]!, names(i)) },
        { impl: 'statsig-node', op: (i) => c.node(nodeUsers[ui(i)]!, names(i)) },
        { impl: 'statsig-node-core', op: (i) => c.core(coreUsers[ui(i)]!, names(i)) },
      ], iters),
    );
  };
  turns('checkGate (large)', `${gates.length} gates`, gi, {
    fl: (u, n) => checkGate(specs, u, n),
    node: (u, n) => nodeServer.checkGate(u as never, n, off),
    core: (u, n) => coreStatsig.checkGate(u, n, off),
  });
  turns('getExperiment (large)', `${experiments.length} experiments`, ei, {
    fl: (u, n) => getExperiment(specs, u, n),
    node: (u, n) => nodeServer.getExperiment(u as never, n, off),
    core: (u, n) => coreStatsig.getExperiment(u, n, off),
  });
  for (const label of ['checkGate (large)', 'getExperiment (large)']) {
    const p50 = (impl: string) => rows.find((r) => r.label === label && r.impl === impl)!.p50;
    notes.push(`${label}: statsig-node-core ÷ Firstlight ${(p50('statsig-node-core') / p50('Firstlight')).toFixed(2)} with plain users, ${(p50('statsig-node-core') / p50('Firstlight, prepared user')).toFixed(2)} with prepared ones (both sides then build the user once).`);
  }
  notes.push(
    'statsig-node-core is called with pre-built StatsigUser instances (it rejects plain objects); building one per request would add to its time.',
    '"Firstlight, prepared user" is the same call with a prepareUser() snapshot built once per user, as the core\'s StatsigUser is (its field reads, user agent and country are then done once for all of that user\'s checks); "Firstlight" is a plain object per call. Compare the core with the prepared row for like with like; its ratio column is still ÷ plain Firstlight.',
  );
  node.shutdown();
  await core.shutdown();
}

// ---------------------------------------------------------------------------------------------
/**
 * SHA-256 inputs of one GCIR, counted at statsig-node's computeUserHash (bucket and pass-percentage
 * hashes; it memoises them process-wide): calls per payload, and distinct inputs per payload (what
 * an implementation must hash at least once).
 */
function countNodeHashes(node: NodeReference, users: readonly object[]): { calls: number; distinct: number } {
  const require = createRequire(import.meta.url);
  const mod = require('statsig-node/dist/utils/EvaluatorUtils') as { computeUserHash: (s: string) => bigint };
  const original = mod.computeUserHash;
  let calls = 0;
  let distinct = 0;
  try {
    for (const u of users) {
      const seen = new Set<string>();
      mod.computeUserHash = (s: string) => {
        calls++;
        seen.add(s);
        return original(s);
      };
      node.gcir(u, { hash: 'djb2' });
      distinct += seen.size;
    }
  } finally {
    mod.computeUserHash = original;
  }
  return { calls: calls / users.length, distinct: distinct / users.length };
}

/** Bucket keys shaped like the payload's: `<uuid spec salt>.<22-char rule salt>.<uuid unit ID>` (two SHA-256 blocks). */
function bucketKey(i: number): string {
  const hex = (n: number, w: number) => (n >>> 0).toString(16).padStart(w, '0').slice(-w);
  const uuid = (n: number) => `${hex(n * 2654435761, 8)}-${hex(n, 4)}-4${hex(n * 7, 3)}-a${hex(n * 13, 3)}-${hex(n * 40503, 6)}${hex(n * 97, 6)}`;
  return `${uuid(i % 211)}.${`Rule${i % 97}xYzAbCdEfGhIjKlMn`.slice(0, 22)}.${uuid(i * 7919 + 1)}`;
}

function hashCostNs(fn: (s: string) => unknown): number {
  const inputs = Array.from({ length: 4096 }, (_, i) => bucketKey(i));
  for (let i = 0; i < 50_000; i++) fn(inputs[i & 4095] as string);
  const n = 400_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(inputs[i & 4095] as string);
  return Number(process.hrtime.bigint() - t0) / n;
}

function copyCostNs(payload: string): number {
  const n = 2000;
  let sink = 0;
  for (let i = 0; i < 200; i++) sink += Buffer.from(payload, 'utf8').length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += Buffer.from(payload, 'utf8').length;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  return sink > 0 ? ns : ns;
}

async function cirBenches(): Promise<void> {
  const cryptoHash = (s: string) => createHash('sha256').update(s).digest();
  // the bucket hash Firstlight evaluates with: the rule's compiled salt prefix plus the unit ID
  const prefixes = new Map<string, Sha256Prefix>();
  const split = Array.from({ length: 4096 }, (_, i) => {
    const key = bucketKey(i);
    const cut = key.lastIndexOf('.') + 1;
    const text = key.slice(0, cut);
    let p = prefixes.get(text);
    if (p === undefined) prefixes.set(text, (p = sha256Prefix(text)));
    return { prefix: p, unit: key.slice(cut) };
  });
  let j = 0;
  const flNs = hashCostNs(() => {
    const k = split[j++ & 4095]!;
    return sha256Mod10000Prefixed(k.prefix, k.unit);
  });
  const cryptoNs = hashCostNs(cryptoHash);
  const hashNs = Math.min(flNs, cryptoNs);
  notes.push(
    `SHA-256 cost per bucket key (${bucketKey(1).length} bytes, two blocks, like the payload's): Firstlight's bucket hash (compiled salt prefix + unit ID, sha256 → u64 mod 10000) ${flNs.toFixed(0)} ns, node:crypto createHash ${cryptoNs.toFixed(0)} ns; the floor uses the faster.`,
  );
  const plan: { size: DcsSize; latin1?: boolean; users: number; warm: number }[] = QUICK
    ? [
        { size: 'small', users: 400, warm: 100 },
        { size: 'large', users: 150, warm: 40 },
        { size: 'large', latin1: true, users: 150, warm: 40 },
        { size: 'larger', users: 60, warm: 16 },
        { size: 'xlarge', users: 30, warm: 8 },
      ]
    : [
        { size: 'small', users: 2000, warm: 1000 },
        { size: 'large', users: 1000, warm: 1000 },
        { size: 'large', latin1: true, users: 1000, warm: 1000 },
        { size: 'larger', users: 300, warm: 300 },
        { size: 'xlarge', users: 150, warm: 200 },
      ];
  notes.push(
    'The generated payloads carry one non-Latin-1 character (U+2713) in a string value, so each bootstrap is a two-byte string: on the large payload ~176 KB, past V8\'s 128 KB regular-object limit, and every implementation pays a fresh large-object allocation plus a two-byte UTF-8 length per call. The "Latin-1 text only" row replaces that one character to show the same payload as a one-byte string.',
    'js-on-device-eval-client is @statsig/js-on-device-eval-client 3.33.5 (Statsig\'s pure-TS bootstrap generator): getClientInitializeResponse + JSON.stringify on a client fed the DCS through dataAdapter.setData and initializeSync, network prevented. It has no country or UA enrichment and no ID lists (anchors-2026-12 §0), so its payload is not the same as the others\'.',
    '"Firstlight init-v2" is the same bootstrap in the compact init-v2 format (format: \'init-v2\'); its ratio column compares it with Firstlight v1 in the same rounds.',
  );
  for (const p of plan) {
    const { g, specs, node, core } = await setup(p.size, p.latin1);
    const ode = OnDeviceEvalReference.create(JSON.stringify(g.dcs), p.size);
    // distinct users: [warm-up users..., measured users...]; each implementation sees each once
    const all = generateUsers(`${SEED}-cir-${p.size}`, p.warm + p.users);
    const measured = all.slice(p.warm);
    const warm = all.slice(0, p.warm);
    const nodeMeasured = measured.map((u) => cloneUser(u));
    const nodeWarm = warm.map((u) => cloneUser(u));
    const odeMeasured = measured.map((u) => cloneUser(u));
    const odeWarm = warm.map((u) => cloneUser(u));
    const coreMeasured = measured.map((u) => core.toCoreUser(u));
    const coreWarm = warm.map((u) => core.toCoreUser(u));
    const label = `CIR djb2, cold users (${p.size}${p.latin1 ? ', Latin-1 text only' : ''})`;
    log(`${label}: ${p.users} users`);
    const fl = (u: object) => clientInitializeResponseJSON(specs, u, { hash: 'djb2' });
    const fl2 = (u: object) => clientInitializeResponseJSON(specs, u, { hash: 'djb2', format: 'init-v2' });
    const nd = (u: object) => JSON.stringify(node.server.getClientInitializeResponse(u as never, undefined, { hash: 'djb2' }));
    const cr = (u: CoreUser) => core.statsig.getClientInitializeResponse(u, { hashAlgorithm: 'djb2' });
    const od = (u: object) => ode.gcir(u);
    const contenders = [
      { impl: 'Firstlight', warm, measured, op: fl },
      { impl: 'Firstlight init-v2', warm, measured, op: fl2 },
      { impl: 'statsig-node', warm: nodeWarm, measured: nodeMeasured, op: nd },
      { impl: 'statsig-node-core', warm: coreWarm, measured: coreMeasured, op: cr },
      { impl: 'js-on-device-eval-client', warm: odeWarm, measured: odeMeasured, op: od },
    ];
    const { stats, bytes } = benchInterleaved(label, contenders);
    const extras = ['', '', ' (incl. JSON.stringify)', ' (its own format details)', ' (incl. JSON.stringify)'];
    stats.forEach((row, i) => {
      const sample = contenders[i]!.op(contenders[i]!.measured[0] as never);
      row.extra = `payload ${(bytes[i]! / p.users / 1024).toFixed(1)} KB, gzip ${(gzipSync(sample).length / 1024).toFixed(1)} KB${extras[i]}`;
    });
    rows.push(...stats);

    // the floor
    const sample = measured.slice(0, Math.min(50, measured.length));
    const hashes = countNodeHashes(node, sample);
    const payload = fl(measured[0]!);
    const copyNs = copyCostNs(payload);
    const floorUs = (hashes.distinct * hashNs + copyNs) / 1000;
    const floor: Stats = {
      label,
      impl: 'floor',
      n: sample.length,
      p50: floorUs,
      p99: NaN,
      mean: floorUs,
      opsPerSec: 1e6 / floorUs,
      extra: `${hashes.distinct.toFixed(0)} distinct SHA-256 per payload (statsig-node asks for ${hashes.calls.toFixed(0)}) × ${hashNs.toFixed(0)} ns + UTF-8 encode of ${(payload.length / 1024).toFixed(1)} KB (${(copyNs / 1000).toFixed(1)} µs)`,
    };
    rows.push(floor);
    if (!p.latin1) {
      const cir = JSON.parse(payload) as Record<string, Record<string, unknown>>;
      const entities = ['feature_gates', 'dynamic_configs', 'layer_configs'].reduce((n, k) => n + Object.keys(cir[k]!).length, 0);
      scaling.push({ size: p.size, entities, p50: new Map([...stats.map((r) => [r.impl, r.p50] as const), ['floor', floorUs]]) });
    }
    node.shutdown();
    ode.shutdown();
    await core.shutdown();
  }
}

/** Bootstrap p50 per implementation and project size (the rows above without the Latin-1 twin). */
const scaling: { size: DcsSize; entities: number; p50: Map<string, number> }[] = [];
const SCALING_IMPLS: { impl: string; color: string; dashed?: boolean }[] = [
  { impl: 'Firstlight', color: '#1f77b4' },
  { impl: 'Firstlight init-v2', color: '#17becf' },
  { impl: 'statsig-node', color: '#ff7f0e' },
  { impl: 'statsig-node-core', color: '#d62728' },
  { impl: 'js-on-device-eval-client', color: '#9467bd' },
  { impl: 'floor', color: '#7f7f7f', dashed: true },
];

function scalingTable(): string {
  const head = `| implementation | ${scaling.map((s) => `${s.size} (${s.entities} entities)`).join(' | ')} | growth smallest → largest |`;
  const lines = [head, `|---|${scaling.map(() => '---:|').join('')}---:|`];
  for (const { impl } of SCALING_IMPLS) {
    const cells = scaling.map((s) => {
      const us = s.p50.get(impl)!;
      return `${us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`} (${(us / s.entities).toFixed(2)} µs/entity)`;
    });
    const first = scaling[0]!;
    const last = scaling[scaling.length - 1]!;
    const growth = last.p50.get(impl)! / first.p50.get(impl)!;
    lines.push(`| ${impl} | ${cells.join(' | ')} | ${growth.toFixed(0)}× for ${(last.entities / first.entities).toFixed(0)}× the entities |`);
  }
  const ratio = (impl: string, base: string) => scaling.map((s) => (s.p50.get(impl)! / s.p50.get(base)!).toFixed(2));
  lines.push(`| statsig-node-core ÷ Firstlight | ${ratio('statsig-node-core', 'Firstlight').join(' | ')} | |`);
  lines.push(`| Firstlight ÷ floor | ${ratio('Firstlight', 'floor').join(' | ')} | |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
const started = Date.now();
if (ONLY !== 'cir') await gateBenches();
if (ONLY !== 'gates') await cirBenches();

const memUsage = process.memoryUsage();
console.log(`\n## Firstlight benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${QUICK ? 'quick' : 'full'} run, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
console.log(table(rows));
console.log('');
if (scaling.length > 0) {
  console.log('### Bootstrap p50 by project size (cold users, djb2)\n');
  console.log(scalingTable());
  console.log('');
  if (!QUICK) {
    const svg = scalingSvg(
      `Bootstrap p50 by project size (${new Date().toISOString().slice(0, 10)}, node ${process.version})`,
      SCALING_IMPLS.map((s) => ({ name: s.impl, color: s.color, dashed: s.dashed, points: scaling.map((x) => [x.entities, x.p50.get(s.impl)!] as const) })),
    );
    writeFileSync(PLOT_FILE, svg);
    console.log(`- Plot written to ${PLOT_FILE}.`);
  }
}
for (const n of notes) console.log(`- ${n}`);
console.log(`- Ratios are p50(implementation) / p50(Firstlight) for the same row group; "floor" is the physical lower bound estimate, not an implementation.`);
console.log(`- Process RSS at the end: ${mb(memUsage.rss)}.`);
// statsig-node-core keeps native handles alive after shutdown
process.exit(0);
