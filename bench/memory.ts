/**
 * `npm run bench:memory` (node --expose-gc): one million distinct users through the bootstrap
 * path (clientInitializeResponseJSON, djb2). Users are generated on the fly (each a pure function
 * of its index), so the only thing that could grow is Firstlight's own state. Reports RSS and heap
 * growth after a warm-up; the budget is 64 MB of RSS growth.
 *   --users N        (default 1,000,000)
 *   --specs fixture|small|large   (default small)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { clientInitializeResponseJSON, parseSpecs, type Specs } from '../lib/index';
import { generateDcs } from '../bin/generate/generate-dcs';
import { makeUser } from '../bin/generate/generate-users';
import { mb } from './helpers';

const { values } = parseArgs({ options: { users: { type: 'string' }, specs: { type: 'string' } }, strict: true });
const TOTAL = Number(values.users ?? 1_000_000);
const WHICH = (values.specs as string | undefined) ?? 'small';
const BUDGET = 64 * 1024 * 1024;
const WARMUP = Math.min(20_000, Math.floor(TOTAL / 10));

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with --expose-gc (npm run bench:memory does)');
  process.exit(2);
}

function load(): Specs {
  if (WHICH === 'fixture') {
    return parseSpecs(readFileSync(new URL('../test/fixtures/example-dcs.json', import.meta.url), 'utf8'));
  }
  if (WHICH !== 'small' && WHICH !== 'large') throw new Error(`--specs must be fixture, small or large (got ${WHICH})`);
  const g = generateDcs({ size: WHICH, seed: 1 });
  return parseSpecs(g.dcs, { idLists: g.idLists });
}

const specs = load();
let bytes = 0;
for (let i = 0; i < WARMUP; i++) bytes += clientInitializeResponseJSON(specs, makeUser('memory', i), { hash: 'djb2' }).length;
gc();
gc();
const base = process.memoryUsage();
let peakRss = base.rss;
const started = Date.now();
const step = Math.max(1, Math.floor(TOTAL / 10));
console.log(`${WHICH} specs; warm-up ${WARMUP} users; baseline RSS ${mb(base.rss)}, heap ${mb(base.heapUsed)}`);
for (let i = WARMUP; i < TOTAL; i++) {
  bytes += clientInitializeResponseJSON(specs, makeUser('memory', i), { hash: 'djb2' }).length;
  if ((i + 1) % 4096 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if ((i + 1) % step === 0) {
    const m = process.memoryUsage();
    const rate = (i + 1 - WARMUP) / ((Date.now() - started) / 1000);
    console.log(
      `${String(i + 1).padStart(8)} users  RSS ${mb(m.rss)} (+${mb(m.rss - base.rss)})  heap ${mb(m.heapUsed)}  ${rate.toFixed(0)} users/s`,
    );
  }
}
gc();
gc();
const end = process.memoryUsage();
const growth = end.rss - base.rss;
const peakGrowth = peakRss - base.rss;
console.log('');
console.log(`| users | payload bytes (avg) | RSS growth after GC | peak RSS growth | heap growth | budget |`);
console.log(`|---:|---:|---:|---:|---:|---:|`);
console.log(
  `| ${TOTAL.toLocaleString('en-US')} | ${(bytes / TOTAL).toFixed(0)} | ${mb(growth)} | ${mb(peakGrowth)} | ${mb(end.heapUsed - base.heapUsed)} | ${mb(BUDGET)} |`,
);
const ok = Math.max(growth, peakGrowth) <= BUDGET;
console.log(`\n${ok ? 'OK' : 'OVER BUDGET'}: RSS growth ${mb(Math.max(growth, peakGrowth))} (peak) vs ${mb(BUDGET)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = ok ? 0 : 1;
