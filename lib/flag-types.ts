/**
 * Typed flag names and parameters. `firstlight types --specs dcs.json --out flags.d.ts` writes a
 * module augmentation of `FlagRegistry` (gate names; per dynamic config, experiment and layer the
 * parameter names and their JSON types); the accessors of firstlight/next and firstlight/react take
 * their names and `get()` types from it, so a misspelled or removed gate is a compile error.
 *
 * Without the generated file the registry is empty and every name is a `string`, as before: adopting
 * the types is opt-in per project, and nothing here exists at run time.
 */
import type { JsonObject, JsonValue } from './types';

/**
 * The project's flags, filled in by the generated declaration file:
 *
 *   declare module 'firstlight/core' {
 *     interface FlagRegistry {
 *       gates: 'new_checkout_gate' | 'public_gate';
 *       configs: { pricing_config: { currency: string; price: number } };
 *       experiments: { hero_copy: { headline: string } };
 *       layers: { search_layer: { ranker: string; page_size: number } };
 *     }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FlagRegistry {}

/** The entity tables of the registry. */
export type ParamTable = 'configs' | 'experiments' | 'layers';

type Registered<K extends ParamTable> = FlagRegistry extends { [P in K]: infer T } ? T : never;

/** Gate names: the generated union, or any string while no registry is generated. */
export type GateName = FlagRegistry extends { gates: infer G extends string } ? G : string;

/** Names of one table's entities (any string while no registry is generated). */
export type EntityName<K extends ParamTable> = [Registered<K>] extends [never] ? string : keyof Registered<K> & string;
export type ConfigName = EntityName<'configs'>;
export type ExperimentName = EntityName<'experiments'>;
export type LayerName = EntityName<'layers'>;

/** The marker of "no types generated": `get` keeps its untyped signature. */
export interface UntypedParams {
  readonly __untyped: true;
}

/** Parameter name → JSON type of the entity `N` in table `K` (UntypedParams when not generated). */
export type ParamsOf<K extends ParamTable, N extends string> = [Registered<K>] extends [never]
  ? UntypedParams
  : N extends keyof Registered<K>
    ? Registered<K>[N]
    : never;

/** The type a default value promises: literals widen to their primitive. */
export type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly unknown[]
        ? T
        : T extends null
          ? JsonValue | null
          : T;

/**
 * `get(key, defaultValue)`: the stored value when it has the default's type, otherwise the default.
 * With generated types the key must be one of the entity's parameters and the default must have a
 * type the parameter can take, so a renamed parameter or a default of the wrong type fails to compile.
 */
export type ParamGet<P> = [P] extends [UntypedParams]
  ? <T extends JsonValue>(key: string, defaultValue: T) => Widen<T>
  : <K extends keyof P & string, T extends DefaultFor<P[K]>>(key: K, defaultValue: T) => Widen<T>;

/** A default a parameter of JSON type `V` accepts (objects and arrays: any of that kind). */
export type DefaultFor<V> = V extends JsonObject ? JsonObject : V extends readonly JsonValue[] ? JsonValue[] : V;

/** A result type whose `get` is typed by the parameters `P`. */
export type WithParams<R extends { get: unknown }, P> = [P] extends [UntypedParams] ? R : Omit<R, 'get'> & { readonly get: ParamGet<P> };
