/**
 * The overrides of one instance. The value is immutable (lib/overrides): every change swaps in a new
 * one, so an evaluation in progress keeps the overrides it started with.
 */
import { emptyOverrides, removeOverride, setOverride, type LocalOverrides, type OverrideKind } from '../lib/overrides';
import { InvalidArgumentError } from '../lib/errors';
import type { JsonObject } from '../lib/types';

export class Overrides {
  #value: LocalOverrides = emptyOverrides();

  get value(): LocalOverrides {
    return this.#value;
  }

  /** `id` is a userID or a customID value; leave it out to override for everyone. */
  setGate(name: string, value: boolean, id?: string | number): void {
    checkName('overrideGate', name);
    if (typeof value !== 'boolean') {
      throw new InvalidArgumentError(`firstlight: overrideGate("${name}") needs a boolean value (got ${typeof value})`);
    }
    this.#value = setOverride(this.#value, 'gate', name, value, keyOf('overrideGate', id));
  }

  setObject(method: string, kind: 'config' | 'layer', name: string, value: JsonObject, id?: string | number): void {
    checkName(method, name);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidArgumentError(`firstlight: ${method}("${name}") needs a plain object value (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`);
    }
    let copy: JsonObject;
    try {
      copy = JSON.parse(JSON.stringify(value)) as JsonObject;
    } catch (err) {
      throw new InvalidArgumentError(`firstlight: ${method}("${name}") needs a JSON-serialisable value`, { cause: err });
    }
    this.#value = setOverride(this.#value, kind, name, deepFreeze(copy), keyOf(method, id));
  }

  /** Without `name` removes every override of the kind; without `id` every override of `name`. */
  remove(kind: OverrideKind, name?: string, id?: string | number): void {
    this.#value = removeOverride(this.#value, kind, name, id === undefined ? undefined : String(id));
  }

  clear(): void {
    this.#value = emptyOverrides();
  }
}

function checkName(method: string, name: unknown): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`firstlight: ${method}() needs a non-empty name (got ${JSON.stringify(name)})`);
  }
}

function keyOf(method: string, id: unknown): string {
  if (id === undefined || id === null) return '';
  if ((typeof id === 'string' && id.length > 0) || typeof id === 'number') return String(id);
  throw new InvalidArgumentError(`firstlight: ${method}() takes a userID or customID string as its id (got ${JSON.stringify(id)})`);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
