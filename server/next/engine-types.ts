/**
 * What the Next.js integration needs from the flag engine, in one place, so the pages and routes
 * do not depend on the facade's full surface.
 */
import type { JsonObject, SecondaryExposure, StatsigUser } from '../../lib/types';
import type { UserEcho } from './config';

export type EntityKind = 'gate' | 'config' | 'experiment' | 'layer';

export interface EntityEvaluation {
  readonly kind: EntityKind;
  readonly name: string;
  readonly value: boolean | Readonly<JsonObject>;
  readonly ruleID: string;
  readonly groupName: string | null;
  readonly idType: string | null;
  readonly reason: string;
  readonly version: number | null;
  readonly secondaryExposures: readonly SecondaryExposure[];
  /** Experiments and layers. */
  readonly isUserInExperiment?: boolean;
  readonly isExperimentActive?: boolean;
  /** Layers: the experiment the user was delegated to. */
  readonly allocatedExperiment?: string | null;
  readonly explicitParameters?: readonly string[];
}

/** One user's evaluation, pinned to one set of specs (a snapshot). */
export interface UserEvaluation {
  readonly user: StatsigUser;
  readonly lcut: number;
  /** Read without logging anything; undefined when the entity is not in the specs. */
  get(kind: EntityKind, name: string): EntityEvaluation | undefined;
  /** Read through the exposure-logging path (each entity / layer parameter at most once). */
  expose(kind: EntityKind, name: string, parameterName?: string): void;
  /** The browser bootstrap written from the same pinned specs and user. */
  bootstrapJSON(opts: CirOptions): string | null;
}

export interface CirOptions {
  hash?: 'djb2' | 'sha256' | 'none';
  clientKey?: string;
  only?: readonly string[];
  userEcho?: UserEcho;
}

/** One event as the browser SDK posts it to /rgstr (validated shape, other fields kept). */
export interface ClientEvent {
  eventName: string;
  user?: StatsigUser | null;
  value?: unknown;
  metadata?: Record<string, unknown> | null;
  time?: number;
  secondaryExposures?: unknown[];
  statsigMetadata?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface EngineStatus {
  ready: boolean;
  /** Why not ready (no specs yet, source error). */
  reason: string | null;
  lcut: number;
}

export interface FirstlightEngine {
  status(): EngineStatus;
  /** One snapshot for this user; clientKey pins target-app resolution (and the bootstrap's key). */
  evaluate(user: StatsigUser, opts?: { clientKey?: string }): UserEvaluation;
  clientInitializeResponseJSON(user: StatsigUser, opts: CirOptions): string | null;
  /** Browser events (from /rgstr) into the event pipeline. */
  ingestClientEvents(events: readonly ClientEvent[], meta: { clientKey: string; sdkType?: string; sdkVersion?: string }): void;
  health(): Record<string, unknown>;
}
