/**
 * The compiled, immutable form of a DCS payload: what the evaluator and the bootstrap writer
 * read. Everything that does not depend on the user is computed here once per payload
 * (lower-cased operators, target sets, regexes, hash-key prefixes, pre-serialised JSON values and
 * pre-hashed, pre-escaped names) so per-request work is only the user-dependent part.
 *
 * Mutable caches. Compiled specs are frozen, but four things inside them are filled lazily, by
 * design; this is the complete list, and each stays valid for the life of its Specs because what
 * it caches is a pure function of that Specs alone (never of a user, a clock or the options):
 *   1. `EvalResult.fragments` of interned results (rule/default/disabled outcomes and the
 *      InternTable results below): the bootstrap entry text per payload format and hash mode.
 *      Valid because an interned result is the same for every user who lands on it, and its
 *      entry text depends only on the spec, the result and the format/mode slot it is stored in.
 *      Results that depend on the user (a layer's delegation, an override) are never interned.
 *      `compact` is the init-v2 entry text per hash mode, with `compactValueId` /
 *      `compactExposureIds` the fixed table slots it points at (the same in every mode; see 4).
 *   2. `InternTable`s (`rule.internPass` / `internFail`, `spec.internDefault`): outcome ×
 *      exposure-list → shared result, bounded per table. Valid because exposures are interned
 *      per Specs, so identity of the list's items is equality of the result.
 *   3. `SpecRef.spec`: bound once, right after every spec is compiled (CompileTables.bind), and
 *      never written again; a reference to a missing name stays undefined.
 *   4. The init-v2 fixed tables (lib/bootstrap/init-v2-tables.ts, a WeakMap keyed by the compiled
 *      configs): one index per value JSON and interned exposure of the Specs, built on its first
 *      init-v2 payload. Valid because both lists are fixed once the Specs is compiled.
 * A new DCS payload compiles to a new Specs with fresh caches; nothing is shared across payloads.
 */
import type { JsonValue, SecondaryExposure, SpecSourceKind } from '../types';
import type { Sha256Prefix } from '../hash/sha256';
import type { EvalContext } from '../eval/context';
import type { EvalResult, InternTable } from '../eval/result';

export type HashMode = 'djb2' | 'sha256' | 'none';
/** Index of a hash mode in the per-mode tuples below. */
export const HASH_INDEX: Readonly<Record<HashMode, 0 | 1 | 2>> = { djb2: 0, sha256: 1, none: 2 };
export type PerHashMode<T> = readonly [djb2: T, sha256: T, none: T];

/** A json_value both as data (API results) and as ready-to-write JSON (bootstrap). */
export interface CompiledValue {
  readonly value: JsonValue;
  readonly json: string;
  /** Experiments in layers: `{...layer.defaultValue, ...value}` serialised, as the CIR shows it. */
  readonly mergedJson: string | null;
}

/** Condition outcome: fail / pass / unsupported (unknown type or operator, or an unsupported nested gate). */
export const FAIL = 0;
export const PASS = 1;
export const UNSUPPORTED = 2;
export type ConditionOutcome = typeof FAIL | typeof PASS | typeof UNSUPPORTED;

export interface CompiledCondition {
  /** Evaluates the condition; secondary exposures of nested gates are pushed onto EXPOSURE_STACK (lib/eval/exposure-stack.ts). */
  readonly run: (ctx: EvalContext) => ConditionOutcome;
  /**
   * statsig-node evaluates every condition of a rule, even after one failed, so nested gate
   * exposures and unsupported parts still count. Plain value conditions can be skipped then.
   */
  readonly mustRunAfterFail: boolean;
  /** A `user_bucket` condition as written, for the explorer's group shares (null for every other type). */
  readonly bucket: BucketCondition | null;
}

/** What a `user_bucket` condition tests: `sha256("<salt>.<unit ID>") % 1000 <operator> <target>`. */
export interface BucketCondition {
  readonly salt: string;
  /** As written ('userID' when absent). */
  readonly idType: string;
  readonly unitIdIsUserID: boolean;
  /** The condition's own operator on a bucket 0–999 (the evaluator's test, so a share cannot disagree with it). */
  readonly accepts: (bucket: number) => boolean;
}

export interface CompiledRule {
  readonly id: string;
  /** JSON string literal of `id`. */
  readonly idJson: string;
  readonly groupName: string | null;
  readonly groupNameJson: string | null;
  readonly passPercentage: number;
  /** `<spec.salt>.<rule.salt ?? rule.id>.` — the unit ID is appended per user. */
  readonly hashPrefix: Sha256Prefix;
  readonly idType: string | null | undefined;
  readonly unitIdIsUserID: boolean;
  /** Per-evaluation memo slot of this rule's bucket hash (see CompileTools.hashSlot). */
  readonly slot: number;
  readonly returnValue: CompiledValue;
  /** Gates: the interned exposure a pass / fail by this rule contributes when referenced. */
  readonly exposureIfPass: SecondaryExposure | null;
  readonly exposureIfFail: SecondaryExposure | null;
  /**
   * The (interned) result when this rule matches and the user passes / fails its percentage,
   * valid when the evaluation collected no secondary exposures.
   */
  readonly resultPass: EvalResult;
  readonly resultFail: EvalResult;
  /** Interned results of a pass / fail by this rule that carry secondary exposures. */
  readonly internPass: InternTable;
  readonly internFail: InternTable;
  readonly isExperimentGroup: boolean;
  readonly configDelegate: string | null;
  /** The config `configDelegate` names (null when the rule does not delegate). */
  readonly delegateRef: SpecRef | null;
  readonly conditions: readonly CompiledCondition[];
  /** The conditions as one test (lib/eval/conditions.ts ruleTest): PASS, FAIL or UNSUPPORTED. */
  readonly test: (ctx: EvalContext) => ConditionOutcome;
  readonly hasNestedGates: boolean;
}

export type SpecKind = 'gate' | 'config' | 'layer';

export interface CompiledSpec {
  readonly kind: SpecKind;
  /** Position among the specs of its kind; indexes the per-evaluation memo. */
  readonly index: number;
  readonly name: string;
  readonly type: string;
  readonly entity: string | null;
  readonly salt: string;
  readonly enabled: boolean;
  readonly idType: string | null | undefined;
  readonly defaultValue: CompiledValue;
  readonly rules: readonly CompiledRule[];
  readonly explicitParameters: readonly string[] | null | undefined;
  readonly hasSharedParams: boolean;
  readonly isActive: boolean;
  readonly targetAppIDs: ReadonlySet<string> | null;
  readonly version: number | undefined;
  readonly forwardAllExposures: boolean;
  /** The layer an experiment belongs to (from `layers`), if any. */
  readonly layerName: string | null;
  /** The bootstrap key per hash mode, as a JSON string literal (`"3214503137"`). */
  readonly keyJson: PerHashMode<string>;
  /** The bootstrap key per hash mode, raw. */
  readonly key: PerHashMode<string>;
  /** Pre-serialised parts of the bootstrap entry that do not depend on the user. */
  readonly cir: CompiledCirParts;
  /** Gates: interned exposures for the default and disabled outcomes. */
  readonly exposureDefault: SecondaryExposure | null;
  readonly exposureDisabled: SecondaryExposure | null;
  /** Interned results: disabled, and no rule matched without secondary exposures. */
  readonly resultDisabled: EvalResult;
  readonly resultDefault: EvalResult;
  /**
   * A rule with a condition this SDK cannot evaluate (or nesting past the depth limit): the same for
   * every user, so one interned result per spec instead of a fresh one per evaluation (a project
   * with a few such specs paid an object spread per spec in every bootstrap).
   */
  readonly resultUnsupported: EvalResult;
  /** Interned default results that carry secondary exposures. */
  readonly internDefault: InternTable;
}

/**
 * Shared tables the compiler fills. Secondary exposures are interned by their
 * `gate|gateValue|ruleID` key, so object identity is key equality (dedupe by identity) and each
 * one's bootstrap JSON is written once per payload rather than once per user.
 */
export interface CompileTools {
  /** A memo slot for hashes of `<prefix><unitID(idType)>`; equal inputs share a slot. */
  hashSlot(prefix: string, idType: unknown): number;
  /** A per-evaluation memo slot for `getFromUser(user, field)`; one per distinct field name. */
  fieldSlot(field: string): number;
  exposure(gate: string, gateValue: boolean, ruleID: string): SecondaryExposure;
  /**
   * The compiled gate a pass_gate/fail_gate condition names, or the config a layer rule delegates
   * to, bound once everything is compiled (a reference may name a spec compiled after it), so an
   * evaluation skips the by-name lookup.
   */
  gateRef(name: string): SpecRef;
  configRef(name: string): SpecRef;
}

/** A late-bound reference to a compiled spec; `spec` is undefined for a name the payload lacks. */
export interface SpecRef {
  readonly name: string;
  readonly spec: CompiledSpec | undefined;
}

export interface CompiledCirParts {
  /** `,"id_type":<json>` or '' when the spec has none (gates omit it then). */
  readonly gateIdType: string;
  /** `,"id_type":<json or null>` for configs (statsig-node writes `idType ?? null`). */
  readonly configIdType: string;
  /** `"is_device_based":true|false` */
  readonly isDeviceBased: boolean;
  /** JSON of `spec.explicitParameters ?? []`. */
  readonly explicitParamsOrEmpty: string;
  /** JSON of spec.explicitParameters when truthy, else null. */
  readonly explicitParams: string | null;
  /** Experiments in layers: `{...layer.defaultValue}` — the value shown when evaluation is unsupported. */
  readonly emptyMergedJson: string;
  /** The layer's raw defaultValue, merged under override values at write time. */
  readonly layerDefault: unknown;
}

export interface SdkKeyEntities {
  readonly gates: ReadonlySet<string>;
  readonly configs: ReadonlySet<string>;
}

/** Bootstrap iteration order per hash mode: JS object key order of the hashed keys (§10). */
export interface CirOrder {
  readonly gates: readonly CompiledSpec[];
  readonly configs: readonly CompiledSpec[];
  readonly layers: readonly CompiledSpec[];
  /** Two names hash to one key: the writer must emulate object-assign semantics. */
  readonly hasCollisions: boolean;
}

export interface Specs {
  readonly lcut: number;
  readonly receivedAt: number;
  readonly source: SpecSourceKind;
  readonly hashedSdkKeyUsed: string | null;
  readonly gates: ReadonlyMap<string, CompiledSpec>;
  readonly configs: ReadonlyMap<string, CompiledSpec>;
  readonly layers: ReadonlyMap<string, CompiledSpec>;
  readonly experimentToLayer: ReadonlyMap<string, string>;
  readonly appId: string | null;
  readonly defaultEnvironment: string | null;
  readonly sdkKeysToAppIds: ReadonlyMap<string, string>;
  readonly hashedSdkKeysToAppIds: ReadonlyMap<string, string>;
  readonly hashedSdkKeysToEntities: ReadonlyMap<string, SdkKeyEntities>;
  /** Hashed (8-char) IDs per list name. */
  readonly idLists: ReadonlyMap<string, ReadonlySet<string>>;
  readonly sessionReplayInfo: Readonly<Record<string, unknown>> | null;
  readonly sdkConfigs: Readonly<Record<string, unknown>>;
  readonly sdkFlags: Readonly<Record<string, unknown>>;
  readonly cirOrder: PerHashMode<CirOrder>;
  /** Specs in the reference store's iteration order (for the rare hash-collision path). */
  readonly storeOrder: { readonly gates: readonly CompiledSpec[]; readonly configs: readonly CompiledSpec[]; readonly layers: readonly CompiledSpec[] };
  /** Bootstrap JSON of every interned secondary exposure, per hash mode. */
  readonly exposureJson: ReadonlyMap<SecondaryExposure, PerHashMode<string>>;
  /** Number of bucket-hash memo slots an evaluation needs. */
  readonly hashSlots: number;
  /** Number of user-field memo slots an evaluation needs. */
  readonly fieldSlots: number;
}
