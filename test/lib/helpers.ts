/** Small DCS builders for lib tests. */
import { parseSpecs, type ParseSpecsOptions } from '../../lib/index';

export type Json = Record<string, unknown>;

export function rule(id: string, conditions: Json[], extra: Json = {}): Json {
  return { name: id, id, salt: id, passPercentage: 100, conditions, returnValue: true, idType: 'userID', ...extra };
}

export function gate(name: string, rules: Json[], extra: Json = {}): Json {
  return { name, type: 'feature_gate', entity: 'feature_gate', salt: `${name}-salt`, enabled: true, defaultValue: false, rules, idType: 'userID', ...extra };
}

export function dcs(parts: { gates?: Json[]; configs?: Json[]; layers?: Json[]; extra?: Json }): Json {
  return {
    has_updates: true,
    time: 1735689600000,
    feature_gates: parts.gates ?? [],
    dynamic_configs: parts.configs ?? [],
    layer_configs: parts.layers ?? [],
    layers: {},
    ...parts.extra,
  };
}

/** Specs with one gate `g` whose single rule has `conditions`. */
export function oneGate(conditions: Json[], opts?: ParseSpecsOptions, more: Json[] = []) {
  return parseSpecs(dcs({ gates: [gate('g', [rule('r', conditions)]), ...more] }), opts);
}

export function cond(type: string, operator: string | null, targetValue: unknown, extra: Json = {}): Json {
  return { type, operator, targetValue, field: null, idType: 'userID', additionalValues: {}, ...extra };
}
