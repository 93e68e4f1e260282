/** Events as Statsig's log_event receives them (statsig-eval.md §11). */
import type { SecondaryExposure, StatsigUser } from '../../lib/types';

/** A user as it leaves the process: a JSON copy with `privateAttributes` nulled, as statsig-node sends it. */
export type EventUser = Omit<StatsigUser, 'privateAttributes'> & { privateAttributes: null };

export interface StatsigEvent {
  readonly eventName: string;
  readonly user: EventUser | null;
  readonly value: string | number | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly time: number;
  readonly secondaryExposures?: readonly SecondaryExposure[];
  readonly statsigMetadata?: Readonly<Record<string, unknown>>;
}

/**
 * Copies a user for an event. `privateAttributes` are used for evaluation only and never leave the
 * process; `statsigEnvironment` is the one evaluation used.
 */
export function eventUser(user: StatsigUser, environment: StatsigUser['statsigEnvironment'] | undefined): EventUser {
  const copy = JSON.parse(JSON.stringify({ ...user, privateAttributes: null })) as EventUser;
  copy.privateAttributes = null;
  if (environment) copy.statsigEnvironment = { ...environment };
  return copy;
}
