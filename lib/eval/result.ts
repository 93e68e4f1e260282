/**
 * The internal result of evaluating one spec for one user (statsig-node's ConfigEvaluation),
 * immutable. It keeps the compiled value and pre-escaped ids so the bootstrap writer can emit
 * JSON without re-serialising what the payload already told us.
 */
import type { CompiledValue } from '../spec/compiled';
import type { SecondaryExposure } from '../types';

export type ResultReason = 'LocalOverride' | 'Unsupported' | 'Unrecognized' | null;

export class EvalResult {
  constructor(
    readonly value: boolean,
    readonly ruleId: string,
    /** JSON string literal of ruleId. */
    readonly ruleIdJson: string,
    readonly groupName: string | null,
    readonly groupNameJson: string | null,
    readonly idType: string | null | undefined,
    readonly secondary: readonly SecondaryExposure[],
    /** Layers: the layer's own exposures before delegation; otherwise the same array as `secondary`. */
    readonly undelegated: readonly SecondaryExposure[],
    readonly json: CompiledValue,
    readonly explicitParameters: readonly string[] | null | undefined,
    readonly configDelegate: string | null,
    readonly isExperimentGroup: boolean,
    readonly unsupported: boolean,
    readonly version: number | undefined,
    /** A reason this result sets itself; null means "the specs' source" (Network, Bootstrap, …). */
    readonly reason: ResultReason,
    /** Gates: the interned exposure this outcome contributes to a gate that checks it. */
    readonly exposure: SecondaryExposure | null = null,
  ) {}

  /**
   * Interned results only (see internResult): the bootstrap writer's `"key":{entry}` text per
   * hash mode, filled on first use. Such a result is a pure function of its spec and rule, so
   * its entry is identical for every user.
   */
  fragments: (string | undefined)[] | null = null;
}

/**
 * Marks a compile-time result as shared by every user who lands on it (hand-written
 * optimisation, measured on bootstrap: no per-entity allocation and a cached payload entry).
 */
export function internResult(r: EvalResult): EvalResult {
  r.fragments = [undefined, undefined, undefined];
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
 * size limit, are not interned.
 */
export class InternTable {
  #size = 0;
  readonly #root = new Map<SecondaryExposure, InternNode>();

  /** The node of `list` (non-empty), created when missing; null when it cannot be interned. */
  node(list: readonly SecondaryExposure[]): InternNode | null {
    let map = this.#root;
    let node: InternNode | undefined;
    const last = list.length - 1;
    for (let i = 0; i <= last; i++) {
      const e = list[i]!;
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

export function unsupportedResult(version: number | undefined): EvalResult {
  return new EvalResult(false, '', '""', null, null, null, NO_EXPOSURES, NO_EXPOSURES, EMPTY_OBJECT_VALUE, null, null, false, true, version, 'Unsupported');
}

export const UNRECOGNIZED = new EvalResult(false, '', '""', null, null, null, NO_EXPOSURES, NO_EXPOSURES, EMPTY_OBJECT_VALUE, null, null, false, false, undefined, 'Unrecognized');

/** A cycle of nested gates or delegates: statsig-node overflows its stack; we report Unsupported. */
export const CYCLE = unsupportedResult(undefined);
