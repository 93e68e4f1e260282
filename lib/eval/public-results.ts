/** Internal results -> the public result types of lib/types.ts. */
import type { Specs } from '../spec/compiled';
import type {
  DynamicConfig,
  EvaluationDetails,
  Experiment,
  FeatureGate,
  JsonObject,
  Layer,
} from '../types';
import type { EvalResult } from './result';

export function detailsOf(specs: Specs, r: EvalResult): EvaluationDetails {
  return { reason: r.reason ?? specs.source, lcut: specs.lcut, receivedAt: specs.receivedAt };
}

export function toFeatureGate(specs: Specs, name: string, r: EvalResult): FeatureGate {
  return {
    name,
    value: r.value,
    ruleID: r.ruleId,
    groupName: r.groupName,
    idType: r.idType ?? null,
    secondaryExposures: r.secondary,
    version: r.version ?? null,
    details: detailsOf(specs, r),
  };
}

export function toDynamicConfig(specs: Specs, name: string, r: EvalResult): DynamicConfig {
  return {
    name,
    value: r.json.value as JsonObject,
    passed: r.value,
    ruleID: r.ruleId,
    groupName: r.groupName,
    idType: r.idType ?? null,
    secondaryExposures: r.secondary,
    version: r.version ?? null,
    details: detailsOf(specs, r),
  };
}

export function toExperiment(specs: Specs, name: string, r: EvalResult): Experiment {
  // one literal, not a spread of toDynamicConfig: the spread copied every field again per call
  return {
    name,
    value: r.json.value as JsonObject,
    passed: r.value,
    ruleID: r.ruleId,
    groupName: r.groupName,
    idType: r.idType ?? null,
    secondaryExposures: r.secondary,
    version: r.version ?? null,
    details: detailsOf(specs, r),
    isUserInExperiment: r.isExperimentGroup,
    isExperimentActive: specs.configs.get(name)?.isActive === true,
  };
}

export function toLayer(specs: Specs, name: string, r: EvalResult): Layer {
  return {
    name,
    value: r.json.value as JsonObject,
    ruleID: r.ruleId,
    groupName: r.groupName,
    allocatedExperimentName: r.configDelegate,
    explicitParameters: r.explicitParameters ?? [],
    secondaryExposures: r.secondary,
    undelegatedSecondaryExposures: r.undelegated,
    version: r.version ?? null,
    details: detailsOf(specs, r),
  };
}
