/**
 * The download_config_specs (v1) payload as Statsig sends it. Loose objects: unknown fields are
 * kept (Statsig adds fields over time and we must not reject a newer payload), known fields are
 * type-checked so a bad payload fails here with the path of the field, not later in evaluation.
 * Optional fields accept null because Statsig emits explicit nulls.
 */
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish();
const optBool = z.boolean().nullish();

export const conditionSchema = z.looseObject({
  type: str,
  operator: optStr,
  targetValue: z.unknown().optional(),
  field: optStr,
  idType: optStr,
  additionalValues: z.record(z.string(), z.unknown()).nullish(),
  isDeviceBased: optBool,
});

export const ruleSchema = z.looseObject({
  name: optStr,
  id: str,
  salt: optStr,
  passPercentage: z.number(),
  conditions: z.array(conditionSchema).nullish(),
  returnValue: z.unknown().optional(),
  idType: optStr,
  groupName: optStr,
  isExperimentGroup: optBool,
  configDelegate: optStr,
  samplingRate: z.number().nullish(),
  isDeviceBased: optBool,
});

export const specSchema = z.looseObject({
  name: str,
  type: str,
  entity: optStr,
  salt: str,
  enabled: z.boolean(),
  defaultValue: z.unknown().optional(),
  rules: z.array(ruleSchema),
  idType: optStr,
  isDeviceBased: optBool,
  explicitParameters: z.array(z.string()).nullish(),
  hasSharedParams: optBool,
  isActive: optBool,
  targetAppIDs: z.array(z.string()).nullish(),
  version: z.number().nullish(),
  forwardAllExposures: optBool,
});

const entitiesSchema = z.looseObject({
  gates: z.array(z.string()).nullish(),
  configs: z.array(z.string()).nullish(),
});

export const dcsSchema = z.looseObject({
  has_updates: optBool,
  time: z.number().nullish(),
  feature_gates: z.array(specSchema),
  dynamic_configs: z.array(specSchema),
  layer_configs: z.array(specSchema),
  layers: z.record(z.string(), z.array(z.string())).nullish(),
  id_lists: z.record(z.string(), z.unknown()).nullish(),
  app_id: optStr,
  default_environment: optStr,
  sdk_keys_to_app_ids: z.record(z.string(), z.string()).nullish(),
  hashed_sdk_keys_to_app_ids: z.record(z.string(), z.string()).nullish(),
  hashed_sdk_keys_to_entities: z.record(z.string(), entitiesSchema).nullish(),
  hashed_sdk_key_used: optStr,
  session_replay_info: z.looseObject({}).nullish(),
  sdk_configs: z.record(z.string(), z.unknown()).nullish(),
  sdk_flags: z.record(z.string(), z.unknown()).nullish(),
});

export type RawCondition = z.infer<typeof conditionSchema>;
export type RawRule = z.infer<typeof ruleSchema>;
export type RawSpec = z.infer<typeof specSchema>;
export type RawDcs = z.infer<typeof dcsSchema>;
