'use client';
/**
 * The @statsig/react-bindings hooks with names and `get()` typed by the project's generated
 * FlagRegistry (`firstlight types`). At run time they are the bindings' own functions, unchanged;
 * only their declared types are narrower, so the provider and the hooks still share one copy.
 */
import {
  useDynamicConfig as useDynamicConfigUntyped,
  useExperiment as useExperimentUntyped,
  useFeatureGate as useFeatureGateUntyped,
  useGateValue as useGateValueUntyped,
  useLayer as useLayerUntyped,
} from '@statsig/react-bindings';
import type {
  DynamicConfig,
  DynamicConfigEvaluationOptions,
  Experiment,
  ExperimentEvaluationOptions,
  FeatureGate,
  FeatureGateEvaluationOptions,
  Layer,
  LayerEvaluationOptions,
} from '@statsig/js-client';
import type { ConfigName, ExperimentName, GateName, LayerName, ParamsOf, WithParams } from '../../lib/flag-types';

export type TypedUseFeatureGate = (name: GateName, options?: FeatureGateEvaluationOptions) => FeatureGate;
export type TypedUseGateValue = (name: GateName, options?: FeatureGateEvaluationOptions) => boolean;
export type TypedUseDynamicConfig = <N extends ConfigName>(name: N, options?: DynamicConfigEvaluationOptions) => WithParams<DynamicConfig, ParamsOf<'configs', N>>;
export type TypedUseExperiment = <N extends ExperimentName>(name: N, options?: ExperimentEvaluationOptions) => WithParams<Experiment, ParamsOf<'experiments', N>>;
export type TypedUseLayer = <N extends LayerName>(name: N, options?: LayerEvaluationOptions) => WithParams<Layer, ParamsOf<'layers', N>>;

// The bindings' `get(key, fallback)` has the semantics ParamGet declares (the stored value when its type
// matches the fallback's, else the fallback), so each narrowing below is a view of the same function.
export const useFeatureGate: TypedUseFeatureGate = useFeatureGateUntyped;
export const useGateValue: TypedUseGateValue = useGateValueUntyped;
export const useDynamicConfig = useDynamicConfigUntyped as TypedUseDynamicConfig;
export const useExperiment = useExperimentUntyped as TypedUseExperiment;
export const useLayer = useLayerUntyped as TypedUseLayer;
