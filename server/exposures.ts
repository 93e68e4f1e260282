/**
 * Turns evaluation results into events on the pipeline: exposures (deduplicated), manual exposures and
 * custom events. Knows how a user is written into an event (private attributes out, the environment
 * evaluation used in).
 */
import type { DynamicConfig, FeatureGate, JsonValue, Layer, StatsigUser } from '../lib/types';
import { eventUser, jsonCopy, type EventUser, type StatsigEvent } from './events/event';
import { configExposure, exposureDedupeKey, gateExposure, layerExposure, type ExposureContext } from './events/exposure-events';
import type { EventLogger } from './events/event-logger';
import type { BatchAdmission } from './events/event-logger';

export interface ExposureEnv {
  /** Statsig's initTime: the lcut at initialize, -1 when initialize found no specs. */
  initTime(): number;
  /** The `statsigEnvironment` evaluation used for this user (configured tier, else the specs' default). */
  environmentFor(user: StatsigUser): StatsigUser['statsigEnvironment'] | undefined;
}

export class Exposures {
  readonly #events: EventLogger;
  readonly #env: ExposureEnv;

  constructor(events: EventLogger, env: ExposureEnv) {
    this.#events = events;
    this.#env = env;
  }

  get enabled(): boolean {
    return this.#events.enabled;
  }

  gate(user: StatsigUser, gate: FeatureGate, isManual = false): void {
    if (!this.#events.enabled) return;
    this.#log(gateExposure(this.#user(user), gate, this.#ctx(isManual)));
  }

  config(user: StatsigUser, config: DynamicConfig, rulePassed: boolean, isManual = false): void {
    if (!this.#events.enabled) return;
    this.#log(configExposure(this.#user(user), config, rulePassed, this.#ctx(isManual)));
  }

  layer(user: StatsigUser, layer: Layer, parameterName: string, isManual = false): void {
    if (!this.#events.enabled) return;
    this.#log(layerExposure(this.#user(user), layer, parameterName, this.#ctx(isManual)));
  }

  custom(user: StatsigUser, eventName: string, value: string | number | null, metadata: Record<string, JsonValue> | null): boolean {
    // metadata is the caller's: copied as JSON (a BigInt or a cycle must not poison a whole batch)
    const meta = metadata === null ? null : (jsonCopy(metadata) as Record<string, JsonValue>);
    const event: StatsigEvent = { eventName, user: this.#user(user), value, metadata: meta, time: Date.now() };
    return this.#events.log(event);
  }

  /** Events that arrive already built (browser events relayed by the app), with private attributes removed: all or none. */
  relay(events: readonly StatsigEvent[]): BatchAdmission {
    return this.#events.logBatch(events);
  }

  #log(event: StatsigEvent): void {
    this.#events.log(event, exposureDedupeKey(event));
  }

  #user(user: StatsigUser): EventUser {
    return eventUser(user, this.#env.environmentFor(user));
  }

  #ctx(isManual: boolean): ExposureContext {
    return { initTime: this.#env.initTime(), now: Date.now(), isManual };
  }
}
