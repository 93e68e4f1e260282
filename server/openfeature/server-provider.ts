/**
 * `firstlight/openfeature`: an OpenFeature provider for `@openfeature/server-sdk` backed by a Firstlight
 * `Statsig` instance. Each evaluation evaluates the context's user once (a snapshot) and logs the
 * exposure of what it returned, exactly as Firstlight's own reads do (deduped by the instance).
 *
 *   await OpenFeature.setProviderAndWait(new FirstlightServerProvider({ statsig }));
 *   const client = OpenFeature.getClient();
 *   await client.getBooleanValue('new_checkout_gate', false, { targetingKey: 'user-1' });
 *   await client.getStringValue('hero_copy.headline', 'Welcome', { targetingKey: 'user-1' });
 *
 * Keys: see resolution.ts (a gate, an entity, or `entity.param`). Errors are OpenFeature's own
 * FlagNotFoundError / TypeMismatchError / ProviderNotReadyError / GeneralError, so the SDK returns the
 * default with the matching error code and runs the error hooks.
 */
import {
  FlagNotFoundError,
  GeneralError,
  ProviderNotReadyError,
  TypeMismatchError,
  type EvaluationContext,
  type Hook,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import type { Statsig } from '../statsig';
import type { EvaluationSnapshot } from '../snapshot';
import { userFromContext } from './context-user';
import { InvalidOptionError } from '../../lib/errors';
import { resolutionDetails, resolveFlag, type FlagSource, type FlagType } from './resolution';

const ERRORS = { FlagNotFoundError, TypeMismatchError, ProviderNotReadyError, GeneralError };

export interface FirstlightServerProviderOptions {
  /** The Firstlight instance to evaluate with (initialised here when it is not yet). */
  readonly statsig: Pick<Statsig, 'evaluateAll' | 'initialize' | 'health'>;
  /** Provider hooks, run by the SDK around every evaluation of this provider. */
  readonly hooks?: readonly Hook[];
}

function snapshotSource(snap: EvaluationSnapshot): FlagSource {
  return {
    peekGate(name) {
      const g = snap.peekGate(name);
      if (g.details.reason === 'Unrecognized') return null;
      return { kind: 'gate', value: g.value, ruleID: g.ruleID, groupName: g.groupName, reason: g.details.reason, idType: g.idType, inExperiment: false };
    },
    peekObject(name) {
      const e = snap.peekExperiment(name);
      if (e.details.reason !== 'Unrecognized') {
        const experiment = e.isExperimentActive || e.isUserInExperiment;
        return { kind: experiment ? 'experiment' : 'config', value: e.value, ruleID: e.ruleID, groupName: e.groupName, reason: e.details.reason, idType: e.idType, inExperiment: e.isUserInExperiment };
      }
      const l = snap.peekLayer(name);
      if (l.details.reason === 'Unrecognized') return null;
      return { kind: 'layer', value: l.value, ruleID: l.ruleID, groupName: l.groupName, reason: l.details.reason, idType: null, inExperiment: l.allocatedExperimentName !== null };
    },
    expose(entity) {
      if (entity.kind === 'gate') snap.getFeatureGate(entity.name);
      else if (entity.kind === 'layer') {
        const layer = snap.getLayer(entity.name);
        for (const param of Object.keys(layer.value)) layer.getValue(param);
      } else snap.getExperiment(entity.name);
    },
    exposeParam(entity, param) {
      if (entity.kind === 'layer') snap.getLayer(entity.name).getValue(param);
      else if (entity.kind !== 'gate') snap.getExperiment(entity.name);
    },
  };
}

export class FirstlightServerProvider implements Provider {
  readonly metadata = { name: 'firstlight' } as const;
  readonly runsOn = 'server' as const;
  readonly hooks: Hook[];
  readonly #statsig: FirstlightServerProviderOptions['statsig'];

  constructor(options: FirstlightServerProviderOptions) {
    if (typeof options !== 'object' || options === null || typeof options.statsig?.evaluateAll !== 'function') {
      throw new InvalidOptionError('firstlight: FirstlightServerProvider needs { statsig } (a Firstlight Statsig instance)');
    }
    this.#statsig = options.statsig;
    this.hooks = [...(options.hooks ?? [])];
  }

  async initialize(): Promise<void> {
    if (this.#statsig.health().lcut > 0) return;
    const details = await this.#statsig.initialize();
    // the cause (a source error) is the instance's to report: it may name files or hosts
    if (!details.success && this.#statsig.health().lcut === 0) throw new ProviderNotReadyError('firstlight: no specs loaded; the Statsig instance reports why (health(), its logger)');
  }

  #resolve<T>(type: FlagType, key: string, context: EvaluationContext): ResolutionDetails<T> {
    const snap = this.#statsig.evaluateAll(userFromContext(context));
    return resolutionDetails(resolveFlag<T>(type, key, snapshotSource(snap)), ERRORS);
  }

  async resolveBooleanEvaluation(flagKey: string, _default: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.#resolve('boolean', flagKey, context);
  }
  async resolveStringEvaluation(flagKey: string, _default: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.#resolve('string', flagKey, context);
  }
  async resolveNumberEvaluation(flagKey: string, _default: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.#resolve('number', flagKey, context);
  }
  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string, _default: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return this.#resolve('object', flagKey, context);
  }
}
