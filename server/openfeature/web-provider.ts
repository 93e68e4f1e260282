/**
 * `firstlight/openfeature/web`: an OpenFeature provider for `@openfeature/web-sdk` backed by the page's
 * `@statsig/js-client` — the one FirstlightProvider bootstrapped synchronously from the server's
 * payload. It has no `initialize`, so the SDK reports it ready at once and the first render of an
 * OpenFeature React app reads the server's values: no loading state, no flicker, no network request.
 *
 *   const { client } = useStatsigClient();                      // inside <FirstlightProvider>
 *   OpenFeature.setProvider(new FirstlightWebProvider({ client }));
 *
 * The user starts as the bootstrap's (the server's request user). It follows identity both ways:
 * an OpenFeature context that names another user (`OpenFeature.setContext`) re-identifies the
 * js-client (`updateUserAsync`, the device's stableID kept when the context has none; a context that
 * names the same user costs nothing; the request's ip, userAgent, locale and tier are kept too), and a re-identify done on the js-client itself (`updateUserSync`
 * with a new bootstrap after a login, `updateUserAsync`) is announced as PROVIDER_CONFIGURATION_CHANGED,
 * so OpenFeature hooks and React re-read. `track` logs a js-client custom event (`logEvent`).
 * Keys, reasons and errors as in the server provider.
 */
import {
  FlagNotFoundError,
  GeneralError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderNotReadyError,
  TypeMismatchError,
  type EvaluationContext,
  type Hook,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/web-sdk';
import { InvalidOptionError } from '../../lib/errors';
import type { StatsigUser } from '../../lib/types';
import { sameUser, userFromContext } from './context-user';
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
  /** Identity and events (all in StatsigClient; a client without them evaluates but does not follow users or track). */
  getContext?(): { readonly user: StatsigUser };
  updateUserAsync?(user: StatsigUser): Promise<{ readonly success: boolean; readonly error?: unknown }>;
  $on?(event: 'values_updated', listener: (e: { readonly status: string }) => void): void;
  $off?(event: 'values_updated', listener: (e: { readonly status: string }) => void): void;
  logEvent?(event: { eventName: string; value?: string | number; metadata?: Record<string, string> }): void;
}

export interface FirstlightWebProviderOptions {
  readonly client: BootstrappedClient;
  readonly hooks?: readonly Hook[];
}

/** User fields the server fills from the request (and the tier it runs in), which an OpenFeature context rarely names. */
const DEVICE_FIELDS = ['ip', 'userAgent', 'locale', 'statsigEnvironment'] as const;

/** js-client metadata is string to string: other values are written as JSON. */
function metadataOf(details: TrackingEventDetails | undefined): Record<string, string> | undefined {
  if (!details) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) {
    if (k === 'value' || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : JSON.stringify(v);
  }
  return Object.keys(out).length ? out : undefined;
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
  readonly events = new OpenFeatureEventEmitter();
  readonly #client: BootstrappedClient;
  readonly #source: FlagSource;
  /** Set while this provider's own updateUserAsync runs: the SDK announces that change itself (PROVIDER_CONTEXT_CHANGED). */
  #reconciling = 0;
  readonly #onValues = (e: { readonly status: string }) => {
    if (this.#reconciling === 0 && e.status === 'Ready') this.events.emit(ProviderEvents.ConfigurationChanged, { message: 'the js-client user or values changed' });
  };

  constructor(options: FirstlightWebProviderOptions) {
    if (typeof options !== 'object' || options === null || typeof options.client?.getFeatureGate !== 'function') {
      throw new InvalidOptionError('firstlight: FirstlightWebProvider needs { client } (the bootstrapped StatsigClient, e.g. from useStatsigClient())');
    }
    this.#client = options.client;
    this.#source = clientSource(options.client);
    this.hooks = [...(options.hooks ?? [])];
    this.#client.$on?.('values_updated', this.#onValues);
  }

  /**
   * The context's user, with the js-client's stableID when the context names none (the device stays the
   * device), or null when it is the user the js-client already has.
   */
  #userFor(context: EvaluationContext): StatsigUser | null {
    const next = userFromContext(context) as Record<string, unknown> & StatsigUser;
    const current = this.#client.getContext?.().user;
    if (current) {
      // what the server took from the request, not from the person: kept unless the context says otherwise
      for (const field of DEVICE_FIELDS) if (next[field] === undefined && current[field] !== undefined) next[field] = current[field] as never;
      const stableID = current.customIDs?.stableID;
      if (stableID !== undefined && next.customIDs?.stableID === undefined) next.customIDs = { ...next.customIDs, stableID };
      if (sameUser(next, current)) return null;
    }
    return next;
  }

  /** OpenFeature.setContext: re-identify the js-client when the context names another user. */
  async onContextChange(_old: EvaluationContext, next: EvaluationContext): Promise<void> {
    const client = this.#client;
    if (typeof client.updateUserAsync !== 'function') return;
    const user = this.#userFor(next);
    if (user === null) return;
    this.#reconciling++;
    try {
      const r = await client.updateUserAsync(user);
      if (!r.success) throw new GeneralError(`firstlight: the js-client could not load values for the new context (${r.error instanceof Error ? r.error.message : 'no values'})`);
    } finally {
      this.#reconciling--;
    }
  }

  /** OpenFeature's `client.track(name, details)`: a js-client custom event (`value` as the event value). */
  track(trackingEventName: string, _context: EvaluationContext, details?: TrackingEventDetails): void {
    if (typeof trackingEventName !== 'string' || trackingEventName === '' || typeof this.#client.logEvent !== 'function') return;
    const metadata = metadataOf(details);
    this.#client.logEvent({
      eventName: trackingEventName,
      ...(typeof details?.value === 'number' && Number.isFinite(details.value) ? { value: details.value } : {}),
      ...(metadata ? { metadata } : {}),
    });
  }

  async onClose(): Promise<void> {
    this.#client.$off?.('values_updated', this.#onValues);
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
