/**
 * The server-side checks as pure functions over compiled specs (reference §5.2). Each call has
 * one EvalContext, so nested gates are evaluated once per call and the caller's user is only read.
 * `user` is a StatsigUser or a PreparedUser (prepareUser()).
 * Spec content never makes these throw; a user that is not an object does (InvalidArgumentError).
 */
import type { Specs } from './spec/compiled';
import type { DynamicConfig, Experiment, FeatureGate, Layer, StatsigUser } from './types';
import { acquirePlainContext, acquirePreparedContext, assertSpecs, assertUser, checkEvalOptions, createContext, releaseContext, type EvalOptions } from './eval/context-factory';
import { PreparedUser, preparedOf, unwrapUser } from './user/prepared-user';
import { configResult, gateResult, layerResult } from './eval/evaluator';
import { toDynamicConfig, toExperiment, toFeatureGate, toLayer } from './eval/public-results';
import { ERROR_RESULT, type EvalResult } from './eval/result';
import type { EvalContext } from './eval/context';


/**
 * Evaluates one entity; an internal failure (a bug, or a user object that throws on access) gives
 * ERROR_RESULT, which callers report as reason Error. Bad arguments throw before evaluation.
 * Without options (the common call) nothing needs validating, the environment and target app come
 * straight from the specs, and the context is a reused one (see acquirePlainContext).
 */
function evaluate(specs: Specs, user: unknown, opts: EvalOptions | undefined, kind: 0 | 1 | 2, name: string): EvalResult {
  assertSpecs(specs);
  // a plain object (the common call) cannot be a prepared user: skip the brand lookups, which miss
  // on every user shape (measured: ~6% of a large-project checkGate)
  const plain = typeof user === 'object' && user !== null && Object.getPrototypeOf(user) === Object.prototype;
  const prepared = plain ? null : preparedOf(user);
  const u = plain ? user : prepared !== null ? prepared.user : unwrapUser(user);
  assertUser(u);
  if (opts !== undefined) {
    checkEvalOptions(opts);
    return run(createContext(specs, u, opts, 'replace', false), kind, name);
  }
  const ctx = prepared !== null ? acquirePreparedContext(specs, prepared) : acquirePlainContext(specs, u);
  try {
    return run(ctx, kind, name);
  } finally {
    releaseContext(ctx);
  }
}

function run(ctx: EvalContext, kind: 0 | 1 | 2, name: string): EvalResult {
  try {
    return kind === 0 ? gateResult(ctx, name) : kind === 1 ? configResult(ctx, name) : layerResult(ctx, name);
  } catch {
    return ERROR_RESULT;
  }
}

function withError<T extends { details: object }>(r: T, result: EvalResult): T {
  return result === ERROR_RESULT ? { ...r, details: { ...r.details, reason: 'Error' } } : r;
}

export function checkGate(specs: Specs, user: unknown, name: string, opts?: EvalOptions): boolean {
  return evaluate(specs, user, opts, 0, name).value;
}

export function getFeatureGate(specs: Specs, user: unknown, name: string, opts?: EvalOptions): FeatureGate {
  const r = evaluate(specs, user, opts, 0, name);
  return withError(toFeatureGate(specs, name, r), r);
}

export function getConfig(specs: Specs, user: unknown, name: string, opts?: EvalOptions): DynamicConfig {
  const r = evaluate(specs, user, opts, 1, name);
  return withError(toDynamicConfig(specs, name, r), r);
}

export function getExperiment(specs: Specs, user: unknown, name: string, opts?: EvalOptions): Experiment {
  const r = evaluate(specs, user, opts, 1, name);
  return withError(toExperiment(specs, name, r), r);
}

export function getLayer(specs: Specs, user: unknown, name: string, opts?: EvalOptions): Layer {
  const r = evaluate(specs, user, opts, 2, name);
  return withError(toLayer(specs, name, r), r);
}

/**
 * Prepares a user for many checks (see PreparedUser): a frozen snapshot of `user` whose field
 * reads, parsed user agent and IP country are computed once for all checks made with it. Any
 * function that takes a user takes the prepared one; results are the same as with the plain object.
 */
export function prepareUser(user: unknown): PreparedUser {
  const u = unwrapUser(user);
  assertUser(u);
  return new PreparedUser(u);
}
