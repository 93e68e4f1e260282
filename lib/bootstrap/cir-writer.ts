/**
 * Writes the client initialize response (reference §10) straight to a JSON string, byte-for-byte
 * what statsig-node 6.5.2's getClientInitializeResponse + JSON.stringify gives (apart from
 * generator/sdkInfo). The user-independent parts (hashed, escaped names, serialised values, key
 * order) were prepared by the compiler; here we only splice in what the evaluation decided.
 *
 * Key order matters for byte equality: statsig-node builds plain objects, so each map lists
 * array-index keys (djb2 names are decimal) first in numeric order, and entry fields appear in the
 * order statsig-node assigns them — including a re-assigned field keeping its first position.
 */
import { djb2 } from '../hash/djb2';
import { sha256Base64 } from '../hash/sha256';
import { HASH_INDEX, type CompiledSpec, type HashMode, type Specs } from '../spec/compiled';
import { jsKeyOrder } from '../spec/key-order';
import { flatten } from '../spec/flat';
import type { Evaluation } from '../evaluation';
import type { EvalResult } from '../eval/result';
import type { SecondaryExposure } from '../types';
import { FIRSTLIGHT_VERSION, SDK_TYPE } from '../version';
import { echoUser, type UserEcho } from './user-echo';
import { sessionReplayFields } from './session-replay';

export interface WriteOptions {
  readonly hash: HashMode;
  readonly only: readonly string[] | undefined;
  readonly userEcho: UserEcho;
}

const SDK_INFO = `"generator":"${SDK_TYPE}","sdkInfo":{"sdkType":"${SDK_TYPE}","sdkVersion":"${FIRSTLIGHT_VERSION}"}`;

export function hashName(name: string, mode: 0 | 1 | 2): string {
  return mode === 0 ? djb2(name) : mode === 1 ? sha256Base64(name) : name;
}

function exposuresJson(specs: Specs, list: readonly SecondaryExposure[], mode: 0 | 1 | 2): string {
  if (list.length === 0) return '[]';
  let s = '[';
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (i > 0) s += ',';
    s += specs.exposureJson.get(e)?.[mode] ??
      '{"gate":' + JSON.stringify(hashName(e.gate, mode)) + ',"gateValue":"' + e.gateValue + '","ruleID":' + JSON.stringify(e.ruleID) + '}';
  }
  return s + ']';
}

function gateEntry(specs: Specs, spec: CompiledSpec, r: EvalResult, mode: 0 | 1 | 2): string {
  const value = r.unsupported ? false : r.value;
  return (
    '{"name":' + spec.keyJson[mode] +
    ',"value":' + (typeof value === 'boolean' ? (value ? 'true' : 'false') : JSON.stringify(value)) +
    ',"rule_id":' + r.ruleIdJson +
    ',"secondary_exposures":' + exposuresJson(specs, r.secondary, mode) +
    spec.cir.gateIdType + '}'
  );
}

/** The start every config/layer entry shares (statsig-node's _specToInitializeResponse). */
function baseEntry(specs: Specs, spec: CompiledSpec, r: EvalResult, valueJson: string, mode: 0 | 1 | 2): string {
  return (
    '{"name":' + spec.keyJson[mode] +
    ',"value":' + valueJson +
    ',"group":' + r.ruleIdJson +
    ',"rule_id":' + r.ruleIdJson +
    ',"is_device_based":' + (spec.cir.isDeviceBased ? 'true' : 'false') +
    ',"secondary_exposures":' + exposuresJson(specs, r.secondary, mode)
  );
}

function explicitJson(spec: CompiledSpec, params: readonly string[]): string {
  return params === spec.explicitParameters && spec.cir.explicitParams !== null ? spec.cir.explicitParams : JSON.stringify(params);
}

/** Experiments: the re-evaluation statsig-node reports as is_user_in_experiment; null otherwise. */
function rawFor(ev: Evaluation, spec: CompiledSpec): EvalResult | null {
  const entity = spec.entity;
  return entity !== 'dynamic_config' && entity !== 'autotune' ? ev.rawConfigResult(spec, true) : null;
}

function configEntry(ev: Evaluation, spec: CompiledSpec, r: EvalResult, mode: 0 | 1 | 2, raw: EvalResult | null = rawFor(ev, spec)): string {
  const specs = ev.specs;
  const entity = spec.entity;
  const experimentLike = entity !== 'dynamic_config' && entity !== 'autotune';
  const inLayer = experimentLike && spec.hasSharedParams;
  let valueJson: string;
  if (!inLayer) valueJson = r.unsupported ? '{}' : r.json.json;
  else if (r.unsupported) valueJson = spec.cir.emptyMergedJson;
  else if (r.json.mergedJson !== null && r.configDelegate === null && r.reason === null) valueJson = r.json.mergedJson;
  else valueJson = JSON.stringify({ ...(spec.cir.layerDefault as object), ...(r.json.value as object) });

  let s = baseEntry(specs, spec, r, valueJson, mode);
  if (r.groupNameJson !== null) s += ',"group_name":' + r.groupNameJson;
  else if (r.groupName !== null) s += ',"group_name":' + JSON.stringify(r.groupName);
  const earlyExplicit = !!r.explicitParameters;
  if (earlyExplicit) {
    s += ',"explicit_parameters":' + (inLayer ? spec.cir.explicitParamsOrEmpty : explicitJson(spec, r.explicitParameters!));
  }
  s += spec.cir.configIdType;
  if (entity === 'dynamic_config') {
    s += r.value === true ? ',"passed":true' : ',"passed":false';
  } else if (experimentLike) {
    s += ',"is_user_in_experiment":' + (raw!.isExperimentGroup ? 'true' : 'false');
    s += ',"is_experiment_active":' + (spec.isActive ? 'true' : 'false');
    if (spec.hasSharedParams) {
      s += ',"is_in_layer":true';
      if (!earlyExplicit) s += ',"explicit_parameters":' + spec.cir.explicitParamsOrEmpty;
    }
  }
  return s + '}';
}

function layerEntry(ev: Evaluation, spec: CompiledSpec, r: EvalResult, mode: 0 | 1 | 2): string {
  const specs = ev.specs;
  const delegate = r.configDelegate !== null && r.configDelegate !== '' ? specs.configs.get(r.configDelegate) : undefined;
  // statsig-node re-evaluates the delegate twice: with the target app for group_name (a non-empty
  // one replaces the layer's) and without it for is_user_in_experiment
  const top = delegate === undefined ? null : ev.rawConfigResult(delegate, false);
  const raw = delegate === undefined ? null : ev.rawConfigResult(delegate, true);
  const delegateGroup = top !== null && top.groupName !== null && top.groupName !== '' ? top.groupName : null;

  let s = baseEntry(specs, spec, r, r.unsupported ? '{}' : r.json.json, mode);
  if (r.groupName !== null) s += ',"group_name":' + JSON.stringify(delegateGroup ?? r.groupName);
  const explicit = delegate !== undefined ? delegate.cir.explicitParamsOrEmpty : spec.cir.explicitParamsOrEmpty;
  s += ',"explicit_parameters":' + explicit;
  if (r.configDelegate !== null && r.configDelegate !== '') {
    if (r.groupName === null && delegateGroup !== null) s += ',"group_name":' + JSON.stringify(delegateGroup);
    s += ',"allocated_experiment_name":' + (delegate?.keyJson[mode] ?? JSON.stringify(hashName(r.configDelegate, mode)));
    s += ',"is_experiment_active":' + (delegate?.isActive ? 'true' : 'false');
    s += ',"is_user_in_experiment":' + (raw?.isExperimentGroup ? 'true' : 'false');
  }
  return s + ',"undelegated_secondary_exposures":' + exposuresJson(specs, r.undelegated, mode) + '}';
}

type Filter = (spec: CompiledSpec) => boolean;

/** Appends `"key":entry,...` for one map to `out`, in statsig-node's key order. */
function section(
  out: string[],
  list: readonly CompiledSpec[],
  storeList: readonly CompiledSpec[],
  hasCollisions: boolean,
  include: Filter,
  entry: (spec: CompiledSpec) => string,
  mode: 0 | 1 | 2,
): void {
  let first = true;
  if (!hasCollisions) {
    for (let i = 0; i < list.length; i++) {
      const spec = list[i]!;
      if (!include(spec)) continue;
      if (!first) out.push(',');
      first = false;
      out.push(spec.keyJson[mode], ':', entry(spec));
    }
    return;
  }
  // two names share a hashed key: the later entry's value at the earlier key's position (Object.assign)
  const byKey = new Map<string, string>();
  for (const spec of storeList) if (include(spec)) byKey.set(spec.key[mode], entry(spec));
  const keys = [...byKey.keys()];
  for (const i of jsKeyOrder(keys)) {
    const k = keys[i]!;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(k), ':', byKey.get(k)!);
  }
}

/**
 * `"key":entry,...` of the gates, without key collisions (the common case). Interned
 * results (see internResult) carry their finished entry, so most entries are a cached string
 * (hand-written fast path, measured on the large DCS bootstrap).
 */
function allGates(out: string[], ev: Evaluation, list: readonly CompiledSpec[], include: Filter | null, mode: 0 | 1 | 2): void {
  const specs = ev.specs;
  let first = true;
  for (let i = 0; i < list.length; i++) {
    const spec = list[i]!;
    const entity = spec.entity;
    if (entity === 'segment' || entity === 'holdout') continue;
    if (include !== null && !include(spec)) continue;
    const r = ev.gateResultOf(spec);
    const f = r.fragments;
    let text = f === null ? undefined : f[mode];
    if (text === undefined) {
      text = spec.keyJson[mode] + ':' + gateEntry(specs, spec, r, mode);
      // only a cached entry is worth flattening; the final join copies a one-off rope as it goes
      if (f !== null) f[mode] = text = flatten(text);
    }
    if (!first) out.push(',');
    first = false;
    out.push(text);
  }
}

/** `"key":entry,...` of the configs, without key collisions (see allGates). */
function allConfigs(out: string[], ev: Evaluation, list: readonly CompiledSpec[], include: Filter | null, mode: 0 | 1 | 2): void {
  let first = true;
  for (let i = 0; i < list.length; i++) {
    const spec = list[i]!;
    if (include !== null && !include(spec)) continue;
    const r = ev.configResultOf(spec);
    const raw = rawFor(ev, spec);
    // an entry is the same for everyone only when is_user_in_experiment comes from this very result
    const f = raw === null || raw === r ? r.fragments : null;
    let text = f === null ? undefined : f[mode];
    if (text === undefined) {
      text = spec.keyJson[mode] + ':' + configEntry(ev, spec, r, mode, raw);
      if (f !== null) f[mode] = text = flatten(text);
    }
    if (!first) out.push(',');
    first = false;
    out.push(text);
  }
}

/** The names `only` keeps: the named entities plus the gates their exposures name and layer delegates. */
function onlySet(ev: Evaluation, only: readonly string[]): Set<string> {
  const keep = new Set(only);
  const addExposures = (list: readonly SecondaryExposure[]) => {
    for (const e of list) keep.add(e.gate);
  };
  for (const name of only) {
    if (ev.specs.gates.has(name)) addExposures(ev.gateResult(name).secondary);
    if (ev.specs.configs.has(name)) addExposures(ev.configResult(name).secondary);
    if (ev.specs.layers.has(name)) {
      const r = ev.layerResult(name);
      addExposures(r.secondary);
      addExposures(r.undelegated);
      if (r.configDelegate) keep.add(r.configDelegate);
    }
  }
  return keep;
}

export function writeClientInitializeResponse(ev: Evaluation, opts: WriteOptions): string {
  const specs = ev.specs;
  const mode = HASH_INDEX[opts.hash];
  const order = specs.cirOrder[mode];
  const store = specs.storeOrder;
  const { filterApp, entities } = ev.target;
  const keep = opts.only === undefined ? null : onlySet(ev, opts.only);

  const appOk: Filter = filterApp === null ? () => true : (spec) => spec.targetAppIDs !== null && spec.targetAppIDs.has(filterApp);
  const includeGate: Filter = (spec) =>
    spec.entity !== 'segment' &&
    spec.entity !== 'holdout' &&
    (entities === null || entities.gates.has(spec.name)) &&
    appOk(spec) &&
    (keep === null || keep.has(spec.name));
  const includeConfig: Filter = (spec) =>
    (entities === null || entities.configs.has(spec.name)) && appOk(spec) && (keep === null || keep.has(spec.name));
  const includeLayer: Filter = (spec) => appOk(spec) && (keep === null || keep.has(spec.name));

  const unfiltered = filterApp === null && entities === null && keep === null;
  // Every piece goes into one array joined once at the end: Array#join writes one flat string,
  // where `+=` would leave a deep rope that costs more to flatten when the payload is sent than it
  // took to build (measured: ~400 µs on the 88 KB large-DCS payload), and joining each section
  // first would copy the bulk of the payload twice.
  const out: string[] = ['{"feature_gates":{'];
  if (!order.hasCollisions) allGates(out, ev, order.gates, unfiltered ? null : includeGate, mode);
  else section(out, order.gates, store.gates, true, includeGate, (spec) => gateEntry(specs, spec, ev.gateResult(spec.name), mode), mode);
  out.push('},"dynamic_configs":{');
  if (!order.hasCollisions) allConfigs(out, ev, order.configs, unfiltered ? null : includeConfig, mode);
  else section(out, order.configs, store.configs, true, includeConfig, (spec) => configEntry(ev, spec, ev.configResult(spec.name), mode), mode);
  out.push('},"layer_configs":{');
  section(out, order.layers, store.layers, order.hasCollisions, includeLayer,
    (spec) => layerEntry(ev, spec, ev.layerResult(spec.name), mode), mode);

  const echo = echoUser(ev.user, ev.environment, opts.userEcho);
  out.push(
    '},"sdkParams":{},"has_updates":true,', SDK_INFO,
    ',"time":', JSON.stringify(specs.lcut),
    ',"evaluated_keys":', echo.evaluatedKeysJson,
    ',"hash_used":"', opts.hash,
    '","user":', echo.userJson,
  );
  if (specs.sessionReplayInfo !== null) {
    out.push(sessionReplayFields(specs.sessionReplayInfo, (gate) => {
      const spec = specs.gates.get(gate);
      if (spec === undefined || !includeGate(spec)) return false;
      const r = ev.gateResult(gate);
      return !r.unsupported && r.value === true;
    }, (name) => hashName(name, mode)));
  }
  out.push('}');
  return out.join('');
}
