/**
 * The internal result of evaluating one spec for one user (statsig-node's ConfigEvaluation),
 * immutable. It keeps the compiled value and pre-escaped ids so the bootstrap writer can emit
 * JSON without re-serialising what the payload already told us.
 */
import type { CompiledValue } from '../spec/compiled';
import type { SecondaryExposure } from '../types';

export type ResultReason = 'LocalOverride' | 'Unsupported' | 'Unrecognized' | null;

/**
 * The fields of an EvalResult, by name: several neighbours share a type (rule id and group name,
 * secondary and undelegated exposures, value and unsupported flags), so a positional constructor
 * would compile with two of them swapped.
 */
export interface EvalResultFields {
  readonly value: boolean;
  readonly ruleId: string;
  /** JSON string literal of ruleId. */
  readonly ruleIdJson: string;
  readonly groupName: string | null;
  readonly groupNameJson: string | null;
  readonly idType: string | null | undefined;
  readonly secondary: readonly SecondaryExposure[];
  /** Layers: the layer's own exposures before delegation; otherwise the same array as `secondary`. */
  readonly undelegated: readonly SecondaryExposure[];
  readonly json: CompiledValue;
  readonly explicitParameters: readonly string[] | null | undefined;
  readonly configDelegate: string | null;
  readonly isExperimentGroup: boolean;
  readonly unsupported: boolean;
  readonly version: number | undefined;
  /** A reason this result sets itself; null means "the specs' source" (Network, Bootstrap, …). */
  readonly reason: ResultReason;
  /** Gates: the interned exposure this outcome contributes to a gate that checks it. */
  readonly exposure: SecondaryExposure | null;
}

export class EvalResult implements EvalResultFields {
  readonly value: boolean;
  readonly ruleId: string;
  readonly ruleIdJson: string;
  readonly groupName: string | null;
  readonly groupNameJson: string | null;
  readonly idType: string | null | undefined;
  readonly secondary: readonly SecondaryExposure[];
  readonly undelegated: readonly SecondaryExposure[];
  readonly json: CompiledValue;
  readonly explicitParameters: readonly string[] | null | undefined;
  readonly configDelegate: string | null;
  readonly isExperimentGroup: boolean;
  readonly unsupported: boolean;
  readonly version: number | undefined;
  readonly reason: ResultReason;
  readonly exposure: SecondaryExposure | null;

  constructor(f: EvalResultFields) {
    this.value = f.value;
    this.ruleId = f.ruleId;
    this.ruleIdJson = f.ruleIdJson;
    this.groupName = f.groupName;
    this.groupNameJson = f.groupNameJson;
    this.idType = f.idType;
    this.secondary = f.secondary;
    this.undelegated = f.undelegated;
    this.json = f.json;
    this.explicitParameters = f.explicitParameters;
    this.configDelegate = f.configDelegate;
    this.isExperimentGroup = f.isExperimentGroup;
    this.unsupported = f.unsupported;
    this.version = f.version;
    this.reason = f.reason;
    this.exposure = f.exposure;
  }

  /**
   * Interned results only (see internResult): the bootstrap writer's `,"key":{entry}` text per
   * hash mode, filled on first use. One of the caches listed in
   * lib/spec/compiled.ts ("Mutable caches").
   */
  fragments: (string | undefined)[] | null = null;

  /** Interned results only: the init-v2 entry text per hash mode (same cache, same validity rule as `fragments`). */
  compact: (string | undefined)[] | null = null;

  /**
   * Interned results only: the shared init-v2 table slots the entry points at, which a payload
   * marks used when it writes the cached text. They are the same in every hash mode, so they sit
   * on the result itself rather than behind a per-mode object: one dereference fewer per cached
   * entry, which is what made init-v2 slower than v1 on one-byte payloads (the entry loop is
   * bound by cache misses, not instructions). Filled with the first compact text.
   */
  compactValueId = -1;
  /** Exposure slots (secondary, then undelegated); the shared NO_SLOTS when there are none. */
  compactExposureIds: readonly number[] = NO_SLOTS;
}

/** An init-v2 entry as the writer builds it: its text and the shared table slots it points at. */
export interface CompactEntry {
  /** `,"key":{entry}` */
  readonly text: string;
  /** Index into the payload's `values` table, or -1 (gates carry no value). */
  readonly valueId: number;
  /** Indexes into the payload's `exposures` table (secondary, then undelegated). */
  readonly exposureIds: readonly number[];
}

/** No table slots (most gates): one shared array, so a cached entry without exposures touches nothing more. */
export const NO_SLOTS: readonly number[] = Object.freeze([]);

/** No rule decided: the fields every non-rule result (unrecognized, unsupported, error) shares. */
const NO_RULE = {
  value: false,
  ruleId: '',
  ruleIdJson: '""',
  groupName: null,
  groupNameJson: null,
  idType: null,
  explicitParameters: null,
  configDelegate: null,
  isExperimentGroup: false,
  exposure: null,
} as const;

/**
 * Marks a compile-time result as shared by every user who lands on it (hand-written
 * optimisation, measured on bootstrap: no per-entity allocation and a cached payload entry).
 */
export function internResult(r: EvalResult): EvalResult {
  r.fragments = [undefined, undefined, undefined];
  r.compact = [undefined, undefined, undefined];
  return r;
}

export const NO_EXPOSURES: readonly SecondaryExposure[] = Object.freeze([]);

/** Trie nodes per table: bounds the memory a spec with many exposure combinations can take. */
const INTERN_LIMIT = 64;

interface InternNode {
  next: Map<SecondaryExposure, InternNode> | null;
  result: EvalResult | null;
}

/**
 * Interned results of one outcome (a rule passing / failing, or the default) that carry
 * secondary exposures. Such a result is a pure function of the outcome and its exposure list, and
 * exposures are interned objects, so a trie keyed by exposure identity finds the shared result
 * (hand-written optimisation: most gates and configs that check other gates then get a cached
 * bootstrap entry, measured on the large DCS). Lists with a non-interned exposure, or beyond the
 * size limit, are not interned. One of the caches listed in lib/spec/compiled.ts ("Mutable caches").
 */
export class InternTable {
  #size = 0;
  readonly #root = new Map<SecondaryExposure, InternNode>();

  /** The node of the list `items[from, to)` (non-empty), created when missing; null when it cannot be interned. */
  node(items: readonly SecondaryExposure[], from: number, to: number): InternNode | null {
    let map = this.#root;
    let node: InternNode | undefined;
    const last = to - 1;
    for (let i = from; i <= last; i++) {
      const e = items[i]!;
      if (!Object.isFrozen(e)) return null;
      node = map.get(e);
      if (node === undefined) {
        if (this.#size >= INTERN_LIMIT) return null;
        node = { next: null, result: null };
        map.set(e, node);
        this.#size++;
      }
      if (i < last) map = node.next ??= new Map();
    }
    return node ?? null;
  }
}

export const EMPTY_OBJECT_VALUE: CompiledValue = Object.freeze({
  value: Object.freeze({}),
  json: '{}',
  mergedJson: null,
});

/** A value supplied at evaluation time (overrides), serialised on demand by the writer. */
export function runtimeValue(value: object): CompiledValue {
  return { value: value as CompiledValue['value'], json: JSON.stringify(value) ?? '{}', mergedJson: null };
}

function noRule(unsupported: boolean, version: number | undefined, reason: ResultReason): EvalResult {
  return new EvalResult({ ...NO_RULE, secondary: NO_EXPOSURES, undelegated: NO_EXPOSURES, json: EMPTY_OBJECT_VALUE, unsupported, version, reason });
}

export function unsupportedResult(version: number | undefined): EvalResult {
  return noRule(true, version, 'Unsupported');
}

export const UNRECOGNIZED = noRule(false, undefined, 'Unrecognized');

/** The result of an internal failure (a bug, or a user object that throws on access): the API reports reason Error. */
export const ERROR_RESULT = noRule(false, undefined, null);

/** A cycle of nested gates or delegates: statsig-node overflows its stack; we report Unsupported. */
export const CYCLE = unsupportedResult(undefined);
