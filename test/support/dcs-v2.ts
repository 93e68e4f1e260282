/**
 * DCS v1 -> v2 (the statsig-server-core format, reference §3): spec maps keyed by name (no `name`
 * field), rule conditions replaced by keys into a shared `condition_map`, `experiment_to_layer`
 * instead of `layers`. Identical conditions share one key, as Statsig's server does.
 */
import { djb2 } from '../../bin/generate/generate-dcs';

type AnyObj = Record<string, unknown>;

export interface DcsV2 extends AnyObj {
  feature_gates: Record<string, AnyObj>;
  dynamic_configs: Record<string, AnyObj>;
  layer_configs: Record<string, AnyObj>;
  condition_map: Record<string, AnyObj>;
  experiment_to_layer: Record<string, string>;
  response_format: 'dcs-v2';
}

export function toDcsV2(v1: unknown): DcsV2 {
  const src = (typeof v1 === 'string' ? JSON.parse(v1) : v1) as AnyObj;
  const conditionMap: Record<string, AnyObj> = {};
  const keyOf = new Map<string, string>();

  const conditionKey = (c: AnyObj): string => {
    const text = JSON.stringify(c);
    let key = keyOf.get(text);
    if (key === undefined) {
      key = djb2(text);
      // resolve the (rare) djb2 collision between different conditions
      while (conditionMap[key] !== undefined) key = `${key}_`;
      keyOf.set(text, key);
      conditionMap[key] = normaliseCondition(c);
    }
    return key;
  };

  const convertSpecs = (list: unknown): Record<string, AnyObj> => {
    const out: Record<string, AnyObj> = {};
    for (const spec of (list as AnyObj[]) ?? []) {
      const { name, rules, ...rest } = spec;
      out[String(name)] = {
        ...rest,
        rules: ((rules as AnyObj[]) ?? []).map((rule) => ({
          ...rule,
          conditions: ((rule.conditions as AnyObj[]) ?? []).map(conditionKey),
        })),
      };
    }
    return out;
  };

  const experimentToLayer: Record<string, string> = {};
  for (const [layer, experiments] of Object.entries((src.layers as Record<string, string[]>) ?? {})) {
    for (const e of experiments) experimentToLayer[e] = layer;
  }

  const { layers: _layers, hashed_sdk_keys_to_entities: _entities, ...top } = src;
  void _layers;
  void _entities;
  return {
    ...top,
    response_format: 'dcs-v2',
    feature_gates: convertSpecs(src.feature_gates),
    dynamic_configs: convertSpecs(src.dynamic_configs),
    layer_configs: convertSpecs(src.layer_configs),
    condition_map: conditionMap,
    experiment_to_layer: experimentToLayer,
  };
}

/** v2 `additionalValues` is a string map; v1 conditions from the console already are. */
function normaliseCondition(c: AnyObj): AnyObj {
  const out: AnyObj = { ...c };
  const av = c.additionalValues as AnyObj | null | undefined;
  if (av && typeof av === 'object') {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(av)) if (v != null) clean[k] = String(v);
    out.additionalValues = clean;
  }
  delete out.isDeviceBased;
  return out;
}
