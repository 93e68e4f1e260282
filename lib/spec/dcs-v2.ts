/**
 * download_config_specs v2, the format Statsig's current server core reads (`/v2/download_config_specs`):
 * specs are maps keyed by name (no `name` field), rule conditions are keys into one shared
 * `condition_map`, and `experiment_to_layer` replaces `layers`. It carries the same information as
 * v1, so it is read by rewriting it into the v1 shape that the schema and the compiler already check,
 * instead of a second compiler that could drift from the first.
 */
import { SpecParseError } from '../errors';

export type DcsFormat = 'dcs-v1' | 'dcs-v2';

type Obj = Record<string, unknown>;

const SPEC_LISTS = ['feature_gates', 'dynamic_configs', 'layer_configs'] as const;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The format of a parsed payload: `response_format` when it names one, else the shape of the spec
 * lists (maps by name: v2; otherwise v1, so the v1 schema reports what is missing or wrong).
 */
export function detectDcsFormat(data: unknown): DcsFormat {
  if (!isObj(data)) throw new SpecParseError(`invalid download_config_specs payload: expected a JSON object, got ${kindOf(data)}`);
  const declared = data.response_format;
  if (declared === 'dcs-v2') return 'dcs-v2';
  if (declared === 'dcs-v1') return 'dcs-v1';
  const shapes = SPEC_LISTS.map((k) => data[k]);
  if (shapes.some((s) => isObj(s)) && !shapes.some((s) => Array.isArray(s))) return 'dcs-v2';
  // anything else is read as v1, whose schema names the field that is wrong
  return 'dcs-v1';
}

/**
 * A v1-shaped copy of a v2 payload (the input is not modified). Unknown top-level fields are kept,
 * like the v1 schema keeps them. A rule that names a condition missing from `condition_map` is an
 * error: evaluating it without that condition would pass users it should not.
 */
export function dcsV2ToV1(data: Obj): Obj {
  const conditions = data.condition_map ?? {};
  if (!isObj(conditions)) throw new SpecParseError(`invalid download_config_specs payload (dcs-v2): condition_map is ${kindOf(conditions)}, expected an object`);
  const { condition_map: _c, experiment_to_layer: e2l, response_format: _f, ...top } = data;
  void _c;
  void _f;
  const out: Obj = { ...top };
  for (const list of SPEC_LISTS) out[list] = specList(data[list], list, conditions);
  if (out.layers == null && e2l != null) {
    if (!isObj(e2l)) throw new SpecParseError(`invalid download_config_specs payload (dcs-v2): experiment_to_layer is ${kindOf(e2l)}, expected an object`);
    const layers: Record<string, string[]> = {};
    for (const [experiment, layer] of Object.entries(e2l)) {
      if (typeof layer !== 'string') throw new SpecParseError(`invalid download_config_specs payload (dcs-v2): experiment_to_layer.${experiment} is ${kindOf(layer)}, expected a string`);
      (layers[layer] ??= []).push(experiment);
    }
    out.layers = layers;
  }
  return out;
}

function specList(map: unknown, list: string, conditions: Obj): Obj[] {
  if (map == null) return [];
  if (!isObj(map)) throw new SpecParseError(`invalid download_config_specs payload (dcs-v2): ${list} is ${kindOf(map)}, expected a map by name`);
  return Object.entries(map).map(([name, spec]) => {
    if (!isObj(spec)) throw new SpecParseError(`invalid download_config_specs payload (dcs-v2): ${list}.${name} is ${kindOf(spec)}, expected an object`);
    const rules = Array.isArray(spec.rules) ? spec.rules.map((r, i) => rule(r, `${list}.${name}.rules.${i}`, conditions)) : spec.rules;
    return { ...spec, name, rules };
  });
}

function rule(r: unknown, path: string, conditions: Obj): unknown {
  if (!isObj(r) || !Array.isArray(r.conditions)) return r; // the v1 schema names what is wrong with it
  const resolved = r.conditions.map((key, i) => {
    if (isObj(key)) return key; // an inline condition, as in v1
    const c = typeof key === 'string' && Object.hasOwn(conditions, key) ? conditions[key] : undefined;
    if (c === undefined) throw new SpecParseError(`invalid download_config_specs payload (dcs-v2): ${path}.conditions.${i} names condition ${JSON.stringify(key)}, which condition_map does not have`);
    return c;
  });
  return { ...r, conditions: resolved };
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v === undefined) return 'missing';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
