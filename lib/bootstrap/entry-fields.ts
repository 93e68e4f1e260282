/**
 * What a bootstrap entry says, whatever the payload format: the value JSON a config shows, where
 * is_user_in_experiment comes from, and a layer's view of its delegate. statsig-node's rules,
 * written once so the v1 and init-v2 payloads cannot disagree.
 */
import { djb2 } from '../hash/djb2';
import { sha256Base64 } from '../hash/sha256';
import type { CompiledSpec } from '../spec/compiled';
import type { Evaluation } from '../evaluation';
import type { EvalResult } from '../eval/result';

export function hashName(name: string, mode: 0 | 1 | 2): string {
  return mode === 0 ? djb2(name) : mode === 1 ? sha256Base64(name) : name;
}

export function isExperimentLike(spec: CompiledSpec): boolean {
  const entity = spec.entity;
  return entity !== 'dynamic_config' && entity !== 'autotune';
}

/** Experiments: the re-evaluation statsig-node reports as is_user_in_experiment; null otherwise. */
export function rawFor(ev: Evaluation, spec: CompiledSpec): EvalResult | null {
  return isExperimentLike(spec) ? ev.rawConfigResult(spec, true) : null;
}

/** The value JSON a config or experiment entry shows (experiments in layers: merged over the layer's default). */
export function configValueJson(spec: CompiledSpec, r: EvalResult): string {
  const inLayer = isExperimentLike(spec) && spec.hasSharedParams;
  if (!inLayer) return r.unsupported ? '{}' : r.json.json;
  if (r.unsupported) return spec.cir.emptyMergedJson;
  if (r.json.mergedJson !== null && r.configDelegate === null && r.reason === null) return r.json.mergedJson;
  return JSON.stringify({ ...(spec.cir.layerDefault as object), ...(r.json.value as object) });
}

export function layerValueJson(r: EvalResult): string {
  return r.unsupported ? '{}' : r.json.json;
}

export interface DelegateView {
  /** The delegate experiment, when the layer allocated the user to one. */
  readonly delegate: CompiledSpec | undefined;
  /** A non-empty group name of the delegate's top-level re-evaluation (replaces the layer's). */
  readonly delegateGroup: string | null;
  /** The delegate's nested re-evaluation: its is_user_in_experiment. */
  readonly raw: EvalResult | null;
}

/**
 * statsig-node re-evaluates a layer's delegate twice: with the target app for group_name (a
 * non-empty one replaces the layer's) and without it for is_user_in_experiment.
 */
export function delegateView(ev: Evaluation, r: EvalResult): DelegateView {
  const delegate = r.configDelegate !== null && r.configDelegate !== '' ? ev.specs.configs.get(r.configDelegate) : undefined;
  if (delegate === undefined) return { delegate, delegateGroup: null, raw: null };
  const top = ev.rawConfigResult(delegate, false);
  return {
    delegate,
    delegateGroup: top.groupName !== null && top.groupName !== '' ? top.groupName : null,
    raw: ev.rawConfigResult(delegate, true),
  };
}
