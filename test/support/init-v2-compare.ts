/**
 * init-v2 payloads compared by what they say, not by how their tables happen to be numbered:
 * every entry with its `v` index replaced by the value it points to and its `s`/`us` indexes by
 * the exposures (field order kept), re-serialised. statsig-node-core numbers its tables in hash-map
 * order, which changes from run to run; everything else of an entry is compared byte for byte.
 */
type Obj = Record<string, unknown>;

export interface InitV2Payload extends Obj {
  feature_gates: Record<string, Obj>;
  dynamic_configs: Record<string, Obj>;
  layer_configs: Record<string, Obj>;
  values: Record<string, unknown>;
  exposures: Record<string, unknown>;
}

/**
 * `section/key` → the entry's canonical JSON: fields in their order, exposures resolved, the value
 * resolved with its object keys sorted (statsig-node-core writes a value's keys in hash-map order).
 */
export function canonicalEntries(p: InitV2Payload): Map<string, string> {
  const out = new Map<string, string>();
  const resolve = (entry: Obj): string => {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(entry)) {
      let json: string;
      if (k === 'v' && typeof v === 'string') {
        if (!(v in p.values)) throw new Error(`value index ${v} missing from values`);
        json = sortedJson(p.values[v]);
      } else if ((k === 's' || k === 'us') && Array.isArray(v)) {
        json = JSON.stringify(v.map((id: string) => {
          if (!(id in p.exposures)) throw new Error(`exposure index ${id} missing from exposures`);
          return p.exposures[id];
        }));
      } else json = JSON.stringify(v);
      parts.push(JSON.stringify(k) + ':' + json);
    }
    return '{' + parts.join(',') + '}';
  };
  for (const section of ['feature_gates', 'dynamic_configs', 'layer_configs'] as const) {
    for (const [key, entry] of Object.entries(p[section])) out.set(`${section}/${key}`, resolve(entry));
  }
  return out;
}

/** Table problems: an index no entry uses, or two slots holding the same value / exposure. */
export function tableProblems(p: InitV2Payload): string[] {
  const problems: string[] = [];
  const usedValues = new Set<string>();
  const usedExposures = new Set<string>();
  for (const section of ['feature_gates', 'dynamic_configs', 'layer_configs'] as const) {
    for (const entry of Object.values(p[section])) {
      if (typeof entry.v === 'string') usedValues.add(entry.v);
      for (const k of ['s', 'us']) for (const id of (entry[k] as string[] | undefined) ?? []) usedExposures.add(id);
    }
  }
  const check = (name: string, table: Record<string, unknown>, used: Set<string>) => {
    const seen = new Map<string, string>();
    for (const [id, v] of Object.entries(table)) {
      if (!used.has(id)) problems.push(`${name}[${id}] is not referenced`);
      const text = JSON.stringify(v);
      const dup = seen.get(text);
      if (dup !== undefined) problems.push(`${name}[${id}] repeats ${name}[${dup}]`);
      seen.set(text, id);
    }
  };
  check('values', p.values, usedValues);
  check('exposures', p.exposures, usedExposures);
  return problems;
}

/**
 * The v1 fields that carry the evaluation (id_type is left out: statsig-node writes none for layers;
 * the init-v2 comparison checks `i` itself).
 */
const V1_FIELDS = [
  'value', 'rule_id', 'secondary_exposures', 'group_name', 'passed', 'is_user_in_experiment',
  'is_experiment_active', 'allocated_experiment_name', 'explicit_parameters', 'undelegated_secondary_exposures',
] as const;

/** JSON with object keys sorted (statsig-node-core's v1 values come out in hash-map order). */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(',') + ']';
  if (typeof v === 'object' && v !== null) {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + sortedJson((v as Obj)[k])).join(',') + '}';
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Whether two v1 entries (Firstlight's statsig-node-shaped one and statsig-node-core's own) carry
 * the same evaluation: every evaluation field is equal (absent, null and [] alike; keys unordered).
 */
export function sameEvaluation(a: Obj | undefined, b: Obj | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const norm = (v: unknown) => (v === undefined || v === null || (Array.isArray(v) && v.length === 0) ? null : sortedJson(v));
  return V1_FIELDS.every((k) => norm(a[k]) === norm(b[k]));
}
