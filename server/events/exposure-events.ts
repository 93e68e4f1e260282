/**
 * Exposure events exactly as statsig-node logs them (statsig-eval.md §11.1): metadata values are strings
 * except the three times; nested gates appear only as secondary exposures.
 */
import type { DynamicConfig, EvaluationDetails, FeatureGate, Layer } from '../../lib/types';
import type { EventUser, StatsigEvent } from './event';

export const GATE_EXPOSURE = 'statsig::gate_exposure';
export const CONFIG_EXPOSURE = 'statsig::config_exposure';
export const LAYER_EXPOSURE = 'statsig::layer_exposure';

export interface ExposureContext {
  /** The lcut of the specs the instance initialized with (Statsig's initTime), -1 when it failed. */
  readonly initTime: number;
  readonly now: number;
  readonly isManual: boolean;
}

function details(d: EvaluationDetails, ctx: ExposureContext) {
  return { reason: d.reason, configSyncTime: d.lcut, initTime: ctx.initTime, serverTime: ctx.now };
}

function extras(version: number | null, ctx: ExposureContext): Record<string, string> {
  const out: Record<string, string> = {};
  if (version !== null && version !== undefined) out.configVersion = String(version);
  if (ctx.isManual) out.isManualExposure = 'true';
  return out;
}

export function gateExposure(user: EventUser, gate: FeatureGate, ctx: ExposureContext): StatsigEvent {
  return {
    eventName: GATE_EXPOSURE,
    user,
    value: null,
    metadata: {
      gate: gate.name,
      gateValue: String(gate.value),
      ruleID: gate.ruleID,
      ...extras(gate.version, ctx),
      ...details(gate.details, ctx),
    },
    time: ctx.now,
    secondaryExposures: gate.secondaryExposures,
    statsigMetadata: {},
  };
}

/** Dynamic configs and experiments. `rulePassed` is the boolean the evaluation produced. */
export function configExposure(user: EventUser, config: DynamicConfig, rulePassed: boolean, ctx: ExposureContext): StatsigEvent {
  return {
    eventName: CONFIG_EXPOSURE,
    user,
    value: null,
    metadata: {
      config: config.name,
      ruleID: config.ruleID,
      rulePassed: String(rulePassed),
      ...extras(config.version, ctx),
      ...details(config.details, ctx),
    },
    time: ctx.now,
    secondaryExposures: config.secondaryExposures,
    statsigMetadata: {},
  };
}

/** Logged when a parameter that exists is read from a layer. */
export function layerExposure(user: EventUser, layer: Layer, parameterName: string, ctx: ExposureContext): StatsigEvent {
  const isExplicit = layer.explicitParameters.includes(parameterName);
  return {
    eventName: LAYER_EXPOSURE,
    user,
    value: null,
    metadata: {
      config: layer.name,
      ruleID: layer.ruleID,
      allocatedExperiment: isExplicit ? (layer.allocatedExperimentName ?? '') : '',
      parameterName,
      isExplicitParameter: String(isExplicit),
      ...extras(layer.version, ctx),
      ...details(layer.details, ctx),
    },
    time: ctx.now,
    secondaryExposures: isExplicit ? layer.secondaryExposures : layer.undelegatedSecondaryExposures,
    statsigMetadata: {},
  };
}

const NOT_IN_KEY = new Set(['serverTime', 'configSyncTime', 'initTime', 'reason']);

/** statsig-node's dedupe key: user IDs, event name and the metadata that identifies the exposure. */
export function exposureDedupeKey(event: StatsigEvent): string {
  const user = event.user;
  const parts: string[] = [String(user?.userID ?? ''), Object.values(user?.customIDs ?? {}).join(), event.eventName];
  for (const [k, v] of Object.entries(event.metadata ?? {})) if (!NOT_IN_KEY.has(k)) parts.push(String(v));
  return parts.join();
}
