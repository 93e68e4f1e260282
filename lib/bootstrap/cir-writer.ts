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
import { HASH_INDEX, type CompiledSpec, type HashMode, type Specs } from '../spec/compiled';
import { flatten } from '../spec/flat';
import type { Evaluation } from '../evaluation';
import type { EvalResult } from '../eval/result';
import type { SecondaryExposure } from '../types';
import { FIRSTLIGHT_VERSION, SDK_TYPE } from '../version';
import { echoUser, type UserEcho } from './user-echo';
import { sessionReplayFields } from './session-replay';
import { section, selection, type Filter } from './selection';
import { configValueJson, delegateView, hashName, isExperimentLike, layerValueJson, rawFor } from './entry-fields';

export interface WriteOptions {
  readonly hash: HashMode;
  readonly only: readonly string[] | undefined;
  readonly userEcho: UserEcho;
}

const SDK_INFO = `"generator":"${SDK_TYPE}","sdkInfo":{"sdkType":"${SDK_TYPE}","sdkVersion":"${FIRSTLIGHT_VERSION}"}`;

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

function configEntry(ev: Evaluation, spec: CompiledSpec, r: EvalResult, mode: 0 | 1 | 2, raw: EvalResult | null = rawFor(ev, spec)): string {
  const specs = ev.specs;
  const entity = spec.entity;
  const experimentLike = isExperimentLike(spec);
  const inLayer = experimentLike && spec.hasSharedParams;
  const valueJson = configValueJson(spec, r);

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
  const { delegate, delegateGroup, raw } = delegateView(ev, r);
  let s = baseEntry(specs, spec, r, layerValueJson(r), mode);
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

/**
 * `"key":entry,...` of the gates, without key collisions (the common case). Interned
 * results (see internResult) carry their finished entry, so most entries are a cached string
 * (hand-written fast path, measured on the large DCS bootstrap). A cached entry starts with its
 * separating comma (the first entry of a map drops it), so each entry is one piece of the join,
 * not two: half the pieces to grow, scan and copy on a 1,800-entity payload.
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
      text = ',' + spec.keyJson[mode] + ':' + gateEntry(specs, spec, r, mode);
      // only a cached entry is worth flattening; the final join copies a one-off rope as it goes
      if (f !== null) f[mode] = text = flatten(text);
    }
    out.push(first ? text.slice(1) : text);
    first = false;
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
      text = ',' + spec.keyJson[mode] + ':' + configEntry(ev, spec, r, mode, raw);
      if (f !== null) f[mode] = text = flatten(text);
    }
    out.push(first ? text.slice(1) : text);
    first = false;
  }
}

export function writeClientInitializeResponse(ev: Evaluation, opts: WriteOptions): string {
  const specs = ev.specs;
  const mode = HASH_INDEX[opts.hash];
  const order = specs.cirOrder[mode];
  const store = specs.storeOrder;
  const { includeGate, includeConfig, includeLayer, unfiltered } = selection(ev, opts.only);

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
