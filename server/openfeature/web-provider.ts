/**
 * `firstlight/openfeature/web`: an OpenFeature provider for `@openfeature/web-sdk` backed by the page's
 * `@statsig/js-client` — the one FirstlightProvider bootstrapped synchronously from the server's
 * payload. It has no `initialize`, so the SDK reports it ready at once and the first render of an
 * OpenFeature React app reads the server's values: no loading state, no flicker, no network request.
 *
 *   const { client } = useStatsigClient();                      // inside <FirstlightProvider>
 *   OpenFeature.setProvider(new FirstlightWebProvider({ client }));
 *
 * The user is the bootstrap's (the server's request user); an OpenFeature context change does not
 * re-identify (the next server render does). Keys, reasons and errors as in the server provider.
 */
import {
  FlagNotFoundError,
  GeneralError,
  ProviderNotReadyError,
  TypeMismatchError,
  type Hook,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/web-sdk';
import { InvalidOptionError } from '../../lib/errors';
import { resolutionDetails, resolveFlag, type FlagSource, type FlagType, type SourceResult } from './resolution';

const ERRORS = { FlagNotFoundError, TypeMismatchError, ProviderNotReadyError, GeneralError };

interface ClientResult {
  readonly ruleID: string;
  readonly details: { readonly reason: string };
  readonly idType?: string | null;
  readonly groupName?: string | null;
}
/** The part of @statsig/js-client's StatsigClient the provider reads (structural: no second copy of the SDK). */
export interface BootstrappedClient {
  getFeatureGate(name: string, options?: { disableExposureLog?: boolean }): ClientResult & { readonly value: boolean };
  getExperiment(
    name: string,
    options?: { disableExposureLog?: boolean },
  ): ClientResult & { readonly value: Record<string, unknown>; readonly __evaluation?: { readonly is_user_in_experiment?: boolean; readonly is_experiment_active?: boolean } | null };
  getLayer(name: string, options?: { disableExposureLog?: boolean }): ClientResult & { readonly __value: Record<string, unknown>; get(key: string, fallback?: unknown): unknown };
}

export interface FirstlightWebProviderOptions {
  readonly client: BootstrappedClient;
  readonly hooks?: readonly Hook[];
}

const NOT_READY = /^(Uninitialized|NoValues|Loading)/;

function reasonOf(r: ClientResult): string {
  return NOT_READY.test(r.details.reason) ? 'Uninitialized' : r.details.reason;
}
const unrecognized = (r: ClientResult) => r.details.reason.includes('Unrecognized');

function clientSource(client: BootstrappedClient): FlagSource {
  const quiet = { disableExposureLog: true };
  return {
    peekGate(name) {
      const g = client.getFeatureGate(name, quiet);
      if (unrecognized(g)) return null;
      return { kind: 'gate', value: g.value, ruleID: g.ruleID, groupName: null, reason: reasonOf(g), idType: g.idType ?? null, inExperiment: false };
    },
    peekObject(name): SourceResult | null {
      const e = client.getExperiment(name, quiet);
      if (!unrecognized(e)) {
        const ev = e.__evaluation ?? null;
        const experiment = ev?.is_experiment_active === true || ev?.is_user_in_experiment === true;
        return { kind: experiment ? 'experiment' : 'config', value: e.value, ruleID: e.ruleID, groupName: e.groupName ?? null, reason: reasonOf(e), idType: e.idType ?? null, inExperiment: ev?.is_user_in_experiment === true };
      }
      const l = client.getLayer(name, quiet);
      if (unrecognized(l)) return null;
      return { kind: 'layer', value: l.__value, ruleID: l.ruleID, groupName: l.groupName ?? null, reason: reasonOf(l), idType: null, inExperiment: (l.groupName ?? null) !== null };
    },
    expose(entity) {
      if (entity.kind === 'gate') client.getFeatureGate(entity.name);
      else if (entity.kind === 'layer') {
        const layer = client.getLayer(entity.name);
        for (const param of Object.keys(layer.__value)) layer.get(param);
      } else client.getExperiment(entity.name);
    },
    exposeParam(entity, param) {
      if (entity.kind === 'layer') client.getLayer(entity.name).get(param);
      else if (entity.kind !== 'gate') client.getExperiment(entity.name);
    },
  };
}

export class FirstlightWebProvider implements Provider {
  readonly metadata = { name: 'firstlight' } as const;
  readonly runsOn = 'client' as const;
  readonly hooks: Hook[];
  readonly #source: FlagSource;

  constructor(options: FirstlightWebProviderOptions) {
    if (typeof options !== 'object' || options === null || typeof options.client?.getFeatureGate !== 'function') {
      throw new InvalidOptionError('firstlight: FirstlightWebProvider needs { client } (the bootstrapped StatsigClient, e.g. from useStatsigClient())');
    }
    this.#source = clientSource(options.client);
    this.hooks = [...(options.hooks ?? [])];
  }

  #resolve<T>(type: FlagType, key: string): ResolutionDetails<T> {
    return resolutionDetails(resolveFlag<T>(type, key, this.#source), ERRORS);
  }
  resolveBooleanEvaluation(flagKey: string): ResolutionDetails<boolean> {
    return this.#resolve('boolean', flagKey);
  }
  resolveStringEvaluation(flagKey: string): ResolutionDetails<string> {
    return this.#resolve('string', flagKey);
  }
  resolveNumberEvaluation(flagKey: string): ResolutionDetails<number> {
    return this.#resolve('number', flagKey);
  }
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string): ResolutionDetails<T> {
    return this.#resolve('object', flagKey);
  }
}
