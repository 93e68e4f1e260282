/**
 * Which entities a bootstrap carries and in what order, shared by both payload formats: the client
 * key's target app and entity lists, `only` (plus what the kept entities' exposures need), and the
 * Object.assign key order statsig-node gives when two names hash to one key.
 */
import type { CompiledSpec } from '../spec/compiled';
import { jsKeyOrder } from '../spec/key-order';
import type { Evaluation } from '../evaluation';
import type { SecondaryExposure } from '../types';

export type Filter = (spec: CompiledSpec) => boolean;

export interface Selection {
  readonly includeGate: Filter;
  readonly includeConfig: Filter;
  readonly includeLayer: Filter;
  /** No client-key or `only` filter applies: every gate, config and layer is written. */
  readonly unfiltered: boolean;
}

/** The names `only` keeps: the named entities plus the gates their exposures name and layer delegates. */
function onlySet(ev: Evaluation, only: readonly string[]): Set<string> {
  const keep = new Set(only);
  const addExposures = (list: readonly SecondaryExposure[]) => {
    for (const e of list) keep.add(e.gate);
  };
  for (const name of only) {
    if (ev.specs.gates.has(name)) addExposures(ev.gateResult(name).secondary);
    if (ev.specs.configs.has(name)) addExposures(ev.configResult(name).secondary);
    if (ev.specs.layers.has(name)) {
      const r = ev.layerResult(name);
      addExposures(r.secondary);
      addExposures(r.undelegated);
      if (r.configDelegate) keep.add(r.configDelegate);
    }
  }
  return keep;
}

export function selection(ev: Evaluation, only: readonly string[] | undefined): Selection {
  const { filterApp, entities } = ev.target;
  const keep = only === undefined ? null : onlySet(ev, only);
  const appOk: Filter = filterApp === null ? () => true : (spec) => spec.targetAppIDs !== null && spec.targetAppIDs.has(filterApp);
  return {
    includeGate: (spec) =>
      spec.entity !== 'segment' &&
      spec.entity !== 'holdout' &&
      (entities === null || entities.gates.has(spec.name)) &&
      appOk(spec) &&
      (keep === null || keep.has(spec.name)),
    includeConfig: (spec) => (entities === null || entities.configs.has(spec.name)) && appOk(spec) && (keep === null || keep.has(spec.name)),
    includeLayer: (spec) => appOk(spec) && (keep === null || keep.has(spec.name)),
    unfiltered: filterApp === null && entities === null && keep === null,
  };
}

/**
 * Appends `"key":entry,...` for one map to `out`, in statsig-node's key order. With a key collision
 * the later entry's value sits at the earlier key's position (Object.assign).
 */
export function section(
  out: string[],
  list: readonly CompiledSpec[],
  storeList: readonly CompiledSpec[],
  hasCollisions: boolean,
  include: Filter,
  entry: (spec: CompiledSpec) => string,
  mode: 0 | 1 | 2,
): void {
  let first = true;
  if (!hasCollisions) {
    for (let i = 0; i < list.length; i++) {
      const spec = list[i]!;
      if (!include(spec)) continue;
      if (!first) out.push(',');
      first = false;
      out.push(spec.keyJson[mode], ':', entry(spec));
    }
    return;
  }
  const byKey = new Map<string, string>();
  for (const spec of storeList) if (include(spec)) byKey.set(spec.key[mode], entry(spec));
  const keys = [...byKey.keys()];
  for (const i of jsKeyOrder(keys)) {
    const k = keys[i]!;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(k), ':', byKey.get(k)!);
  }
}
