/** The compiler's shared tables: bucket-hash memo slots and interned secondary exposures. */
import { djb2 } from '../hash/djb2';
import { sha256Base64 } from '../hash/sha256';
import type { SecondaryExposure } from '../types';
import type { CompiledSpec, CompileTools, PerHashMode, SpecRef } from './compiled';
import { flatten } from './flat';

export class CompileTables implements CompileTools {
  readonly #slots = new Map<string, number>();
  readonly #fields = new Map<string, number>();
  readonly #exposures = new Map<string, SecondaryExposure>();
  readonly #names = new Map<string, PerHashMode<string>>();
  readonly exposureJson = new Map<SecondaryExposure, PerHashMode<string>>();
  readonly #gateRefs = new Map<string, { name: string; spec: CompiledSpec | undefined }>();
  readonly #configRefs = new Map<string, { name: string; spec: CompiledSpec | undefined }>();

  get slotCount(): number {
    return this.#slots.size;
  }

  get fieldCount(): number {
    return this.#fields.size;
  }

  fieldSlot(field: string): number {
    let slot = this.#fields.get(field);
    if (slot === undefined) {
      slot = this.#fields.size;
      this.#fields.set(field, slot);
    }
    return slot;
  }

  gateRef(name: string): SpecRef {
    return refIn(this.#gateRefs, name);
  }

  configRef(name: string): SpecRef {
    return refIn(this.#configRefs, name);
  }

  /** Binds every reference handed out to the compiled specs (called once, after compiling them all). */
  bind(gates: ReadonlyMap<string, CompiledSpec>, configs: ReadonlyMap<string, CompiledSpec>): void {
    for (const ref of this.#gateRefs.values()) ref.spec = gates.get(ref.name);
    for (const ref of this.#configRefs.values()) ref.spec = configs.get(ref.name);
  }

  hashSlot(prefix: string, idType: unknown): number {
    // every spelling of userID reads user.userID; other idTypes are looked up as written first
    const unit = typeof idType !== 'string' || idType.toLowerCase() === 'userid' ? '\u0001' : idType;
    const key = prefix + '\u0000' + unit;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#slots.size;
      this.#slots.set(key, slot);
    }
    return slot;
  }

  exposure(gate: string, gateValue: boolean, ruleID: string): SecondaryExposure {
    const value = gateValue ? 'true' : 'false';
    const key = gate + '|' + value + '|' + ruleID;
    let e = this.#exposures.get(key);
    if (e === undefined) {
      e = Object.freeze({ gate, gateValue: value, ruleID }) as SecondaryExposure;
      this.#exposures.set(key, e);
      const names = this.#hashedNames(gate);
      const tail = ',"gateValue":"' + value + '","ruleID":' + JSON.stringify(ruleID) + '}';
      this.exposureJson.set(e, [
        flatten('{"gate":' + names[0] + tail),
        flatten('{"gate":' + names[1] + tail),
        flatten('{"gate":' + names[2] + tail),
      ]);
    }
    return e;
  }

  #hashedNames(gate: string): PerHashMode<string> {
    let n = this.#names.get(gate);
    if (n === undefined) {
      n = [JSON.stringify(djb2(gate)), JSON.stringify(sha256Base64(gate)), JSON.stringify(gate)];
      this.#names.set(gate, n);
    }
    return n;
  }
}

function refIn(refs: Map<string, { name: string; spec: CompiledSpec | undefined }>, name: string): SpecRef {
  let ref = refs.get(name);
  if (ref === undefined) {
    ref = { name, spec: undefined };
    refs.set(name, ref);
  }
  return ref;
}
