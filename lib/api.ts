/**
 * The server-side checks as pure functions over compiled specs (reference §5.2). Each call builds
 * one EvalContext, so nested gates are evaluated once per call and the caller's user is only read.
 * Spec content never makes these throw; a user that is not an object does (InvalidArgumentError).
 */
import type { Specs } from './spec/compiled';
import type { DynamicConfig, Experiment, FeatureGate, Layer } from './types';
import { assertSpecs, assertUser, checkEvalOptions, createContext, type EvalOptions } from './eval/context-factory';
import { configResult, gateResult, layerResult } from './eval/evaluator';
import { toDynamicConfig, toExperiment, toFeatureGate, toLayer } from './eval/public-results';
import { ERROR_RESULT, type EvalResult } from './eval/result';
import type { EvalContext } from './eval/context';


function run(
  specs: Specs,
  user: unknown,
  opts: EvalOptions | undefined,
  evaluate: (ctx: EvalContext) => EvalResult,
): { result: EvalResult; failed: boolean } {
  assertSpecs(specs);
  assertUser(user);
  checkEvalOptions(opts);
  try {
    return { result: evaluate(createContext(specs, user, opts, 'replace', false)), failed: false };
  } catch {
    return { result: ERROR_RESULT, failed: true };
  }
}

function withError<T extends { details: object }>(r: T, failed: boolean): T {
  return failed ? { ...r, details: { ...r.details, reason: 'Error' } } : r;
}

export function checkGate(specs: Specs, user: unknown, name: string, opts?: EvalOptions): boolean {
  return run(specs, user, opts, (ctx) => gateResult(ctx, name)).result.value;
}

export function getFeatureGate(specs: Specs, user: unknown, name: string, opts?: EvalOptions): FeatureGate {
  const { result, failed } = run(specs, user, opts, (ctx) => gateResult(ctx, name));
  return withError(toFeatureGate(specs, name, result), failed);
}

export function getConfig(specs: Specs, user: unknown, name: string, opts?: EvalOptions): DynamicConfig {
  const { result, failed } = run(specs, user, opts, (ctx) => configResult(ctx, name));
  return withError(toDynamicConfig(specs, name, result), failed);
}

export function getExperiment(specs: Specs, user: unknown, name: string, opts?: EvalOptions): Experiment {
  const { result, failed } = run(specs, user, opts, (ctx) => configResult(ctx, name));
  return withError(toExperiment(specs, name, result), failed);
}

export function getLayer(specs: Specs, user: unknown, name: string, opts?: EvalOptions): Layer {
  const { result, failed } = run(specs, user, opts, (ctx) => layerResult(ctx, name));
  return withError(toLayer(specs, name, result), failed);
}
