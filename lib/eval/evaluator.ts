/**
 * The evaluator (reference §5.2–§5.8, §8): rules in order, the first rule whose conditions all
 * pass decides, pass percentages by SHA-256 bucket, layers delegate to their experiment, local
 * overrides first. Never throws for spec content: unknown conditions, cycles and runaway nesting
 * come back as Unsupported results.
 */
import type { CompiledRule, CompiledSpec, SpecRef } from '../spec/compiled';
import { UNSUPPORTED, PASS } from '../spec/compiled';
import { lookupOverride } from '../overrides';
import type { SecondaryExposure } from '../types';
import { MAX_DEPTH, type EvalContext } from './context';
import { EXPOSURE_STACK } from './exposure-stack';
import {
  CYCLE,
  EMPTY_OBJECT_VALUE,
  EvalResult,
  internResult,
  NO_EXPOSURES,
  UNRECOGNIZED,
  runtimeValue,
} from './result';

/** What every local-override result shares. */
const OVERRIDE = {
  ruleId: 'override',
  ruleIdJson: '"override"',
  groupName: null,
  groupNameJson: null,
  secondary: NO_EXPOSURES,
  undelegated: NO_EXPOSURES,
  explicitParameters: null,
  configDelegate: null,
  isExperimentGroup: false,
  unsupported: false,
  version: undefined,
  reason: 'LocalOverride',
  exposure: null,
} as const;

/** checkGate's path: local override, else the gate's evaluation (memoised per context). */
export function gateResult(ctx: EvalContext, name: string, nested = false): EvalResult {
  const overrides = ctx.overrides;
  if (overrides !== null && overrides.gates.size > 0) {
    const o = lookupOverride(overrides.gates, ctx.user, name);
    if (o !== null) {
      return new EvalResult({ ...OVERRIDE, value: o.value, idType: null, json: EMPTY_OBJECT_VALUE });
    }
  }
  const spec = ctx.specs.gates.get(name);
  if (spec === undefined) return UNRECOGNIZED;
  return nested ? nestedMemoised(ctx, spec) : memoised(ctx, ctx.gateMemo, spec);
}

/** A pass_gate/fail_gate check: gateResult(ctx, ref.name, true) with the gate resolved at compile time. */
export function nestedGateResult(ctx: EvalContext, ref: SpecRef): EvalResult {
  const overrides = ctx.overrides;
  if (overrides !== null && overrides.gates.size > 0) return gateResult(ctx, ref.name, true);
  const spec = ref.spec;
  if (spec === undefined) return UNRECOGNIZED;
  return nestedMemoised(ctx, spec);
}

/** gateResult for a spec already in hand (the bootstrap writer walks the compiled lists). */
export function gateResultOf(ctx: EvalContext, spec: CompiledSpec): EvalResult {
  const overrides = ctx.overrides;
  if (overrides !== null && overrides.gates.size > 0) return gateResult(ctx, spec.name);
  return memoised(ctx, ctx.gateMemo, spec);
}

/** configResult for a spec already in hand. */
export function configResultOf(ctx: EvalContext, spec: CompiledSpec): EvalResult {
  const overrides = ctx.overrides;
  if (overrides !== null && overrides.configs.size > 0) return configResult(ctx, spec.name);
  return memoised(ctx, ctx.configMemo, spec);
}

/** getConfig's path (configs and experiments), also used for layer delegation. */
export function configResult(ctx: EvalContext, name: string): EvalResult {
  const overrides = ctx.overrides;
  if (overrides !== null && overrides.configs.size > 0) {
    const o = lookupOverride(overrides.configs, ctx.user, name);
    if (o !== null) return configOverride(o.value, o.global, overrides.groups?.get(name) ?? null);
  }
  const spec = ctx.specs.configs.get(name);
  if (spec === undefined) return UNRECOGNIZED;
  return memoised(ctx, ctx.configMemo, spec);
}

export function layerResult(ctx: EvalContext, name: string): EvalResult {
  const overrides = ctx.overrides;
  if (overrides !== null && overrides.layers.size > 0) {
    const o = lookupOverride(overrides.layers, ctx.user, name);
    if (o !== null) return configOverride(o.value, o.global);
  }
  const spec = ctx.specs.layers.get(name);
  if (spec === undefined) return UNRECOGNIZED;
  return evalSpec(ctx, spec);
}

/** A config/layer override: value true, rule "override", id type "userID" (or "" for everyone); a forced group names its group. */
function configOverride(value: object, global: boolean, groupName: string | null = null): EvalResult {
  const group = groupName === null ? {} : { groupName, groupNameJson: JSON.stringify(groupName) };
  return new EvalResult({ ...OVERRIDE, ...group, value: true, idType: global ? '' : 'userID', json: runtimeValue(value) });
}

function memoised(ctx: EvalContext, memo: (EvalResult | null | undefined)[] | null, spec: CompiledSpec): EvalResult {
  if (memo === null) return evalSpec(ctx, spec);
  const hit = memo[spec.index];
  if (hit !== undefined) return hit ?? CYCLE;
  memo[spec.index] = null;
  const r = evalSpec(ctx, spec);
  memo[spec.index] = r;
  return r;
}

/**
 * A nested gate, evaluated at most once per context (a cycle is met as an evaluation in progress):
 * through the project-wide memo in an evaluateAll, else through the context's small map.
 */
function nestedMemoised(ctx: EvalContext, spec: CompiledSpec): EvalResult {
  const memo = ctx.gateMemo;
  if (memo !== null) return memoised(ctx, memo, spec);
  const map = (ctx.gateMap ??= new Map());
  const hit = map.get(spec.index);
  if (hit !== undefined) return hit ?? CYCLE;
  map.set(spec.index, null);
  const r = evalSpec(ctx, spec);
  map.set(spec.index, r);
  return r;
}

/**
 * Appends exposures to `list`, dropping `segment:` gates and duplicates (statsig-node's clean()).
 * Exposures are interned by their gate|gateValue|ruleID key, so identity is the dedupe key; the
 * rare non-interned one (an override with a non-boolean value) is compared by content. Lists are
 * short, so a linear identity scan replaces a Set (no allocation per rule; measured).
 */
function addExposures(list: SecondaryExposure[], add: readonly SecondaryExposure[]): void {
  for (let i = 0; i < add.length; i++) {
    const e = add[i]!;
    if (e.gate.startsWith('segment:') || list.includes(e)) continue;
    if (!Object.isFrozen(e) && list.some((x) => x.gate === e.gate && x.gateValue === e.gateValue && x.ruleID === e.ruleID)) continue;
    list.push(e);
  }
}

/** Whether `items[from, to)` holds `e` (by identity, or by content for a non-interned one). */
function holds(items: readonly SecondaryExposure[], from: number, to: number, e: SecondaryExposure): boolean {
  for (let k = from; k < to; k++) if (items[k] === e) return true;
  if (Object.isFrozen(e)) return false;
  for (let k = from; k < to; k++) {
    const x = items[k]!;
    if (x.gate === e.gate && x.gateValue === e.gateValue && x.ruleID === e.ruleID) return true;
  }
  return false;
}

/**
 * addExposures on the stack: the exposures a rule pushed above `from` join the spec's list
 * `[base, from)` with the same rules, compacted in place (the write index never passes the read one).
 */
function keepNew(base: number, from: number): void {
  const items = EXPOSURE_STACK.items;
  const end = EXPOSURE_STACK.top;
  let w = from;
  for (let k = from; k < end; k++) {
    const e = items[k]!;
    if (e.gate.startsWith('segment:') || holds(items, base, w, e)) continue;
    items[w++] = e;
  }
  EXPOSURE_STACK.top = w;
}

function passesPercentage(ctx: EvalContext, rule: CompiledRule): boolean {
  const pp = rule.passPercentage;
  if (pp === 0) return false;
  if (pp === 100) return true;
  return ctx.bucket(rule.slot, rule.hashPrefix, rule.idType, rule.unitIdIsUserID) < pp * 100;
}

/**
 * `_eval`: the spec's own evaluation, without overrides of the spec itself. The secondary
 * exposures it collects live on EXPOSURE_STACK above the top it found (see exposure-stack.ts)
 * until a result keeps them.
 */
export function evalSpec(ctx: EvalContext, spec: CompiledSpec): EvalResult {
  if (!spec.enabled) return spec.resultDisabled;
  const withheld = ctx.withheldIdTypes;
  if (withheld !== null && typeof spec.idType === 'string' && withheld.has(spec.idType.toLowerCase())) return spec.resultDefault;
  if (ctx.depth >= MAX_DEPTH) return spec.resultUnsupported;
  ctx.depth++;
  const stack = EXPOSURE_STACK;
  const base = stack.top;
  try {
    const rules = spec.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const from = stack.top;
      const outcome = rule.test(ctx);
      if (outcome === UNSUPPORTED) return spec.resultUnsupported;
      if (stack.top > from) keepNew(base, from);
      if (outcome !== PASS) continue;
      const top = stack.top;
      const delegateSpec = rule.delegateRef?.spec;
      if (delegateSpec !== undefined) return delegated(ctx, delegateSpec, top === base ? NO_EXPOSURES : stack.items.slice(base, top));
      const pass = passesPercentage(ctx, rule);
      if (top === base) return pass ? rule.resultPass : rule.resultFail;
      const node = (pass ? rule.internPass : rule.internFail).node(stack.items, base, top);
      if (node !== null && node.result !== null) return node.result;
      const own = stack.items.slice(base, top);
      const list = node === null ? own : Object.freeze(own);
      const r = new EvalResult({
        value: pass, ruleId: rule.id, ruleIdJson: rule.idJson, groupName: rule.groupName, groupNameJson: rule.groupNameJson,
        idType: spec.idType, secondary: list, undelegated: list, json: pass ? rule.returnValue : spec.defaultValue,
        explicitParameters: spec.explicitParameters, configDelegate: null, isExperimentGroup: rule.isExperimentGroup,
        unsupported: false, version: spec.version, reason: null, exposure: pass ? rule.exposureIfPass : rule.exposureIfFail,
      });
      return node === null ? r : (node.result = internResult(r));
    }
    const top = stack.top;
    if (top === base) return spec.resultDefault;
    const node = spec.internDefault.node(stack.items, base, top);
    if (node !== null && node.result !== null) return node.result;
    const own = stack.items.slice(base, top);
    const list = node === null ? own : Object.freeze(own);
    const r = new EvalResult({
      value: false, ruleId: 'default', ruleIdJson: '"default"', groupName: null, groupNameJson: null, idType: spec.idType,
      secondary: list, undelegated: list, json: spec.defaultValue, explicitParameters: spec.explicitParameters,
      configDelegate: null, isExperimentGroup: false, unsupported: false, version: spec.version, reason: null,
      exposure: spec.exposureDefault,
    });
    return node === null ? r : (node.result = internResult(r));
  } finally {
    stack.top = base;
    ctx.depth--;
  }
}

/** A layer rule handing over to its experiment: the experiment's result with both exposure sets. */
function delegated(ctx: EvalContext, delegateSpec: CompiledSpec, own: readonly SecondaryExposure[]): EvalResult {
  const inner = ctx.nested();
  inner.ensureMemo();
  const d = configResultOf(inner, delegateSpec);
  let secondary: readonly SecondaryExposure[] = own;
  if (d.secondary.length > 0) {
    const list = own.slice();
    addExposures(list, d.secondary);
    secondary = list;
  }
  return new EvalResult({
    value: d.value, ruleId: d.ruleId, ruleIdJson: d.ruleIdJson, groupName: d.groupName, groupNameJson: d.groupNameJson,
    idType: d.idType, secondary, undelegated: own, json: d.json, explicitParameters: delegateSpec.explicitParameters,
    configDelegate: delegateSpec.name, isExperimentGroup: d.isExperimentGroup, unsupported: d.unsupported,
    version: d.version, reason: d.reason, exposure: null,
  });
}
