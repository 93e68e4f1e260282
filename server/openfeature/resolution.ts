/**
 * How an OpenFeature flag key maps onto Firstlight's entities, shared by the server and the web
 * provider (no OpenFeature, Node or browser import: each provider turns the outcome into its SDK's
 * types and errors).
 *
 *   boolean  ← a gate, or `entity.param` holding a boolean
 *   string   ← `entity.param` (a dynamic config's, experiment's or layer's parameter) holding a string
 *   number   ← `entity.param` holding a number
 *   object   ← a dynamic config, experiment or layer (its whole value), or `entity.param` holding an object/array
 *
 * An unknown key is FLAG_NOT_FOUND; a key that exists with another type is TYPE_MISMATCH. Reads go
 * through the source's exposure-logging accessors only once the key is known to resolve, so a miss or
 * a mismatch logs nothing and a hit logs exactly what Firstlight's own API logs for the same read.
 */

export type FlagType = 'boolean' | 'string' | 'number' | 'object';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One evaluated entity as a provider's source reports it. */
export interface SourceResult {
  readonly kind: 'gate' | 'config' | 'experiment' | 'layer';
  readonly value: unknown;
  readonly ruleID: string;
  readonly groupName: string | null;
  /** Firstlight's / the Statsig client's reason string (`Network`, `LocalOverride`, `Bootstrap:Recognized`, …). */
  readonly reason: string;
  readonly idType: string | null;
  /** Experiments: the user is in one of the experiment's groups. */
  readonly inExperiment: boolean;
}

/** What a provider evaluates against: a server snapshot or a bootstrapped browser client. */
export interface FlagSource {
  /** The gate, read without logging; null when there is no such gate. */
  peekGate(name: string): SourceResult | null;
  /** A dynamic config or experiment, or a layer, read without logging; null when none has the name. */
  peekObject(name: string): SourceResult | null;
  /** Logs the exposure of a read of the whole entity (a layer: of each of its parameters). */
  expose(entity: SourceResult & { readonly name: string }): void;
  /** Logs the exposure of one parameter read (a layer logs per parameter; others as a whole read). */
  exposeParam(entity: SourceResult & { readonly name: string }, param: string): void;
}

export type ErrorCodeName = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'PROVIDER_NOT_READY' | 'GENERAL';

export type Outcome<T> =
  | {
      readonly ok: true;
      readonly value: T;
      readonly variant?: string;
      readonly reason: string;
      readonly flagMetadata: Record<string, string | number | boolean>;
    }
  | { readonly ok: false; readonly code: ErrorCodeName; readonly message: string };

function jsonTypeOf(v: unknown): FlagType | 'null' {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v as FlagType;
}

/** OpenFeature's standard reasons, from what Firstlight says about the evaluation. */
export function openFeatureReason(r: SourceResult): string {
  const reason = r.reason.includes(':') ? r.reason.slice(r.reason.indexOf(':') + 1) : r.reason;
  // a server override, or one the bootstrap carries (rule "override")
  if (reason === 'LocalOverride' || r.ruleID === 'override') return 'STATIC';
  if (reason === 'Unsupported') return 'UNKNOWN';
  if (r.ruleID === 'disabled') return 'DISABLED';
  if (r.ruleID === 'default' || r.ruleID === 'layerAssignment' || r.ruleID === 'prestart' || r.ruleID === '') return 'DEFAULT';
  if ((r.kind === 'experiment' || r.kind === 'layer') && r.inExperiment) return 'SPLIT';
  return 'TARGETING_MATCH';
}

function details<T>(name: string, r: SourceResult, value: T): Outcome<T> {
  const flagMetadata: Record<string, string | number | boolean> = { kind: r.kind, entity: name, ruleID: r.ruleID, statsigReason: r.reason };
  if (r.groupName !== null) flagMetadata.groupName = r.groupName;
  if (r.idType) flagMetadata.idType = r.idType;
  const variant = r.groupName ?? (r.ruleID || undefined);
  return { ok: true, value, ...(variant !== undefined ? { variant } : {}), reason: openFeatureReason(r), flagMetadata };
}

function notFound(key: string): Outcome<never> {
  return { ok: false, code: 'FLAG_NOT_FOUND', message: `firstlight: no gate, dynamic config, experiment or layer "${key}" (parameters are read as "<entity>.<parameter>")` };
}
function mismatch(key: string, want: FlagType, got: string): Outcome<never> {
  return { ok: false, code: 'TYPE_MISMATCH', message: `firstlight: "${key}" is ${got}, not ${want === 'object' ? 'an object' : `a ${want}`}` };
}

/** Resolves `key` as `type` against `source`, logging the exposure of what was read. */
export function resolveFlag<T>(type: FlagType, key: string, source: FlagSource): Outcome<T> {
  if (typeof key !== 'string' || key.length === 0) return { ok: false, code: 'GENERAL', message: 'firstlight: a flag key must be a non-empty string' };
  const gate = source.peekGate(key);
  if (gate) {
    if (gate.reason === 'Uninitialized') return { ok: false, code: 'PROVIDER_NOT_READY', message: 'firstlight: no specs loaded yet' };
    if (type !== 'boolean') return mismatch(key, type, 'a gate (boolean)');
    source.expose({ ...gate, name: key });
    return details(key, gate, (gate.value === true) as unknown as T);
  }
  const whole = source.peekObject(key);
  if (whole) {
    if (whole.reason === 'Uninitialized') return { ok: false, code: 'PROVIDER_NOT_READY', message: 'firstlight: no specs loaded yet' };
    if (type !== 'object') return mismatch(key, type, `a ${whole.kind === 'config' ? 'dynamic config' : whole.kind} (object)`);
    source.expose({ ...whole, name: key });
    return details(key, whole, whole.value as T);
  }
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return notFound(key);
  const name = key.slice(0, dot);
  const param = key.slice(dot + 1);
  const entity = source.peekObject(name);
  if (!entity) return notFound(key);
  if (entity.reason === 'Uninitialized') return { ok: false, code: 'PROVIDER_NOT_READY', message: 'firstlight: no specs loaded yet' };
  const value = entity.value as Record<string, Json> | null;
  if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, param)) {
    return { ok: false, code: 'FLAG_NOT_FOUND', message: `firstlight: ${entity.kind === 'config' ? 'dynamic config' : entity.kind} "${name}" has no parameter "${param}" for this user` };
  }
  const v = value[param];
  const got = jsonTypeOf(v);
  if (got !== type) return mismatch(key, type, got === 'null' ? 'null' : got === 'object' ? 'an object' : `a ${got}`);
  source.exposeParam({ ...entity, name }, param);
  return details(key, entity, v as T);
}

type ErrorClass = new (message: string) => Error;
/** The SDK's error classes (server-sdk and web-sdk each export their own copy of @openfeature/core's). */
export interface OpenFeatureErrors {
  readonly FlagNotFoundError: ErrorClass;
  readonly TypeMismatchError: ErrorClass;
  readonly ProviderNotReadyError: ErrorClass;
  readonly GeneralError: ErrorClass;
}

/**
 * An outcome as OpenFeature's ResolutionDetails; failures are thrown as the SDK's coded errors, which the
 * SDK turns into the default value with that error code and reason ERROR (and runs the error hooks).
 */
export function resolutionDetails<T>(
  o: Outcome<T>,
  errors: OpenFeatureErrors,
): { value: T; reason: string; variant?: string; flagMetadata: Record<string, string | number | boolean> } {
  if (o.ok) return { value: o.value, reason: o.reason, flagMetadata: o.flagMetadata, ...(o.variant !== undefined ? { variant: o.variant } : {}) };
  const E =
    o.code === 'FLAG_NOT_FOUND' ? errors.FlagNotFoundError : o.code === 'TYPE_MISMATCH' ? errors.TypeMismatchError : o.code === 'PROVIDER_NOT_READY' ? errors.ProviderNotReadyError : errors.GeneralError;
  throw new E(o.message);
}
