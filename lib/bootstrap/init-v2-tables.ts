/**
 * The shared `values` and `exposures` tables of an init-v2 payload. Every value JSON and every
 * interned secondary exposure of a Specs gets one fixed index (statsig-node-core numbers them in
 * the order its hash maps happen to yield, which differs from run to run; fixed indexes make an
 * entry the same text for everyone who lands on it, so its text is cached like a v1 entry's).
 * A payload lists only the slots its entries use. Values and exposures that exist only at
 * evaluation time (overrides, a merged layer value) get payload-local slots after the fixed ones.
 */
import type { CompiledValue, Specs } from '../spec/compiled';
import type { SecondaryExposure } from '../types';
import { hashName } from './entry-fields';
import { flatten } from '../spec/flat';

/**
 * Table rows are kept as finished `,"<index>":<json>` pieces (the first row of a table drops the
 * comma), so writing a used row is one join piece instead of four and no index is turned into
 * text per payload.
 */
interface FixedTables {
  readonly valueIds: ReadonlyMap<string, number>;
  readonly valueRows: readonly string[];
  readonly exposureIds: ReadonlyMap<SecondaryExposure, number>;
  readonly exposureJson: readonly (readonly [string, string, string])[];
  /** exposureJson as rows, per hash mode, made on the first payload in that mode. */
  readonly exposureRows: (readonly string[] | undefined)[];
}

function row(index: number, json: string): string {
  return flatten(',"' + index + '":' + json);
}

/**
 * Built on a Specs' first init-v2 payload and kept for its life: a pure function of the Specs
 * (one of the caches listed in lib/spec/compiled.ts, "Mutable caches").
 */
const fixed = new WeakMap<Specs['configs'], FixedTables>();

function build(specs: Specs): FixedTables {
  const valueIds = new Map<string, number>();
  const valueRows: string[] = [];
  const add = (json: string | null) => {
    if (json !== null && !valueIds.has(json)) {
      valueIds.set(json, valueRows.length);
      valueRows.push(row(valueRows.length, json));
    }
  };
  const addValue = (v: CompiledValue) => {
    add(v.json);
    add(v.mergedJson);
  };
  add('{}');
  for (const map of [specs.configs, specs.layers]) {
    for (const spec of map.values()) {
      addValue(spec.defaultValue);
      add(spec.cir.emptyMergedJson);
      for (const rule of spec.rules) addValue(rule.returnValue);
    }
  }
  const exposureIds = new Map<SecondaryExposure, number>();
  const exposureJson: (readonly [string, string, string])[] = [];
  for (const [e, json] of specs.exposureJson) {
    exposureIds.set(e, exposureJson.length);
    exposureJson.push(json);
  }
  return { valueIds, valueRows, exposureIds, exposureJson, exposureRows: [undefined, undefined, undefined] };
}

/** The slots one payload uses. */
export class PayloadTables {
  readonly #fixed: FixedTables;
  readonly #mode: 0 | 1 | 2;
  /** @internal 1 where the payload uses the fixed value slot (the writer marks cached entries inline). */
  readonly usedValues: Uint8Array;
  /** @internal 1 where the payload uses the fixed exposure slot. */
  readonly usedExposures: Uint8Array;
  #extraValues: Map<string, number> | null = null;
  #extraExposures: Map<string, number> | null = null;
  readonly #extraExposureJson: string[] = [];

  constructor(specs: Specs, mode: 0 | 1 | 2) {
    // keyed by the compiled specs, which withIdLists shares between Specs objects (as are the cached entries)
    let t = fixed.get(specs.configs);
    if (t === undefined) fixed.set(specs.configs, (t = build(specs)));
    this.#fixed = t;
    this.#mode = mode;
    this.usedValues = new Uint8Array(t.valueRows.length);
    this.usedExposures = new Uint8Array(t.exposureJson.length);
  }

  /** The slot of a value JSON text, marked used. */
  value(json: string): number {
    const id = this.#fixed.valueIds.get(json);
    if (id !== undefined) {
      this.usedValues[id] = 1;
      return id;
    }
    const extra = (this.#extraValues ??= new Map());
    let local = extra.get(json);
    if (local === undefined) extra.set(json, (local = this.#fixed.valueRows.length + extra.size));
    return local;
  }

  /** The slot of a secondary exposure, marked used. */
  exposure(e: SecondaryExposure): number {
    const id = this.#fixed.exposureIds.get(e);
    if (id !== undefined) {
      this.usedExposures[id] = 1;
      return id;
    }
    // an exposure made at evaluation time (an override with a non-boolean value): keyed by content
    const key = e.gate + '|' + e.gateValue + '|' + e.ruleID;
    const extra = (this.#extraExposures ??= new Map());
    let local = extra.get(key);
    if (local === undefined) {
      extra.set(key, (local = this.#fixed.exposureJson.length + extra.size));
      this.#extraExposureJson.push(
        '{"gate":' + JSON.stringify(hashName(e.gate, this.#mode)) + ',"gateValue":' + JSON.stringify(e.gateValue) + ',"ruleID":' + JSON.stringify(e.ruleID) + '}',
      );
    }
    return local;
  }

  /** `{"0":{...},"3":{...}}` of the used exposures. */
  exposuresJson(out: string[]): void {
    out.push('{');
    let first = true;
    const used = this.usedExposures;
    const json = this.#fixed.exposureJson;
    const rows = (this.#fixed.exposureRows[this.#mode] ??= json.map((j, i) => row(i, j[this.#mode])));
    for (let i = 0; i < used.length; i++) {
      if (used[i] === 0) continue;
      out.push(first ? rows[i]!.slice(1) : rows[i]!);
      first = false;
    }
    const base = json.length;
    this.#extraExposureJson.forEach((text, k) => {
      out.push(first ? '"' : ',"', String(base + k), '":', text);
      first = false;
    });
    out.push('}');
  }

  /** `{"0":{...},"5":{...}}` of the used values. */
  valuesJson(out: string[]): void {
    out.push('{');
    let first = true;
    const used = this.usedValues;
    const rows = this.#fixed.valueRows;
    for (let i = 0; i < used.length; i++) {
      if (used[i] === 0) continue;
      out.push(first ? rows[i]!.slice(1) : rows[i]!);
      first = false;
    }
    if (this.#extraValues !== null) {
      for (const [text, id] of this.#extraValues) {
        out.push(first ? '"' : ',"', String(id), '":', text);
        first = false;
      }
    }
    out.push('}');
  }
}
