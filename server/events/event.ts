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
  const copy = jsonCopy({ ...user, privateAttributes: null }) as EventUser;
  copy.privateAttributes = null;
  if (environment) copy.statsigEnvironment = { ...environment };
  return copy;
}

/**
 * A JSON copy of `value` that cannot throw: users are taken as leniently as statsig-node takes them,
 * so a custom field may hold a BigInt or a cycle. Those become a decimal string and an omitted
 * repeat; everything JSON can hold copies as JSON copies it (the fast path, tried first).
 */
export function jsonCopy(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    const seen = new WeakSet<object>();
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return undefined;
        seen.add(v);
      }
      return v;
    });
  }
  return text === undefined ? null : JSON.parse(text);
}
