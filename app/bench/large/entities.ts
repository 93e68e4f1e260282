/**
 * The entities the large-project benchmark page reads. `npm run bench:ssr` generates the project,
 * picks a handful of its entities and passes their names in FIRSTLIGHT_BENCH_ENTITIES (JSON), so the
 * page works for any generated project without hard-coded names.
 */
import { notFound } from 'next/navigation';
import { z } from 'zod';
import type { RequestFlagsOptions } from 'firstlight/next';
import { FLAGS } from '../../firstlight';

const names = z.array(z.string().min(1).max(200)).max(20);
const schema = z.object({ gates: names.min(1), experiments: names, configs: names, layers: names });

export type BenchEntities = z.infer<typeof schema>;

function read(): BenchEntities | null {
  const raw = process.env.FIRSTLIGHT_BENCH_ENTITIES;
  if (raw === undefined || raw.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('FIRSTLIGHT_BENCH_ENTITIES must be JSON: { gates, experiments, configs, layers } (arrays of names)');
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new Error(`FIRSTLIGHT_BENCH_ENTITIES: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return r.data;
}

const entities = read();

/** The page's entities; a 404 unless the benchmark set them. */
export function benchEntities(): BenchEntities {
  if (process.env.FIRSTLIGHT_BENCH_ROUTES !== '1' || entities === null) notFound();
  return entities;
}

const only = entities ? [...entities.gates, ...entities.experiments, ...entities.configs, ...entities.layers] : [];

/**
 * One options object per target (getRequestFlags memoises per object, so layout and page share one
 * evaluation): the full bootstrap or `only` the entities the page reads, in either payload format.
 */
export const TARGETS = {
  full: FLAGS,
  only: { ...FLAGS, only },
  'full-v2': { ...FLAGS, format: 'init-v2' },
  'only-v2': { ...FLAGS, only, format: 'init-v2' },
} as const satisfies Record<string, RequestFlagsOptions>;

export type BenchTarget = keyof typeof TARGETS;

export function targetOptions(target: string): RequestFlagsOptions {
  if (!Object.hasOwn(TARGETS, target)) notFound();
  return TARGETS[target as BenchTarget];
}
