/**
 * The server-side checks as pure functions over compiled specs (reference §5.2). Each call builds
 * one EvalContext, so nested gates are evaluated once per call and the caller's user is only read.
 * Spec content never makes these throw; a user that is not an object does (InvalidArgumentError).
 */
import type { Specs } from './spec/compiled';
import type { DynamicConfig, Experiment, FeatureGate, Layer, StatsigUser } from './types';
import { assertSpecs, assertUser, checkEvalOptions, createContext, createPlainContext, type EvalOptions } from './eval/context-factory';
import { configResult, gateResult, layerResult } from './eval/evaluator';
import { toDynamicConfig, toExperiment, toFeatureGate, toLayer } from './eval/public-results';
import { ERROR_RESULT, type EvalResult } from './eval/result';
import type { EvalContext } from './eval/context';


/**
 * The context of one server check. Without options (the common call) nothing needs validating and
 * the environment and target app come straight from the specs.
 */
function contextFor(specs: Specs, user: StatsigUser, opts: EvalOptions | undefined): EvalContext {
  return opts === undefined ? createPlainContext(specs, user) : createContext(specs, user, opts, 'replace', false);
}

/**
 * Evaluates one entity; an internal failure (a bug, or a user object that throws on access) gives
 * ERROR_RESULT, which callers report as reason Error. Bad arguments throw before evaluation.
 */
function evaluate(specs: Specs, user: unknown, opts: EvalOptions | undefined, kind: 0 | 1 | 2, name: string): EvalResult {
  assertSpecs(specs);
  assertUser(user);
  if (opts !== undefined) checkEvalOptions(opts);
  try {
    const ctx = contextFor(specs, user, opts);
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
