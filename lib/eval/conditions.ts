/**
 * Condition types (reference §5.4): what value a condition reads from the user, or which gates it
 * checks. Each entry compiles one raw condition into a closure; unknown types or operators compile
 * to an always-Unsupported condition, so the evaluator itself never branches on condition types.
 */
import type { RawCondition } from '../spec/schema';
import { FAIL, PASS, UNSUPPORTED, type CompiledCondition, type CompileTools, type ConditionOutcome } from '../spec/compiled';
import type { SecondaryExposure } from '../types';
import { getParameterCaseInsensitive, getUnitID, idTypeIsUserID, internKey } from '../user/fields';
import { userAgentField } from '../user/user-agent';
import type { EvalContext } from './context';
import { nestedGateResult } from './evaluator';
import { pushExposure } from './exposure-stack';
import type { EvalResult } from './result';
import { operatorFor, type OperatorTest } from './operators';
import { sha256Prefix } from '../hash/sha256';

type Extractor = (ctx: EvalContext) => unknown;
type ExtractorFactory = (c: RawCondition, tools: CompileTools) => Extractor;

/**
 * Every compiled condition is built here, so all share one object shape and the evaluator's
 * loads of `run` / `mustRunAfterFail` stay monomorphic (measured on the large-DCS bootstrap).
 */
function condition(mustRunAfterFail: boolean, run: CompiledCondition['run'], bucket: CompiledCondition['bucket'] = null): CompiledCondition {
  return { mustRunAfterFail, run, bucket };
}

const unsupported = condition(true, () => UNSUPPORTED);
const always = condition(false, () => PASS);

function fieldOf(c: RawCondition, tools: CompileTools): { field: string; lower: string; isEnv: boolean; slot: number } | null {
  const field = c.field;
  if (field == null) return null;
  return { field: internKey(field), lower: internKey(field.toLowerCase()), isEnv: field === 'statsigEnvironment', slot: tools.fieldSlot(field) };
}

/** The user's value for a field: memoised per evaluation, except the (substitutable) environment. */
function fieldReader(f: { field: string; lower: string; isEnv: boolean; slot: number }): Extractor {
  const { field, lower, slot } = f;
  if (f.isEnv) return (ctx) => ctx.fromUser(field, lower, true);
  return (ctx) => ctx.userField(slot, field, lower);
}

const userField: ExtractorFactory = (c, tools) => {
  const f = fieldOf(c, tools);
  if (f === null) return () => null;
  return fieldReader(f);
};

const ipBased: ExtractorFactory = (c, tools) => {
  const f = fieldOf(c, tools);
  if (f === null) return () => null;
  const read = fieldReader(f);
  // only `country` (exact) falls back to the IP; the user's own value wins
  if (f.field !== 'country') return (ctx) => read(ctx) ?? null;
  return (ctx) => read(ctx) ?? ctx.countryFromIP();
};

const uaBased: ExtractorFactory = (c, tools) => {
  const f = fieldOf(c, tools);
  if (f === null) return () => null;
  const read = fieldReader(f);
  const lower = f.lower;
  return (ctx) => {
    const own = read(ctx);
    if (own != null) return own;
    const parsed = ctx.parsedUserAgent();
    return parsed === null ? null : userAgentField(parsed, lower);
  };
};

const environmentField: ExtractorFactory = (c) => {
  const field = c.field;
  if (field == null) return () => null;
  return (ctx) => getParameterCaseInsensitive(ctx.environmentObject(), field);
};

const unitID: ExtractorFactory = (c) => {
  const idType = internKey(c.idType);
  const isUser = idTypeIsUserID(idType);
  return (ctx) => getUnitID(ctx.user, idType, isUser);
};

const userBucket: ExtractorFactory = (c, tools) => {
  // a missing salt is concatenated as "undefined", exactly as statsig-node does
  const text = String(c.additionalValues?.['salt']) + '.';
  const prefix = sha256Prefix(text);
  const idType = internKey(c.idType);
  const isUser = idTypeIsUserID(idType);
  const slot = tools.hashSlot(text, idType);
  return (ctx) => ctx.bucket(slot, prefix, idType, isUser) % 1000;
};

const EXTRACTORS: Readonly<Record<string, ExtractorFactory>> = Object.freeze({
  ip_based: ipBased,
  ua_based: uaBased,
  user_field: userField,
  environment_field: environmentField,
  current_time: () => (ctx: EvalContext) => ctx.now(),
  user_bucket: userBucket,
  unit_id: unitID,
  target_app: () => (ctx: EvalContext) => ctx.targetApp,
});

/** The exposure a nested gate result contributes under `name`, interned where possible. */
function exposureFor(
  name: string,
  r: EvalResult,
  tools: { unknown: SecondaryExposure; overrideTrue: SecondaryExposure; overrideFalse: SecondaryExposure },
): SecondaryExposure {
  if (r.exposure !== null) return r.exposure;
  if (r.reason === 'Unrecognized') return tools.unknown;
  if (r.reason === 'LocalOverride' && typeof r.value === 'boolean') return r.value ? tools.overrideTrue : tools.overrideFalse;
  return { gate: name, gateValue: r.value ? 'true' : 'false', ruleID: r.ruleId };
}

function nestedExposures(name: string, tools: CompileTools) {
  return {
    unknown: tools.exposure(name, false, ''),
    overrideTrue: tools.exposure(name, true, 'override'),
    overrideFalse: tools.exposure(name, false, 'override'),
  };
}

/** pass_gate / fail_gate: nested exposures first, then the gate itself. */
function singleGate(c: RawCondition, wantPass: boolean, tools: CompileTools): CompiledCondition {
  const name = String(c.targetValue);
  const ref = tools.gateRef(name);
  const known = nestedExposures(name, tools);
  return condition(true, (ctx): ConditionOutcome => {
    const r = nestedGateResult(ctx.nested(), ref);
    if (r.unsupported) return UNSUPPORTED;
    for (let i = 0; i < r.secondary.length; i++) pushExposure(r.secondary[i]!);
    pushExposure(exposureFor(name, r, known));
    return !!r.value === wantPass ? PASS : FAIL;
  });
}

/**
 * multi_pass_gate / multi_fail_gate: each gate then its exposures (the opposite order to
 * pass_gate), stopping at the first hit. statsig-node decides pass vs fail by comparing the raw,
 * case-sensitive `type`, so only exactly "multi_pass_gate" means pass.
 */
function multiGate(c: RawCondition, tools: CompileTools): CompiledCondition {
  if (!Array.isArray(c.targetValue)) return unsupported;
  const names = (c.targetValue as unknown[]).map((n) => String(n));
  const refs = names.map((n) => tools.gateRef(n));
  const known = names.map((n) => nestedExposures(n, tools));
  const wantPass = c.type === 'multi_pass_gate';
  return condition(true, (ctx): ConditionOutcome => {
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const r = nestedGateResult(ctx.nested(), refs[k]!);
      if (r.unsupported) return UNSUPPORTED;
      pushExposure(exposureFor(name, r, known[k]!));
      for (let i = 0; i < r.secondary.length; i++) pushExposure(r.secondary[i]!);
      if (r.value === wantPass) return PASS;
    }
    return FAIL;
  });
}

function valueCondition(extract: Extractor, test: OperatorTest): CompiledCondition {
  return condition(false, (ctx): ConditionOutcome => {
    try {
      return test(extract(ctx), ctx) ? PASS : FAIL;
    } catch {
      // a user value that cannot be coerced (e.g. an object without a prototype) fails the
      // condition; statsig-node would abandon the whole call instead
      return FAIL;
    }
  });
}

/**
 * The commonest value conditions with the read folded into the condition itself: one closure
 * call fewer per condition (hand-written, measured on the large DCS bootstrap). Same semantics
 * as valueCondition(EXTRACTORS[type](c, tools), test).
 */
function fusedCondition(c: RawCondition, type: string, tools: CompileTools, test: OperatorTest): CompiledCondition | null {
  if (type === 'user_field') {
    const f = fieldOf(c, tools);
    if (f === null || f.isEnv) return null;
    const { slot, field, lower } = f;
    return condition(false, (ctx): ConditionOutcome => {
      try {
        return test(ctx.userField(slot, field, lower), ctx) ? PASS : FAIL;
      } catch {
        return FAIL;
      }
    });
  }
  if (type === 'user_bucket') {
    const text = String(c.additionalValues?.['salt']) + '.';
    const prefix = sha256Prefix(text);
    const idType = internKey(c.idType);
    const isUser = idTypeIsUserID(idType);
    const slot = tools.hashSlot(text, idType);
    const bucket = {
      salt: text.slice(0, -1),
      idType: typeof idType === 'string' && idType ? idType : 'userID',
      unitIdIsUserID: isUser,
      accepts: (b: number): boolean => {
        try {
          // user_bucket operators read no context (only ID-list operators do, and they fail here as on no list)
          return test(b, undefined as unknown as EvalContext);
        } catch {
          return false;
        }
      },
    };
    return condition(
      false,
      (ctx): ConditionOutcome => {
        try {
          return test(ctx.bucket(slot, prefix, idType, isUser) % 1000, ctx) ? PASS : FAIL;
        } catch {
          return FAIL;
        }
      },
      bucket,
    );
  }
  if (type === 'unit_id') {
    const idType = internKey(c.idType);
    const isUser = idTypeIsUserID(idType);
    return condition(false, (ctx): ConditionOutcome => {
      try {
        return test(getUnitID(ctx.user, idType, isUser), ctx) ? PASS : FAIL;
      } catch {
        return FAIL;
      }
    });
  }
  return null;
}

const ALWAYS: (ctx: EvalContext) => ConditionOutcome = () => PASS;

/**
 * A rule's conditions as one test with runRule's outcome (PASS, FAIL or UNSUPPORTED). Most rules
 * have one condition, whose own function is then the test: on a large project the evaluation is
 * bound by cache misses, and this skips the rule's condition array and the per-condition checks.
 * Several conditions run in order; after a failure only those that must still run (nested gates,
 * whose exposures count as in statsig-node) do.
 */
export function ruleTest(conds: readonly CompiledCondition[]): (ctx: EvalContext) => ConditionOutcome {
  if (conds.length === 0) return ALWAYS;
  if (conds.length === 1) return conds[0]!.run;
  return (ctx) => {
    let pass = true;
    for (let i = 0; i < conds.length; i++) {
      const c = conds[i]!;
      if (!pass && !c.mustRunAfterFail) continue;
      const r = c.run(ctx);
      if (r === UNSUPPORTED) return UNSUPPORTED;
      if (r !== PASS) pass = false;
    }
    return pass ? PASS : FAIL;
  };
}

export function compileCondition(c: RawCondition, tools: CompileTools): CompiledCondition {
  const type = c.type.toLowerCase();
  switch (type) {
    case 'public':
      return always;
    case 'pass_gate':
      return singleGate(c, true, tools);
    case 'fail_gate':
      return singleGate(c, false, tools);
    case 'multi_pass_gate':
    case 'multi_fail_gate':
      return multiGate(c, tools);
  }
  const extractor = Object.prototype.hasOwnProperty.call(EXTRACTORS, type) ? EXTRACTORS[type] : undefined;
  if (extractor === undefined) return unsupported;
  const raw = c.operator;
  const factory = raw == null ? undefined : operatorFor(raw.toLowerCase());
  if (factory === undefined) return unsupported;
  try {
    const test: OperatorTest = factory(c.targetValue, raw!);
    return fusedCondition(c, type, tools, test) ?? valueCondition(extractor(c, tools), test);
  } catch {
    // a target that cannot be converted (e.g. JSON `[{"toString": ""}]` under `gt`): statsig-node
    // would throw on every evaluation of it; here the condition is Unsupported and parsing goes on
    return unsupported;
  }
}
