/**
 * Where a user falls in each rule of an entity: the rule's pass percentage and the user's bucket
 * (SHA-256 of `<spec salt>.<rule salt>.<unit ID>`, u64 mod 10000, as the evaluator hashes it) — what
 * the evaluation explorer draws as an allocation bar. Pure, for display: evaluation itself does not use it.
 */
import type { BucketCondition, CompiledRule, Specs } from '../spec/compiled';
import type { StatsigUser } from '../types';
import { sha256Mod10000, sha256Mod10000Prefixed } from '../hash/sha256';
import { getUnitID } from '../user/fields';

export interface RuleAllocation {
  readonly ruleID: string;
  readonly groupName: string | null;
  /** 0–100, as in the specs. */
  readonly passPercentage: number;
  readonly idType: string;
  /** The unit the rule buckets on (null: the user has none, so the bucket is of the empty ID). */
  readonly unitID: string | null;
  /** 0–9999; the rule lets the user through when `bucket < passPercentage × 100`. */
  readonly bucket: number;
  readonly withinPercentage: boolean;
}

export type AllocationKind = 'gate' | 'config' | 'layer';

/** Every rule of the named entity with the user's bucket; [] when the specs have no such entity. */
export function ruleAllocations(specs: Specs, user: StatsigUser, kind: AllocationKind, name: string): readonly RuleAllocation[] {
  const spec = (kind === 'gate' ? specs.gates : kind === 'config' ? specs.configs : specs.layers).get(name);
  if (!spec) return [];
  return spec.rules.map((rule) => {
    const unit = getUnitID(user, rule.idType, rule.unitIdIsUserID);
    const unitID = unit === undefined || unit === null ? null : String(unit);
    const bucket = sha256Mod10000Prefixed(rule.hashPrefix, unitID ?? '');
    const pp = rule.passPercentage;
    return {
      ruleID: rule.id,
      groupName: rule.groupName,
      passPercentage: pp,
      idType: typeof rule.idType === 'string' && rule.idType ? rule.idType : 'userID',
      unitID,
      bucket,
      withinPercentage: pp === 100 || (pp !== 0 && bucket < pp * 100),
    };
  });
}

/** One rule's share of a bucket split: the buckets (of 1000) where it is the first rule on that salt to pass. */
export interface GroupSegment {
  readonly ruleID: string;
  readonly groupName: string | null;
  /** A layer's rule: the experiment it hands the user to (configDelegate). */
  readonly experiment: string | null;
  /** Half-open ranges [from, to) of buckets 0–1000, ascending. */
  readonly ranges: readonly (readonly [number, number])[];
  /** How many of the 1000 buckets the rule takes; `share` is that in percent. */
  readonly buckets: number;
  readonly share: number;
  readonly containsUser: boolean;
  /**
   * True when the bucket condition alone decides the rule (no other condition, pass percentage 100): the
   * share is then the rule's whole audience within the rules that reach it. Otherwise it is an upper bound.
   */
  readonly exact: boolean;
}

/**
 * The rules of an entity that test the same `user_bucket` (salt and unit type), drawn as one bar: an
 * experiment's groups (Control 50%, Test 50%), a layer's experiments, a gate's bucketed rollout. Earlier
 * rules take their buckets first, as the evaluator's first match does.
 */
export interface BucketSplit {
  readonly salt: string;
  readonly idType: string;
  readonly unitID: string | null;
  /** 0–999: `sha256("<salt>.<unit ID>") % 1000`, the value the condition tests. */
  readonly bucket: number;
  readonly segments: readonly GroupSegment[];
  /** Buckets no rule on this salt takes (they fall through to later rules or the default). */
  readonly unassigned: number;
}

function rangesOf(taken: Uint16Array, mark: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < taken.length; b++) {
    if (taken[b] !== mark) continue;
    const last = out[out.length - 1];
    if (last && last[1] === b) last[1] = b + 1;
    else out.push([b, b + 1]);
  }
  return out;
}

/** The bucket splits of the named entity for this user, in the order their first rule appears; [] when none. */
export function bucketSplits(specs: Specs, user: StatsigUser, kind: AllocationKind, name: string): readonly BucketSplit[] {
  const spec = (kind === 'gate' ? specs.gates : kind === 'config' ? specs.configs : specs.layers).get(name);
  if (!spec) return [];
  const groups = new Map<string, { cond: BucketCondition; rules: { rule: CompiledRule; cond: BucketCondition }[] }>();
  for (const rule of spec.rules) {
    const conds = rule.conditions.filter((c) => c.bucket !== null);
    // two bucket conditions in one rule (rare) would need a joint drawing; the rule keeps its pass-percentage bar
    if (conds.length !== 1) continue;
    const cond = conds[0]!.bucket!;
    const key = `${cond.idType.toLowerCase()}\u0000${cond.salt}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { cond, rules: [] }));
    g.rules.push({ rule, cond });
  }
  const out: BucketSplit[] = [];
  for (const { cond, rules } of groups.values()) {
    const unit = getUnitID(user, cond.idType, cond.unitIdIsUserID);
    const unitID = unit === undefined || unit === null ? null : String(unit);
    const bucket = sha256Mod10000(`${cond.salt}.${unitID ?? ''}`) % 1000;
    // 0: free; i + 1: taken by the i-th rule of the split
    const taken = new Uint16Array(1000);
    const counts: number[] = rules.map(() => 0);
    rules.forEach(({ cond: c }, i) => {
      for (let b = 0; b < 1000; b++) {
        if (taken[b] === 0 && c.accepts(b)) {
          taken[b] = i + 1;
          counts[i]!++;
        }
      }
    });
    const segments = rules.map(({ rule }, i): GroupSegment => ({
      ruleID: rule.id,
      groupName: rule.groupName,
      experiment: rule.configDelegate,
      ranges: rangesOf(taken, i + 1),
      buckets: counts[i]!,
      share: counts[i]! / 10,
      containsUser: taken[bucket] === i + 1,
      exact: rule.conditions.length === 1 && rule.passPercentage === 100,
    }));
    out.push({ salt: cond.salt, idType: cond.idType, unitID, bucket, segments, unassigned: 1000 - counts.reduce((a, n) => a + n, 0) });
  }
  return out;
}
