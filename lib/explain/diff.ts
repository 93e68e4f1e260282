/**
 * What changes between two evaluations: two users on the same specs, or one user on two spec versions.
 * Per entity: the value, rule, group, reason and (layers) the experiment that set the parameters. Pure;
 * the explorer renders it. Values are compared as JSON with object keys in any order, because two
 * spec versions may write the same object with its keys reordered.
 */
import type { Evaluation } from '../evaluation';
import type { JsonValue } from '../types';

export type OutcomeKind = 'gate' | 'config' | 'experiment' | 'layer';

/** One entity's evaluation, the fields a diff compares. */
export interface EntityOutcome {
  readonly kind: OutcomeKind;
  readonly name: string;
  readonly value: JsonValue;
  readonly ruleID: string;
  readonly groupName: string | null;
  readonly reason: string;
  /** Layers: the experiment that set the parameters; null otherwise. */
  readonly allocatedExperiment: string | null;
}

export type DiffField = 'value' | 'rule' | 'group' | 'reason' | 'experiment';
export const DIFF_FIELDS: readonly DiffField[] = ['value', 'rule', 'group', 'reason', 'experiment'];

/** `onlyA` / `onlyB`: the entity exists on one side only (a spec version added or removed it). */
export type DiffStatus = 'same' | 'changed' | 'onlyA' | 'onlyB';

export interface EntityDiff<T extends EntityOutcome = EntityOutcome> {
  readonly kind: OutcomeKind;
  readonly name: string;
  readonly status: DiffStatus;
  /** The fields that differ (empty unless `changed`). */
  readonly changed: readonly DiffField[];
  readonly a: T | null;
  readonly b: T | null;
}

export interface EvaluationDiff<T extends EntityOutcome = EntityOutcome> {
  /** Changed and one-sided entities first (in A's order, then B's), then the unchanged ones. */
  readonly entities: readonly EntityDiff<T>[];
  readonly counts: { readonly same: number; readonly changed: number; readonly onlyA: number; readonly onlyB: number };
}

/** Every entity of the evaluation's specs, in the specs' order: gates, configs, experiments, layers. */
export function entityOutcomes(ev: Evaluation): EntityOutcome[] {
  const out: EntityOutcome[] = [];
  for (const name of ev.specs.gates.keys()) {
    const g = ev.getFeatureGate(name);
    out.push({ kind: 'gate', name, value: g.value, ruleID: g.ruleID, groupName: g.groupName, reason: g.details.reason, allocatedExperiment: null });
  }
  const experiments: EntityOutcome[] = [];
  for (const spec of ev.specs.configs.values()) {
    const isExperiment = spec.entity === 'experiment';
    const c = isExperiment ? ev.getExperiment(spec.name) : ev.getConfig(spec.name);
    (isExperiment ? experiments : out).push({
      kind: isExperiment ? 'experiment' : 'config',
      name: spec.name,
      value: c.value as JsonValue,
      ruleID: c.ruleID,
      groupName: c.groupName,
      reason: c.details.reason,
      allocatedExperiment: null,
    });
  }
  out.push(...experiments);
  for (const name of ev.specs.layers.keys()) {
    const l = ev.getLayer(name);
    out.push({ kind: 'layer', name, value: l.value as JsonValue, ruleID: l.ruleID, groupName: l.groupName, reason: l.details.reason, allocatedExperiment: l.allocatedExperimentName });
  }
  return out;
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]!));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k]!, b[k]!));
}

function changedFields(a: EntityOutcome, b: EntityOutcome): DiffField[] {
  const out: DiffField[] = [];
  if (!jsonEqual(a.value, b.value)) out.push('value');
  if (a.ruleID !== b.ruleID) out.push('rule');
  if (a.groupName !== b.groupName) out.push('group');
  if (a.reason !== b.reason) out.push('reason');
  if (a.allocatedExperiment !== b.allocatedExperiment) out.push('experiment');
  return out;
}

const keyOf = (o: EntityOutcome) => `${o.kind}\u0000${o.name}`;

/** Entity by entity, what differs between side A and side B. */
export function diffOutcomes<T extends EntityOutcome>(a: readonly T[], b: readonly T[]): EvaluationDiff<T> {
  const byKeyB = new Map<string, T>();
  for (const o of b) byKeyB.set(keyOf(o), o);
  const seen = new Set<string>();
  const different: EntityDiff<T>[] = [];
  const same: EntityDiff<T>[] = [];
  const counts = { same: 0, changed: 0, onlyA: 0, onlyB: 0 };
  for (const x of a) {
    const key = keyOf(x);
    if (seen.has(key)) continue;
    seen.add(key);
    const y = byKeyB.get(key);
    if (y === undefined) {
      counts.onlyA++;
      different.push({ kind: x.kind, name: x.name, status: 'onlyA', changed: [], a: x, b: null });
      continue;
    }
    const changed = changedFields(x, y);
    if (changed.length === 0) {
      counts.same++;
      same.push({ kind: x.kind, name: x.name, status: 'same', changed, a: x, b: y });
    } else {
      counts.changed++;
      different.push({ kind: x.kind, name: x.name, status: 'changed', changed, a: x, b: y });
    }
  }
  for (const y of b) {
    const key = keyOf(y);
    if (seen.has(key)) continue;
    seen.add(key);
    counts.onlyB++;
    different.push({ kind: y.kind, name: y.name, status: 'onlyB', changed: [], a: null, b: y });
  }
  return { entities: [...different, ...same], counts };
}
