/**
 * The default instance (`import firstlight from 'firstlight'`), in statsig-node's style:
 * `await firstlight.initialize(secret, options)` once, then call it anywhere. Until then every check
 * answers its default with reason `Uninitialized`. Nothing is created or read at import time.
 */
import { Statsig } from './statsig';
import type { StatsigOptions } from './options';
import type { InitializeDetails } from './runtime';
import type { StatsigUser } from '../lib/types';
import type { JsonObject, JsonValue } from '../lib/types';
import type { ClientInitializeResponseOptions, EvaluateAllOptions, LogEventOptions } from './statsig';

class DefaultInstance {
  #instance: Statsig | null = null;
  #placeholder: Statsig | null = null;
  #init: Promise<InitializeDetails> | null = null;

  /** Creates and initializes the default instance. A second call returns the first call's result. */
  initialize(serverSecret: string, options?: StatsigOptions): Promise<InitializeDetails> {
    if (this.#init) return this.#init;
    // bad options throw here, at initialize, before anything starts
    const instance = new Statsig(serverSecret, options);
    this.#instance = instance;
    this.#init = instance.initialize().catch((err: unknown) => {
      this.#instance = null;
      this.#init = null;
      throw err;
    });
    return this.#init;
  }

  /** The instance behind the default export (a no-op instance before initialize). */
  get instance(): Statsig {
    if (this.#instance) return this.#instance;
    this.#placeholder ??= new Statsig('', { localMode: true, disableAllLogging: true, initializeSources: [], configSyncSources: [] });
    return this.#placeholder;
  }

  isInitialized(): boolean {
    return this.#instance?.isInitialized() ?? false;
  }
  checkGate(user: StatsigUser, name: string) {
    return this.instance.checkGate(user, name);
  }
  getFeatureGate(user: StatsigUser, name: string) {
    return this.instance.getFeatureGate(user, name);
  }
  getConfig(user: StatsigUser, name: string) {
    return this.instance.getConfig(user, name);
  }
  getExperiment(user: StatsigUser, name: string) {
    return this.instance.getExperiment(user, name);
  }
  getLayer(user: StatsigUser, name: string) {
    return this.instance.getLayer(user, name);
  }
  evaluateAll(user: StatsigUser, options?: EvaluateAllOptions) {
    return this.instance.evaluateAll(user, options);
  }
  getClientInitializeResponse(user: StatsigUser, options?: ClientInitializeResponseOptions) {
    return this.instance.getClientInitializeResponse(user, options);
  }
  getClientInitializeResponseJSON(user: StatsigUser, options?: ClientInitializeResponseOptions) {
    return this.instance.getClientInitializeResponseJSON(user, options);
  }
  logEvent(user: StatsigUser, eventName: string, value?: string | number | null, metadata?: Record<string, JsonValue> | null, options?: LogEventOptions) {
    return this.instance.logEvent(user, eventName, value, metadata, options);
  }
  overrideGate(name: string, value: boolean, id?: string | number) {
    this.instance.overrideGate(name, value, id);
  }
  overrideConfig(name: string, value: JsonObject, id?: string | number) {
    this.instance.overrideConfig(name, value, id);
  }
  overrideExperiment(name: string, value: JsonObject, id?: string | number) {
    this.instance.overrideExperiment(name, value, id);
  }
  overrideLayer(name: string, value: JsonObject, id?: string | number) {
    this.instance.overrideLayer(name, value, id);
  }
  removeAllOverrides() {
    this.instance.removeAllOverrides();
  }
  flush(timeoutMs?: number) {
    return this.instance.flush(timeoutMs);
  }
  health() {
    return this.instance.health();
  }
  /** Shuts the default instance down; a later initialize() starts a new one. */
  async shutdown(timeoutMs?: number) {
    const instance = this.#instance;
    this.#instance = null;
    this.#init = null;
    return instance ? instance.shutdown(timeoutMs) : { complete: true, pending: 0 };
  }
}

export type { DefaultInstance };
export const firstlight = new DefaultInstance();
