/** Results a check answers when it cannot evaluate, and small facts derived from results. */
import type { DynamicConfig, EvaluationDetails, EvaluationReason, Experiment, FeatureGate, Layer } from '../lib/types';

export type CheckKind = 'gate' | 'config' | 'experiment' | 'layer';
export type ResultOf<K extends CheckKind> = K extends 'gate'
  ? FeatureGate
  : K extends 'layer'
    ? Layer
    : K extends 'experiment'
      ? Experiment
      : DynamicConfig;

const NO_DETAILS = { lcut: 0, receivedAt: 0 };

/** What a check answers when it cannot evaluate: the default value and the reason why. */
export function defaultResult<K extends CheckKind>(kind: K, name: string, reason: EvaluationReason): ResultOf<K> {
  const details: EvaluationDetails = Object.freeze({ reason, ...NO_DETAILS });
  const base = { name, ruleID: '', groupName: null, secondaryExposures: [], version: null, details };
  if (kind === 'gate') return Object.freeze({ ...base, value: false, idType: null }) as unknown as ResultOf<K>;
  if (kind === 'layer') {
    return Object.freeze({ ...base, value: {}, allocatedExperimentName: null, explicitParameters: [], undelegatedSecondaryExposures: [] }) as unknown as ResultOf<K>;
  }
  const config = { ...base, value: {}, passed: false, idType: null };
  return Object.freeze(kind === 'experiment' ? { ...config, isUserInExperiment: false, isExperimentActive: false } : config) as unknown as ResultOf<K>;
}

/** statsig-node logs `rulePassed` = the boolean the config evaluation produced. */
export function rulePassed(config: DynamicConfig): boolean {
  return config.passed;
}
