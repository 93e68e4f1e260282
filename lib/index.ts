/**
 * Firstlight's pure core: compiled specs, evaluation, bootstrap payloads, hashing. No I/O, no
 * timers, runtime-neutral. Every export is listed by name; nothing else is public.
 */
export { parseSpecs, withIdLists, specsInfo, isNoUpdatesPayload } from './spec/compile';
export type { ParseSpecsOptions, SpecsInfo } from './spec/compile';
export type { Specs, HashMode } from './spec/compiled';

export { checkGate, getFeatureGate, getConfig, getExperiment, getLayer, prepareUser } from './api';
export type { PreparedUser } from './user/prepared-user';
export type { EvalOptions } from './eval/context-factory';

export { evaluateAll, Evaluation } from './evaluation';
export type { EvaluateAllOptions } from './evaluation';

export {
  clientInitializeResponse,
  clientInitializeResponseJSON,
  clientInitializeResponseFromEvaluation,
  clientInitializeResponseJSONFromEvaluation,
  PAYLOAD_FORMATS,
} from './bootstrap/client-init-response';
export type {
  ClientInitializeResponse,
  ClientInitializeResponseOptions,
  InitV2ClientInitializeResponse,
  PayloadFormat,
  RenderOptions,
} from './bootstrap/client-init-response';
export type { UserEcho } from './bootstrap/user-echo';

export { emptyOverrides, setOverride, removeOverride } from './overrides';
export type { LocalOverrides, OverrideKey, OverrideKind } from './overrides';

export { djb2 } from './hash/djb2';
export { sha256Base64, hashIdListEntry } from './hash/sha256';

export { FIRSTLIGHT_VERSION } from './version';

export { bucketSplits, ruleAllocations } from './explain/allocation';
export type { AllocationKind, BucketSplit, GroupSegment, RuleAllocation } from './explain/allocation';
export { DIFF_FIELDS, diffOutcomes, entityOutcomes, jsonEqual } from './explain/diff';
export type { DiffField, DiffStatus, EntityDiff, EntityOutcome, EvaluationDiff, OutcomeKind } from './explain/diff';

export type {
  FlagRegistry,
  GateName,
  ConfigName,
  ExperimentName,
  LayerName,
  EntityName,
  ParamTable,
  ParamsOf,
  ParamGet,
  DefaultFor,
  UntypedParams,
  WithParams,
  Widen,
} from './flag-types';

export {
  FirstlightError,
  SpecParseError,
  SpecKeyMismatchError,
  InvalidOptionError,
  InvalidArgumentError,
  SourceUnavailableError,
  NotInitializedError,
  FlagsUnavailableError,
  MissingPackageError,
} from './errors';
export type { FirstlightErrorCode, SpecIssue } from './errors';

export type {
  JsonPrimitive,
  JsonValue,
  JsonObject,
  StatsigUser,
  SecondaryExposure,
  SpecSourceKind,
  EvaluationReason,
  EvaluationDetails,
  FeatureGate,
  DynamicConfig,
  Experiment,
  Layer,
} from './types';
