/**
 * Writes the init-v2 client initialize response (statsig-node-core's `InitializeV2` response
 * format, read by @statsig/js-client since 3.27): short keys (`r` rule, `s` secondary exposures,
 * `i` id type, `v` value, `p` passed, `gn` group, `ea`/`ue` experiment active / user in it, `ae`
 * allocated experiment, `ep` explicit parameters, `us` undelegated exposures), each value JSON and
 * each exposure written once in the `values` / `exposures` tables and referenced by index.
 *
 * Entries carry what the v1 payload says (entry-fields.ts), in statsig-node-core's field order and
 * omission rules: `r` is left out for rule "default", `s`/`us` when empty, `i` when there is no id
 * type, a gate's `v` unless true. Map order and table numbering are ours (statsig-node-core's come
 * from hash-map iteration and change from run to run).
 */
import { HASH_INDEX, type CompiledSpec, type Specs } from '../spec/compiled';
import { flatten } from '../spec/flat';
import type { Evaluation } from '../evaluation';
import { NO_SLOTS, type CompactEntry, type EvalResult } from '../eval/result';
import type { SecondaryExposure } from '../types';
import { djb2CodePoints } from '../hash/djb2';
import { FIRSTLIGHT_VERSION, SDK_TYPE } from '../version';
import { echoUser } from './user-echo';
import { sessionReplayFields } from './session-replay';
import { section, selection, type Filter } from './selection';
import { configValueJson, delegateView, hashName, layerValueJson, rawFor } from './entry-fields';
import { PayloadTables } from './init-v2-tables';
import type { WriteOptions } from './cir-writer';

const SDK_INFO = `"sdkInfo":{"sdkType":"${SDK_TYPE}","sdkVersion":"${FIRSTLIGHT_VERSION}"}`;

/** An entry's text as it is built, and the table slots it uses. */
class EntryBuilder {
  text = '{';
  valueId = -1;
  exposureIds: number[] | null = null;

  constructor(private readonly tables: PayloadTables) {}

  field(key: string, json: string): void {
    this.text += (this.text.length === 1 ? '"' : ',"') + key + '":' + json;
  }

  exposures(key: string, list: readonly SecondaryExposure[]): void {
    if (list.length === 0) return;
    let s = '[';
    for (let i = 0; i < list.length; i++) {
      const id = this.tables.exposure(list[i]!);
      (this.exposureIds ??= []).push(id);
      s += (i === 0 ? '"' : ',"') + id + '"';
    }
    this.field(key, s + ']');
  }

  value(json: string): void {
    this.valueId = this.tables.value(json);
    this.field('v', '"' + this.valueId + '"');
  }

  /** Rule id and secondary exposures, the start of every entry. */
  base(r: EvalResult): void {
    if (r.ruleId !== 'default') this.field('r', r.ruleIdJson);
    this.exposures('s', r.secondary);
  }

  idType(idType: string | null | undefined): void {
    if (typeof idType === 'string') this.field('i', JSON.stringify(idType));
  }

  done(key: string): CompactEntry {
    return { text: ',' + key + ':' + this.text + '}', valueId: this.valueId, exposureIds: this.exposureIds ?? NO_SLOTS };
  }
}

function gateEntry(t: PayloadTables, spec: CompiledSpec, r: EvalResult, mode: 0 | 1 | 2): CompactEntry {
  const b = new EntryBuilder(t);
  b.base(r);
  b.idType(spec.idType);
  if (!r.unsupported && r.value === true) b.field('v', 'true');
  return b.done(spec.keyJson[mode]);
}

function configEntry(t: PayloadTables, spec: CompiledSpec, r: EvalResult, raw: EvalResult | null, mode: 0 | 1 | 2): CompactEntry {
  const b = new EntryBuilder(t);
  b.base(r);
  b.idType(spec.idType);
  b.value(configValueJson(spec, r));
  if (spec.entity === 'dynamic_config') {
    b.field('p', r.value === true ? 'true' : 'false');
  } else {
    if (r.groupName !== null) b.field('gn', r.groupNameJson ?? JSON.stringify(r.groupName));
    if (spec.entity === 'experiment') {
      b.field('ea', spec.isActive ? 'true' : 'false');
      b.field('ue', (raw ?? r).isExperimentGroup ? 'true' : 'false');
    }
  }
  return b.done(spec.keyJson[mode]);
}

function layerEntry(ev: Evaluation, t: PayloadTables, spec: CompiledSpec, r: EvalResult, mode: 0 | 1 | 2): CompactEntry {
  const { delegate, delegateGroup, raw } = delegateView(ev, r);
  const b = new EntryBuilder(t);
  b.base(r);
  b.value(layerValueJson(r));
  // the layer's own id type, also when it delegates to an experiment on another unit
  b.idType(spec.idType);
  const group = delegateGroup ?? r.groupName;
  if (group !== null) b.field('gn', JSON.stringify(group));
  if (r.configDelegate !== null && r.configDelegate !== '') {
    b.field('ea', delegate?.isActive ? 'true' : 'false');
    b.field('ue', raw?.isExperimentGroup ? 'true' : 'false');
    b.field('ae', delegate?.keyJson[mode] ?? JSON.stringify(hashName(r.configDelegate, mode)));
    if (delegate !== undefined && delegate.explicitParameters != null) b.field('ep', delegate.cir.explicitParamsOrEmpty);
  }
  b.exposures('us', r.undelegated);
  return b.done(spec.keyJson[mode]);
}

/** Segments and holdouts are gates only other gates check; no client reads them. */
const isClientGate: Filter = (spec) => spec.entity !== 'segment' && spec.entity !== 'holdout';

/** Keeps a fresh entry in its interned result's cache (when it has one) and returns its text. */
function keep(r: EvalResult, cache: (string | undefined)[] | null, mode: 0 | 1 | 2, e: CompactEntry): string {
  if (cache === null) return e.text;
  const text = flatten(e.text);
  cache[mode] = text;
  r.compactValueId = e.valueId;
  r.compactExposureIds = e.exposureIds;
  return text;
}

/**
 * `"key":entry,...` of the gates (kind 0) or configs (kind 1), without key collisions (see
 * cir-writer's allGates). A cached entry's text starts with its separating comma (one join piece
 * per entry); its table slots are marked used right here, the loop being the hot part of a payload.
 */
function entries(
  out: string[],
  ev: Evaluation,
  t: PayloadTables,
  list: readonly CompiledSpec[],
  include: Filter | null,
  mode: 0 | 1 | 2,
  kind: 0 | 1,
): void {
  const usedValues = t.usedValues;
  const usedExposures = t.usedExposures;
  let first = true;
  for (let i = 0; i < list.length; i++) {
    const spec = list[i]!;
    let r: EvalResult;
    let raw: EvalResult | null = null;
    let cache: (string | undefined)[] | null;
    if (kind === 0) {
      if (include === null ? !isClientGate(spec) : !include(spec)) continue;
      r = ev.gateResultOf(spec);
      cache = r.compact;
    } else {
      if (include !== null && !include(spec)) continue;
      r = ev.configResultOf(spec);
      raw = rawFor(ev, spec);
      // an entry is the same for everyone only when is_user_in_experiment comes from this very result
      cache = raw === null || raw === r ? r.compact : null;
    }
    let text = cache === null ? undefined : cache[mode];
    if (text !== undefined) {
      const v = r.compactValueId;
      if (v >= 0 && v < usedValues.length) usedValues[v] = 1;
      const ids = r.compactExposureIds;
      for (let k = 0; k < ids.length; k++) usedExposures[ids[k]!] = 1;
    } else {
      text = keep(r, cache, mode, kind === 0 ? gateEntry(t, spec, r, mode) : configEntry(t, spec, r, raw, mode));
    }
    out.push(first ? text.slice(1) : text);
    first = false;
  }
}

/**
 * statsig-node-core's `pa_hash`: the sum of djb2("key:value") over the private attributes (strings,
 * numbers and booleans as text; other values hash as "key:"), kept to 32 bits. Only when there are
 * private attributes.
 */
function paHash(user: Record<string, unknown>): string | null {
  const pa = user['privateAttributes'];
  if (typeof pa !== 'object' || pa === null || Array.isArray(pa)) return null;
  const keys = Object.keys(pa);
  if (keys.length === 0) return null;
  let sum = 0;
  for (const k of keys) {
    const v = (pa as Record<string, unknown>)[k];
    sum = (sum + djb2CodePoints(k + ':' + (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''))) % 0x1_0000_0000;
  }
  return String(sum);
}

export function writeInitV2Response(ev: Evaluation, opts: WriteOptions): string {
  const specs: Specs = ev.specs;
  const mode = HASH_INDEX[opts.hash];
  const order = specs.cirOrder[mode];
  const store = specs.storeOrder;
  const { includeGate, includeConfig, includeLayer, unfiltered } = selection(ev, opts.only);
  const t = new PayloadTables(specs, mode);

  const writeGate = (spec: CompiledSpec, r: EvalResult) => gateEntry(t, spec, r, mode);
  const writeConfig = (spec: CompiledSpec, r: EvalResult) => configEntry(t, spec, r, rawFor(ev, spec), mode);
  // the entry without its `,"key":` (section() writes the key itself)
  const body = (spec: CompiledSpec, e: CompactEntry) => e.text.slice(spec.keyJson[mode].length + 2);

  const out: string[] = ['{"feature_gates":{'];
  if (!order.hasCollisions) {
    entries(out, ev, t, order.gates, unfiltered ? null : includeGate, mode, 0);
    out.push('},"dynamic_configs":{');
    entries(out, ev, t, order.configs, unfiltered ? null : includeConfig, mode, 1);
  } else {
    section(out, order.gates, store.gates, true, includeGate, (spec) => body(spec, writeGate(spec, ev.gateResult(spec.name))), mode);
    out.push('},"dynamic_configs":{');
    section(out, order.configs, store.configs, true, includeConfig, (spec) => body(spec, writeConfig(spec, ev.configResult(spec.name))), mode);
  }
  out.push('},"layer_configs":{');
  section(out, order.layers, store.layers, order.hasCollisions, includeLayer,
    (spec) => body(spec, layerEntry(ev, t, spec, ev.layerResult(spec.name), mode)), mode);

  const echo = echoUser(ev.user, ev.environment, opts.userEcho);
  out.push(
    '},"param_stores":{},"time":', JSON.stringify(specs.lcut),
    ',"has_updates":true,"hash_used":"', opts.hash,
    '","user":', echo.userJson,
    ',', SDK_INFO,
    ',"sdkParams":{},"evaluated_keys":', echo.evaluatedKeysJson,
    ',"exposures":',
  );
  t.exposuresJson(out);
  if (specs.sessionReplayInfo !== null) {
    out.push(sessionReplayFields(specs.sessionReplayInfo, (name) => {
      const spec = specs.gates.get(name);
      if (spec === undefined || !includeGate(spec)) return false;
      const r = ev.gateResult(name);
      return !r.unsupported && r.value === true;
    }, (name) => hashName(name, mode)));
  }
  const pa = paHash(ev.user as Record<string, unknown>);
  if (pa !== null) out.push(',"pa_hash":"', pa, '"');
  out.push(',"values":');
  t.valuesJson(out);
  out.push(',"response_format":"init-v2"}');
  return out.join('');
}
