/**
 * Condition types (reference §5.4): what value a condition reads from the user, or which gates it
 * checks. Each entry compiles one raw condition into a closure; unknown types or operators compile
 * to an always-Unsupported condition, so the evaluator itself never branches on condition types.
 */
import type { RawCondition } from '../spec/schema';
import { FAIL, PASS, UNSUPPORTED, type CompiledCondition, type ConditionOutcome } from '../spec/compiled';
import type { SecondaryExposure } from '../types';
import { getParameterCaseInsensitive, getUnitID, idTypeIsUserID } from '../user/fields';
import { userAgentField } from '../user/user-agent';
import type { EvalContext } from './context';
import { gateResult } from './evaluator';
import { operatorFor, type OperatorTest } from './operators';

type Extractor = (ctx: EvalContext) => unknown;
type ExtractorFactory = (c: RawCondition) => Extractor;

const unsupported: CompiledCondition = Object.freeze({ run: () => UNSUPPORTED, mustRunAfterFail: true });
const always: CompiledCondition = Object.freeze({ run: () => PASS, mustRunAfterFail: false });

function fieldOf(c: RawCondition): { field: string; lower: string; isEnv: boolean } | null {
  const field = c.field;
  if (field == null) return null;
  return { field, lower: field.toLowerCase(), isEnv: field === 'statsigEnvironment' };
}

const userField: ExtractorFactory = (c) => {
  const f = fieldOf(c);
  if (f === null) return () => null;
  return (ctx) => ctx.fromUser(f.field, f.lower, f.isEnv);
};

const ipBased: ExtractorFactory = (c) => {
  const f = fieldOf(c);
  if (f === null) return () => null;
  // only `country` (exact) falls back to the IP; the user's own value wins
  const fromIP = f.field === 'country';
  return (ctx) => ctx.fromUser(f.field, f.lower, f.isEnv) ?? (fromIP ? ctx.countryFromIP() : null);
};

const uaBased: ExtractorFactory = (c) => {
  const f = fieldOf(c);
  if (f === null) return () => null;
  return (ctx) => {
    const own = ctx.fromUser(f.field, f.lower, f.isEnv);
    if (own != null) return own;
    const parsed = ctx.parsedUserAgent();
    return parsed === null ? null : userAgentField(parsed, f.lower);
  };
};

const environmentField: ExtractorFactory = (c) => {
  const field = c.field;
  if (field == null) return () => null;
  return (ctx) => getParameterCaseInsensitive(ctx.environmentObject(), field);
};

const unitID: ExtractorFactory = (c) => {
  const idType = c.idType;
  const isUser = idTypeIsUserID(idType);
  return (ctx) => getUnitID(ctx.user, idType, isUser);
};

const userBucket: ExtractorFactory = (c) => {
  // a missing salt is concatenated as "undefined", exactly as statsig-node does
  const prefix = String(c.additionalValues?.['salt']) + '.';
  const idType = c.idType;
  const isUser = idTypeIsUserID(idType);
  return (ctx) => ctx.bucket(prefix + (getUnitID(ctx.user, idType, isUser) ?? '')) % 1000;
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

function exposure(gate: string, value: boolean, ruleID: string): SecondaryExposure {
  return { gate, gateValue: value ? 'true' : 'false', ruleID };
}

/** pass_gate / fail_gate: nested exposures first, then the gate itself. */
function singleGate(c: RawCondition, wantPass: boolean): CompiledCondition {
  const name = String(c.targetValue);
  return {
    mustRunAfterFail: true,
    run(ctx, out): ConditionOutcome {
      const r = gateResult(ctx, name, true);
      if (r.unsupported) return UNSUPPORTED;
      for (let i = 0; i < r.secondary.length; i++) out.push(r.secondary[i]!);
      out.push(exposure(name, r.value, r.ruleId));
      return !!r.value === wantPass ? PASS : FAIL;
    },
  };
}

/**
 * multi_pass_gate / multi_fail_gate: each gate then its exposures (the opposite order to
 * pass_gate), stopping at the first hit. statsig-node decides pass vs fail by comparing the raw,
 * case-sensitive `type`, so only exactly "multi_pass_gate" means pass.
 */
function multiGate(c: RawCondition): CompiledCondition {
  if (!Array.isArray(c.targetValue)) return unsupported;
  const names = (c.targetValue as unknown[]).map((n) => String(n));
  const wantPass = c.type === 'multi_pass_gate';
  return {
    mustRunAfterFail: true,
    run(ctx, out): ConditionOutcome {
      for (const name of names) {
        const r = gateResult(ctx, name, true);
        if (r.unsupported) return UNSUPPORTED;
        out.push(exposure(name, r.value, r.ruleId));
        for (let i = 0; i < r.secondary.length; i++) out.push(r.secondary[i]!);
        if (r.value === wantPass) return PASS;
      }
      return FAIL;
    },
  };
}

function valueCondition(extract: Extractor, test: OperatorTest): CompiledCondition {
  return {
    mustRunAfterFail: false,
    run: (ctx) => (test(extract(ctx), ctx) ? PASS : FAIL),
  };
}

export function compileCondition(c: RawCondition): CompiledCondition {
  const type = c.type.toLowerCase();
  switch (type) {
    case 'public':
      return always;
    case 'pass_gate':
      return singleGate(c, true);
    case 'fail_gate':
      return singleGate(c, false);
    case 'multi_pass_gate':
    case 'multi_fail_gate':
      return multiGate(c);
  }
  const extractor = Object.prototype.hasOwnProperty.call(EXTRACTORS, type) ? EXTRACTORS[type] : undefined;
  if (extractor === undefined) return unsupported;
  const raw = c.operator;
  const factory = raw == null ? undefined : operatorFor(raw.toLowerCase());
  if (factory === undefined) return unsupported;
  return valueCondition(extractor(c), factory(c.targetValue, raw!));
}

/** Gate names a condition checks (for pre-hashing secondary-exposure names). */
export function nestedGateNames(c: RawCondition): string[] {
  const type = c.type.toLowerCase();
  if (type === 'pass_gate' || type === 'fail_gate') return [String(c.targetValue)];
  if ((type === 'multi_pass_gate' || type === 'multi_fail_gate') && Array.isArray(c.targetValue)) {
    return (c.targetValue as unknown[]).map((n) => String(n));
  }
  return [];
}
