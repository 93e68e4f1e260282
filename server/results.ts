/**
 * Result objects of the server API: the lib's plain results plus Statsig-style typed getters.
 * `get(key, default)` returns the stored value only when it has the default's type, so the result type
 * is the default's type. A layer logs its exposure from `get`/`getValue`, and only for a parameter
 * that exists (statsig-eval.md §11.1).
 */
import type { DynamicConfig, Experiment, JsonObject, JsonValue, Layer } from '../lib/types';
import type { Widen } from '../lib/flag-types';

export type { Widen } from '../lib/flag-types';

export interface TypedGetters {
  /** The value at `key` when it has the type of `defaultValue`, otherwise `defaultValue`. */
  get<T extends JsonValue>(key: string, defaultValue: T): Widen<T>;
}

export interface ConfigResult extends DynamicConfig, TypedGetters {
  /** The whole value, or the raw value at `key` (`defaultValue` when absent). */
  getValue(): Readonly<JsonObject>;
  getValue(key: string, defaultValue?: JsonValue): JsonValue;
}

export interface ExperimentResult extends Experiment, TypedGetters {
  getValue(): Readonly<JsonObject>;
  getValue(key: string, defaultValue?: JsonValue): JsonValue;
}

export interface LayerResult extends Layer, TypedGetters {
  /** The raw value of a parameter (`defaultValue` when absent); logs the exposure when it exists. */
  getValue(key: string, defaultValue?: JsonValue): JsonValue;
}

export function sameKind(value: unknown, like: unknown): boolean {
  if (like === null || like === undefined) return value !== undefined;
  if (Array.isArray(like)) return Array.isArray(value);
  if (typeof like === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === typeof like;
}

function has(obj: Readonly<JsonObject>, key: string): boolean {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(obj, key);
}

function typedGet(obj: Readonly<JsonObject>, key: string, defaultValue: unknown): unknown {
  if (!has(obj, key)) return defaultValue;
  const v = obj[key];
  return sameKind(v, defaultValue) ? v : defaultValue;
}

export function configResult(c: Experiment): ExperimentResult;
export function configResult(c: DynamicConfig): ConfigResult;
export function configResult(c: DynamicConfig | Experiment): ConfigResult | ExperimentResult {
  const value = c.value;
  function getValue(): Readonly<JsonObject>;
  function getValue(key: string, defaultValue?: JsonValue): JsonValue;
  function getValue(key?: string, defaultValue: JsonValue = null): JsonValue | Readonly<JsonObject> {
    if (key === undefined) return value;
    return has(value, key) ? (value[key] as JsonValue) : defaultValue;
  }
  return Object.freeze({
    ...c,
    get: <T extends JsonValue>(key: string, defaultValue: T) => typedGet(value, key, defaultValue) as Widen<T>,
    getValue,
  });
}

/** `onParameter` is called for every read of a parameter that exists (the exposure hook). */
export function layerResult(l: Layer, onParameter: (name: string) => void): LayerResult {
  const value = l.value;
  return Object.freeze({
    ...l,
    get: <T extends JsonValue>(key: string, defaultValue: T): Widen<T> => {
      if (!has(value, key) || !sameKind(value[key], defaultValue)) return defaultValue as Widen<T>;
      onParameter(key);
      return value[key] as Widen<T>;
    },
    getValue: (key: string, defaultValue: JsonValue = null): JsonValue => {
      if (!has(value, key)) return defaultValue;
      onParameter(key);
      return value[key] as JsonValue;
    },
  });
}
