/**
 * parseSpecs: DCS JSON -> validated -> compiled, frozen Specs (reference §1 processing steps, §2).
 */
import { djb2 } from '../hash/djb2';
import { hashIdListEntry, sha256Base64, sha256Prefix } from '../hash/sha256';
import { SpecKeyMismatchError, SpecParseError, type SpecIssue } from '../errors';
import type { JsonValue, SecondaryExposure, SpecSourceKind } from '../types';
import { compileCondition, ruleTest } from '../eval/conditions';
import { CompileTables } from './compile-tools';
import { idTypeIsUserID, internKey } from '../user/fields';
import { EMPTY_OBJECT_VALUE, EvalResult, InternTable, NO_EXPOSURES, internResult, unsupportedResult } from '../eval/result';
import { detectDcsFormat, dcsV2ToV1 } from './dcs-v2';
import { dcsSchema, type RawDcs, type RawRule, type RawSpec } from './schema';
import type {
  CirOrder,
  CompiledRule,
  CompiledSpec,
  CompiledValue,
  PerHashMode,
  SdkKeyEntities,
  SpecKind,
  Specs,
} from './compiled';
import { jsKeyOrder } from './key-order';
import { flatten } from './flat';

export interface ParseSpecsOptions {
  /** Reject a payload whose `hashed_sdk_key_used` is not djb2(serverSecret). */
  serverSecret?: string;
  /** Raw IDs per ID-list name (CLI/fixture format); hashed here. */
  idLists?: Readonly<Record<string, readonly string[]>>;
  /** Where the payload came from; the default evaluation reason. @default 'Network' */
  source?: SpecSourceKind;
  /** When the payload was received (ms). @default the payload's `time` */
  receivedAt?: number;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/**
 * A json_value as statsig-node's ConfigEvaluation holds it (booleans and missing values become {}),
 * copied through JSON so the caller's objects are never frozen or shared.
 */
function compileValue(raw: unknown, layerDefault: unknown, inLayer: boolean): CompiledValue {
  const normalised = typeof raw === 'boolean' || raw === undefined ? {} : raw;
  const json = JSON.stringify(normalised) ?? '{}';
  const mergedJson = inLayer ? (JSON.stringify({ ...(layerDefault as object), ...(normalised as object) }) ?? '{}') : null;
  if (json === '{}' && mergedJson === null) return EMPTY_OBJECT_VALUE;
  return Object.freeze({ value: deepFreeze(JSON.parse(json) as JsonValue), json, mergedJson });
}

/** What every result of one spec shares. */
interface SpecCommon {
  readonly idType: string | null | undefined;
  readonly defaultValue: CompiledValue;
  readonly explicitParameters: readonly string[] | null | undefined;
  readonly version: number | undefined;
}

function compileRule(
  raw: RawRule,
  spec: RawSpec,
  kind: SpecKind,
  layerDefault: unknown,
  inLayer: boolean,
  tools: CompileTables,
  common: SpecCommon,
): CompiledRule {
  const conditions = (raw.conditions ?? []).map((c) => compileCondition(c, tools));
  const idType = internKey(raw.idType);
  const groupName = raw.groupName ?? null;
  const hashPrefix = spec.salt + '.' + (raw.salt ?? raw.id) + '.';
  const idJson = JSON.stringify(raw.id);
  const groupNameJson = groupName === null ? null : JSON.stringify(groupName);
  const returnValue = compileValue(raw.returnValue, layerDefault, inLayer);
  const exposureIfPass = kind === 'gate' ? tools.exposure(spec.name, true, raw.id) : null;
  const exposureIfFail = kind === 'gate' ? tools.exposure(spec.name, false, raw.id) : null;
  const isExperimentGroup = raw.isExperimentGroup ?? false;
  const result = (pass: boolean) =>
    internResult(new EvalResult({
      value: pass, ruleId: raw.id, ruleIdJson: idJson, groupName, groupNameJson, idType: common.idType,
      secondary: NO_EXPOSURES, undelegated: NO_EXPOSURES, json: pass ? returnValue : common.defaultValue,
      explicitParameters: common.explicitParameters, configDelegate: null, isExperimentGroup, unsupported: false,
      version: common.version, reason: null, exposure: pass ? exposureIfPass : exposureIfFail,
    }));
  return Object.freeze({
    id: raw.id,
    idJson,
    groupName,
    groupNameJson,
    passPercentage: raw.passPercentage,
    hashPrefix: sha256Prefix(hashPrefix),
    idType,
    unitIdIsUserID: idTypeIsUserID(idType),
    slot: tools.hashSlot(hashPrefix, idType),
    returnValue,
    exposureIfPass,
    exposureIfFail,
    resultPass: result(true),
    resultFail: result(false),
    internPass: new InternTable(),
    internFail: new InternTable(),
    isExperimentGroup,
    configDelegate: raw.configDelegate ?? null,
    delegateRef: raw.configDelegate == null ? null : tools.configRef(raw.configDelegate),
    conditions: Object.freeze(conditions),
    test: ruleTest(conditions),
    hasNestedGates: conditions.some((c) => c.mustRunAfterFail),
  });
}

/** The interned `disabled` / `default` outcome of a spec without secondary exposures. */
function ruleless(
  ruleId: 'disabled' | 'default',
  idType: string | null | undefined,
  json: CompiledValue,
  explicitParameters: readonly string[] | null | undefined,
  version: number | undefined,
  exposure: SecondaryExposure | null,
): EvalResult {
  return internResult(new EvalResult({
    value: false, ruleId, ruleIdJson: JSON.stringify(ruleId), groupName: null, groupNameJson: null, idType,
    secondary: NO_EXPOSURES, undelegated: NO_EXPOSURES, json, explicitParameters, configDelegate: null,
    isExperimentGroup: false, unsupported: false, version, reason: null, exposure,
  }));
}

function hashName(name: string): PerHashMode<string> {
  return [djb2(name), sha256Base64(name), name];
}

function compileSpec(
  raw: RawSpec,
  kind: SpecKind,
  index: number,
  layerName: string | null,
  layerDefault: unknown,
  tools: CompileTables,
): CompiledSpec {
  const inLayer = kind === 'config' && raw.hasSharedParams === true;
  const key = hashName(raw.name);
  const explicit = raw.explicitParameters;
  const idType = internKey(raw.idType);
  const common: SpecCommon = {
    idType,
    defaultValue: compileValue(raw.defaultValue, layerDefault, inLayer),
    explicitParameters: explicit == null ? explicit : Object.freeze([...explicit]),
    version: raw.version ?? undefined,
  };
  const exposureDefault = kind === 'gate' ? tools.exposure(raw.name, false, 'default') : null;
  const exposureDisabled = kind === 'gate' ? tools.exposure(raw.name, false, 'disabled') : null;
  return Object.freeze({
    kind,
    index,
    name: raw.name,
    type: raw.type,
    entity: raw.entity ?? null,
    salt: raw.salt,
    enabled: raw.enabled,
    idType,
    defaultValue: common.defaultValue,
    rules: Object.freeze(raw.rules.map((r) => compileRule(r, raw, kind, layerDefault, inLayer, tools, common))),
    explicitParameters: common.explicitParameters,
    hasSharedParams: raw.hasSharedParams === true,
    isActive: raw.isActive === true,
    targetAppIDs: raw.targetAppIDs == null ? null : new Set(raw.targetAppIDs),
    version: common.version,
    forwardAllExposures: raw.forwardAllExposures === true,
    layerName,
    key: Object.freeze(key),
    keyJson: Object.freeze(key.map((k) => JSON.stringify(k))) as unknown as PerHashMode<string>,
    cir: Object.freeze({
      gateIdType: idType === undefined ? '' : flatten(',"id_type":' + JSON.stringify(idType)),
      configIdType: flatten(',"id_type":' + JSON.stringify(idType ?? null)),
      isDeviceBased: idType != null && idType.toLowerCase() === 'stableid',
      explicitParamsOrEmpty: JSON.stringify(explicit ?? []),
      explicitParams: explicit ? JSON.stringify(explicit) : null,
      emptyMergedJson: inLayer ? JSON.stringify({ ...(layerDefault as object) }) : '{}',
      layerDefault,
    }),
    exposureDefault,
    exposureDisabled,
    resultDisabled: ruleless('disabled', idType, common.defaultValue, null, common.version, exposureDisabled),
    resultDefault: ruleless('default', idType, common.defaultValue, common.explicitParameters, common.version, exposureDefault),
    resultUnsupported: internResult(unsupportedResult(common.version)),
    internDefault: new InternTable(),
  });
}

/** Spec name -> raw spec, last one wins, first position kept (as the reference's object store). */
function byName(list: readonly RawSpec[]): Map<string, RawSpec> {
  const m = new Map<string, RawSpec>();
  for (const s of list) m.set(s.name, s);
  return m;
}

function toIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): SpecIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
}

function validate(json: unknown): RawDcs {
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (cause) {
      throw new SpecParseError(`download_config_specs is not valid JSON: ${(cause as Error).message}`, [], { cause });
    }
  }
  const format = detectDcsFormat(data);
  const parsed = dcsSchema.safeParse(format === 'dcs-v2' ? dcsV2ToV1(data as Record<string, unknown>) : data);
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    const first = issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new SpecParseError(`invalid download_config_specs payload (${format}): ${first}`, issues, { cause: parsed.error });
  }
  return parsed.data;
}

/** True for a `{"has_updates": false}` answer: keep the current specs. */
export function isNoUpdatesPayload(json: unknown): boolean {
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch {
      return false;
    }
  }
  return typeof data === 'object' && data !== null && !(data as { has_updates?: unknown }).has_updates;
}

function recordMap<V, O>(rec: Readonly<Record<string, V>> | null | undefined, f: (v: V) => O): Map<string, O> {
  const m = new Map<string, O>();
  if (rec != null) for (const k of Object.keys(rec)) m.set(k, f(rec[k]!));
  return m;
}

function cirOrder(
  gates: readonly CompiledSpec[],
  configs: readonly CompiledSpec[],
  layers: readonly CompiledSpec[],
  mode: 0 | 1 | 2,
): CirOrder {
  let hasCollisions = false;
  const order = (list: readonly CompiledSpec[]) => {
    const keys = list.map((s) => s.key[mode]);
    if (new Set(keys).size !== keys.length) hasCollisions = true;
    return Object.freeze(jsKeyOrder(keys).map((i) => list[i]!));
  };
  const g = order(gates);
  const c = order(configs);
  const l = order(layers);
  return Object.freeze({ gates: g, configs: c, layers: l, hasCollisions });
}

/** Parses, validates and compiles a DCS payload. Throws SpecParseError or SpecKeyMismatchError. */
export function parseSpecs(json: unknown, opts: ParseSpecsOptions = {}): Specs {
  const dcs = validate(json);
  if (opts.serverSecret !== undefined && typeof dcs.hashed_sdk_key_used === 'string') {
    if (dcs.hashed_sdk_key_used !== djb2(opts.serverSecret)) throw new SpecKeyMismatchError();
  }

  const experimentToLayer = new Map<string, string>();
  for (const [layer, exps] of Object.entries(dcs.layers ?? {})) for (const e of exps) experimentToLayer.set(e, layer);

  const rawGates = byName(dcs.feature_gates);
  const rawConfigs = byName(dcs.dynamic_configs);
  const rawLayers = byName(dcs.layer_configs);

  const tools = new CompileTables();
  const compileAll = (raw: Map<string, RawSpec>, kind: SpecKind) => {
    const out = new Map<string, CompiledSpec>();
    for (const [name, s] of raw) {
      const layerName = kind === 'config' ? (experimentToLayer.get(name) ?? null) : null;
      const layerDefault = layerName === null ? {} : (rawLayers.get(layerName)?.defaultValue ?? {});
      out.set(name, compileSpec(s, kind, out.size, layerName, layerDefault, tools));
    }
    return out;
  };
  const gates = compileAll(rawGates, 'gate');
  const configs = compileAll(rawConfigs, 'config');
  const layers = compileAll(rawLayers, 'layer');
  tools.bind(gates, configs);

  // the reference keeps specs in a plain object: a "__proto__" name never becomes an entry
  const storeOrder = (m: Map<string, CompiledSpec>) => {
    const list = [...m.values()].filter((s) => s.name !== '__proto__');
    return jsKeyOrder(list.map((s) => s.name)).map((i) => list[i]!);
  };
  const g = storeOrder(gates);
  const c = storeOrder(configs);
  const l = storeOrder(layers);

  const idLists = new Map<string, ReadonlySet<string>>();
  for (const [name, ids] of Object.entries(opts.idLists ?? {})) idLists.set(name, new Set(ids.map(hashIdListEntry)));

  const hashedSdkKeysToEntities = recordMap(dcs.hashed_sdk_keys_to_entities, (e): SdkKeyEntities =>
    Object.freeze({ gates: new Set(e.gates ?? []), configs: new Set(e.configs ?? []) }),
  );

  return Object.freeze({
    // statsig-node loads a payload without `time` and keeps its lcut at 0
    lcut: dcs.time ?? 0,
    receivedAt: opts.receivedAt ?? dcs.time ?? 0,
    source: opts.source ?? 'Network',
    hashedSdkKeyUsed: dcs.hashed_sdk_key_used ?? null,
    gates,
    configs,
    layers,
    experimentToLayer,
    appId: dcs.app_id ?? null,
    defaultEnvironment: dcs.default_environment ?? null,
    sdkKeysToAppIds: recordMap(dcs.sdk_keys_to_app_ids, (v) => v),
    hashedSdkKeysToAppIds: recordMap(dcs.hashed_sdk_keys_to_app_ids, (v) => v),
    hashedSdkKeysToEntities,
    idLists,
    sessionReplayInfo: dcs.session_replay_info ? deepFreeze(structuredClone(dcs.session_replay_info)) : null,
    sdkConfigs: deepFreeze({ ...(dcs.sdk_configs ?? {}) }),
    sdkFlags: deepFreeze({ ...(dcs.sdk_flags ?? {}) }),
    cirOrder: Object.freeze([cirOrder(g, c, l, 0), cirOrder(g, c, l, 1), cirOrder(g, c, l, 2)]) as unknown as PerHashMode<CirOrder>,
    exposureJson: tools.exposureJson,
    hashSlots: tools.slotCount,
    fieldSlots: tools.fieldCount,
    storeOrder: Object.freeze({ gates: g, configs: c, layers: l }),
  });
}

/** The same specs with other ID lists (hashed 8-char IDs), for the ID-list sync. Compiled parts are shared. */
export function withIdLists(specs: Specs, lists: ReadonlyMap<string, ReadonlySet<string>>): Specs {
  return Object.freeze({ ...specs, idLists: lists });
}

export interface SpecsInfo {
  readonly lcut: number;
  readonly receivedAt: number;
  readonly source: SpecSourceKind;
  readonly gates: number;
  readonly configs: number;
  readonly layers: number;
  readonly hashedSdkKeyUsed: string | null;
}

export function specsInfo(specs: Specs): SpecsInfo {
  return {
    lcut: specs.lcut,
    receivedAt: specs.receivedAt,
    source: specs.source,
    gates: specs.gates.size,
    configs: specs.configs.size,
    layers: specs.layers.size,
    hashedSdkKeyUsed: specs.hashedSdkKeyUsed,
  };
}
