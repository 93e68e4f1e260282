/**
 * evaluateAll: one user's view of every entity, evaluated at most once each and then fixed. The
 * server reads gates from it during a request and renders the bootstrap from the same results,
 * so what the server decided and what the client bootstraps cannot disagree.
 *
 * Entities are evaluated on first access and memoised (results do not depend on access order:
 * the clock for current_time is read once per Evaluation). The environment follows the bootstrap
 * rule (§4.3/§10.1): a user's own statsigEnvironment is kept; only a user without one gets the
 * configured tier or the payload's default_environment.
 */
import type { CompiledSpec, Specs } from './spec/compiled';
import type { LocalOverrides } from './overrides';
import type { DynamicConfig, Experiment, FeatureGate, Layer, StatsigUser } from './types';
import {
  assertSpecs,
  assertUser,
  checkEvalOptions,
  createContext,
  type EvalOptions,
} from './eval/context-factory';
import type { EvalContext } from './eval/context';
import { configResult, configResultOf, evalSpec, gateResult, gateResultOf, layerResult } from './eval/evaluator';
import { lookupOverride } from './overrides';
import { toDynamicConfig, toExperiment, toFeatureGate, toLayer } from './eval/public-results';
import type { EvalResult } from './eval/result';
import { resolveTargetApp, type TargetApp } from './eval/target-app';
import { unwrapUser } from './user/prepared-user';
import type { ResolvedEnvironment } from './user/environment';

export interface EvaluateAllOptions extends EvalOptions {
  /** Entity names a bootstrap built from this evaluation keeps (plus what their exposures need). */
  only?: readonly string[];
}

export class Evaluation {
  readonly specs: Specs;
  /** The caller's user, as given (never mutated). */
  readonly user: StatsigUser;
  readonly clientKey: string | undefined;
  readonly overrides: LocalOverrides | undefined;
  readonly only: readonly string[] | undefined;
  /** @internal target-app resolution shared with the bootstrap writer */
  readonly target: TargetApp;
  /** @internal the statsigEnvironment substitute, if any */
  readonly environment: ResolvedEnvironment;
  readonly #ctx: EvalContext;
  readonly #layers = new Map<string, EvalResult>();
  readonly #raw = new Map<string, EvalResult>();
  readonly #rawNested = new Map<string, EvalResult>();

  constructor(specs: Specs, user: StatsigUser, opts: EvaluateAllOptions = {}) {
    this.specs = specs;
    this.user = user;
    this.clientKey = opts.clientKey;
    this.overrides = opts.overrides;
    this.only = opts.only === undefined ? undefined : Object.freeze([...opts.only]);
    this.target = resolveTargetApp(specs, opts.clientKey);
    this.#ctx = createContext(specs, user, opts, 'ifMissing', true, this.target);
    this.environment = this.#ctx.environment;
    Object.freeze(this);
  }

  checkGate(name: string): boolean {
    return this.gateResult(name).value;
  }

  getFeatureGate(name: string): FeatureGate {
    return toFeatureGate(this.specs, name, this.gateResult(name));
  }

  getConfig(name: string): DynamicConfig {
    return toDynamicConfig(this.specs, name, this.configResult(name));
  }

  getExperiment(name: string): Experiment {
    return toExperiment(this.specs, name, this.configResult(name));
  }

  getLayer(name: string): Layer {
    return toLayer(this.specs, name, this.layerResult(name));
  }

  /** @internal */
  gateResult(name: string): EvalResult {
    return gateResult(this.#ctx, name);
  }

  /** @internal */
  configResult(name: string): EvalResult {
    return configResult(this.#ctx, name);
  }

  /** @internal gateResult(spec.name) for a compiled gate of these specs */
  gateResultOf(spec: CompiledSpec): EvalResult {
    return gateResultOf(this.#ctx, spec);
  }

  /** @internal configResult(spec.name) for a compiled config of these specs */
  configResultOf(spec: CompiledSpec): EvalResult {
    return configResultOf(this.#ctx, spec);
  }

  /** @internal */
  layerResult(name: string): EvalResult {
    let r = this.#layers.get(name);
    if (r === undefined) {
      r = layerResult(this.#ctx, name);
      this.#layers.set(name, r);
    }
    return r;
  }

  /**
   * @internal The spec's own evaluation, ignoring an override of the spec itself (nested overrides
   * still apply): what statsig-node's bootstrap reports as is_user_in_experiment (`nested`: a
   * re-evaluation that, like statsig-node's, does not see the client key's target app) and as a
   * delegated layer's group_name (top-level view).
   */
  rawConfigResult(spec: CompiledSpec, nested: boolean): EvalResult {
    const ctx = nested ? this.#ctx.nested() : this.#ctx;
    const o = this.overrides;
    if (o === undefined || o.configs.size === 0 || lookupOverride(o.configs, this.user, spec.name) === null) {
      if (ctx !== this.#ctx) ctx.ensureMemo();
      return configResultOf(ctx, spec);
    }
    const cache = nested ? this.#rawNested : this.#raw;
    let r = cache.get(spec.name);
    if (r === undefined) {
      r = evalSpec(ctx, spec);
      cache.set(spec.name, r);
    }
    return r;
  }
}

/** One user's evaluation of every entity (lazy, memoised, immutable from the outside). */
export function evaluateAll(specs: Specs, user: unknown, opts?: EvaluateAllOptions): Evaluation {
  assertSpecs(specs);
  const u = unwrapUser(user);
  assertUser(u);
  checkEvalOptions(opts);
  return new Evaluation(specs, u, opts);
}
