/**
 * Where a user falls in each rule of an entity: the rule's pass percentage and the user's bucket
 * (SHA-256 of `<spec salt>.<rule salt>.<unit ID>`, u64 mod 10000, as the evaluator hashes it) — what
 * the evaluation explorer draws as an allocation bar. Pure, for display: evaluation itself does not use it.
 */
import type { Specs } from '../spec/compiled';
import type { StatsigUser } from '../types';
import { sha256Mod10000Prefixed } from '../hash/sha256';
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
