/**
 * Local overrides (reference §8) as immutable data: every update returns a new value, so a
 * snapshot handed to an evaluation can never change under it.
 */
import type { JsonObject, StatsigUser } from './types';

/** A userID, a customID value, or '' for everyone. */
export type OverrideKey = string;
export type OverrideKind = 'gate' | 'config' | 'layer';

export interface LocalOverrides {
  readonly gates: ReadonlyMap<string, ReadonlyMap<OverrideKey, boolean>>;
  /** Dynamic configs and experiments. */
  readonly configs: ReadonlyMap<string, ReadonlyMap<OverrideKey, JsonObject>>;
  readonly layers: ReadonlyMap<string, ReadonlyMap<OverrideKey, JsonObject>>;
  /**
   * Experiments forced into a group (forced variants): the group name their override reports, so the
   * server read, the bootstrap and the browser's `groupName` name the group, not only its value.
   */
  readonly groups?: ReadonlyMap<string, string>;
}

const EMPTY: LocalOverrides = Object.freeze({ gates: new Map(), configs: new Map(), layers: new Map() });

export function emptyOverrides(): LocalOverrides {
  return EMPTY;
}

function field(kind: OverrideKind): keyof LocalOverrides {
  return kind === 'gate' ? 'gates' : kind === 'config' ? 'configs' : 'layers';
}

/** Sets `name` (for `key`, default everyone) to `value`; gates take booleans, the others objects. */
export function setOverride(
  o: LocalOverrides,
  kind: 'gate',
  name: string,
  value: boolean,
  key?: OverrideKey,
): LocalOverrides;
export function setOverride(
  o: LocalOverrides,
  kind: 'config' | 'layer',
  name: string,
  value: JsonObject,
  key?: OverrideKey,
): LocalOverrides;
export function setOverride(
  o: LocalOverrides,
  kind: OverrideKind,
  name: string,
  value: boolean | JsonObject,
  key: OverrideKey = '',
): LocalOverrides {
  const f = field(kind);
  const outer = new Map(o[f] as ReadonlyMap<string, ReadonlyMap<OverrideKey, unknown>>);
  const inner = new Map(outer.get(name) ?? []);
  inner.set(key, value);
  outer.set(name, inner);
  return Object.freeze({ ...o, [f]: outer }) as LocalOverrides;
}

/** Removes one key of `name`, all keys of `name` (no key), or every override of `kind` (no name). */
export function removeOverride(o: LocalOverrides, kind: OverrideKind, name?: string, key?: OverrideKey): LocalOverrides {
  const f = field(kind);
  const outer = new Map(o[f] as ReadonlyMap<string, ReadonlyMap<OverrideKey, unknown>>);
  if (name === undefined) outer.clear();
  else if (key === undefined) outer.delete(name);
  else {
    const inner = new Map(outer.get(name) ?? []);
    inner.delete(key);
    if (inner.size === 0) outer.delete(name);
    else outer.set(name, inner);
  }
  return Object.freeze({ ...o, [f]: outer }) as LocalOverrides;
}

export function hasAnyOverrides(o: LocalOverrides | undefined | null): boolean {
  return o != null && (o.gates.size > 0 || o.configs.size > 0 || o.layers.size > 0);
}

/**
 * The override for this user, looked up as statsig-node does: userID, then each customID value in
 * key order, then '' (everyone). Returns the matching key too (the result's id_type depends on it).
 */
export function lookupOverride<T>(
  byName: ReadonlyMap<string, ReadonlyMap<OverrideKey, T>>,
  user: StatsigUser,
  name: string,
): { readonly value: T; readonly global: boolean } | null {
  const byKey = byName.get(name);
  if (byKey === undefined) return null;
  if (user.userID != null) {
    const v = byKey.get(String(user.userID));
    if (v != null) return { value: v, global: false };
  }
  const customIDs = user.customIDs;
  if (customIDs != null && typeof customIDs === 'object') {
    for (const k in customIDs) {
      const id = customIDs[k];
      if (id == null) continue;
      const v = byKey.get(String(id));
      if (v != null) return { value: v, global: false };
    }
  }
  const all = byKey.get('');
  return all != null ? { value: all, global: true } : null;
}

/**
 * `base` with every entity `top` names replaced by top's entries for it: a per-request override (a
 * forced variant) wins over the instance's overrides of the same entity, whatever their keys.
 */
export function layerOverrides(base: LocalOverrides, top: LocalOverrides): LocalOverrides {
  if (!hasAnyOverrides(top)) return base;
  const merge = <T>(b: ReadonlyMap<string, ReadonlyMap<OverrideKey, T>>, t: ReadonlyMap<string, ReadonlyMap<OverrideKey, T>>) =>
    t.size === 0 ? b : new Map([...b, ...t]);
  const groups = new Map([...(base.groups ?? [])].filter(([name]) => !top.configs.has(name)));
  for (const [name, group] of top.groups ?? []) groups.set(name, group);
  return Object.freeze({ gates: merge(base.gates, top.gates), configs: merge(base.configs, top.configs), layers: merge(base.layers, top.layers), groups });
}
