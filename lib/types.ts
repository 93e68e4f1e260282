/**
 * Public types of the pure core. These are the contract between lib/, server/ and app/:
 * change them deliberately.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A user as callers pass it. Taken as leniently as statsig-node takes it (numeric IDs, nulls,
 * odd types): parity beats strictness. Never mutated by Firstlight.
 */
export interface StatsigUser {
  userID?: string | number | null;
  customIDs?: Record<string, string | number | null | undefined> | null;
  email?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  country?: string | null;
  locale?: string | null;
  appVersion?: string | null;
  custom?: Record<string, unknown> | null;
  /** Used for evaluation, never logged, never sent to a client. */
  privateAttributes?: Record<string, unknown> | null;
  statsigEnvironment?: { tier?: string; [key: string]: string | undefined } | null;
}

/** `gateValue` is a string on the wire ("true" | "false"), as Statsig sends it. */
export interface SecondaryExposure {
  readonly gate: string;
  readonly gateValue: 'true' | 'false';
  readonly ruleID: string;
}

/** Where the specs in force came from; doubles as the default evaluation reason. */
export type SpecSourceKind = 'Network' | 'Bootstrap' | 'DataAdapter';

export type EvaluationReason =
  | SpecSourceKind
  | 'LocalOverride'
  | 'Unrecognized'
  | 'Uninitialized'
  | 'Unsupported'
  | 'Error';

export interface EvaluationDetails {
  readonly reason: EvaluationReason;
  /** `time` of the specs in force (Statsig's configSyncTime / lcut); 0 when uninitialized. */
  readonly lcut: number;
  /** When the specs in force were received (ms since epoch); 0 when uninitialized. */
  readonly receivedAt: number;
}

export interface FeatureGate {
  readonly name: string;
  readonly value: boolean;
  readonly ruleID: string;
  readonly groupName: string | null;
  readonly idType: string | null;
  readonly secondaryExposures: readonly SecondaryExposure[];
  /** spec.version, logged as exposure `configVersion`; null when the spec has none. */
  readonly version: number | null;
  readonly details: EvaluationDetails;
}

export interface DynamicConfig {
  readonly name: string;
  readonly value: Readonly<JsonObject>;
  /** The matched rule's pass percentage let the user through (statsig-node's `rulePassed`). */
  readonly passed: boolean;
  readonly ruleID: string;
  readonly groupName: string | null;
  readonly idType: string | null;
  readonly secondaryExposures: readonly SecondaryExposure[];
  readonly version: number | null;
  readonly details: EvaluationDetails;
}

export interface Experiment extends DynamicConfig {
  /** The user landed in a real experiment group (rule.isExperimentGroup). */
  readonly isUserInExperiment: boolean;
  readonly isExperimentActive: boolean;
}

export interface Layer {
  readonly name: string;
  readonly value: Readonly<JsonObject>;
  readonly ruleID: string;
  readonly groupName: string | null;
  /** The experiment this layer delegated to, or null. */
  readonly allocatedExperimentName: string | null;
  readonly explicitParameters: readonly string[];
  readonly secondaryExposures: readonly SecondaryExposure[];
  readonly undelegatedSecondaryExposures: readonly SecondaryExposure[];
  readonly version: number | null;
  readonly details: EvaluationDetails;
}
