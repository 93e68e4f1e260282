/**
 * Which `statsigEnvironment` an evaluation sees (reference §4.3). statsig-node writes it onto the
 * caller's user; Firstlight never mutates the user and passes the substitute alongside instead.
 */
import type { StatsigUser } from '../types';

/**
 * 'replace': server checks (checkGate, getConfig, …) — the configured tier, else the payload's
 * default_environment, replaces whatever the user carries.
 * 'ifMissing': client bootstrap — only a user without statsigEnvironment is normalised.
 */
export type EnvironmentMode = 'replace' | 'ifMissing';

export interface ResolvedEnvironment {
  /** True when `env` replaces the user's own statsigEnvironment. */
  readonly replaced: boolean;
  readonly env: { tier: string } | undefined;
}

const KEEP: ResolvedEnvironment = Object.freeze({ replaced: false, env: undefined });

export function resolveEnvironment(
  user: StatsigUser,
  tier: string | undefined,
  defaultEnvironment: string | null,
  mode: EnvironmentMode,
): ResolvedEnvironment {
  if (mode === 'ifMissing' && user.statsigEnvironment != null) return KEEP;
  if (tier) return replacement(tier);
  if (defaultEnvironment != null) return replacement(defaultEnvironment);
  return KEEP;
}

// tiers are a handful of strings; share one frozen substitute per tier instead of allocating per call
const byTier = new Map<string, ResolvedEnvironment>();

function replacement(tier: string): ResolvedEnvironment {
  let r = byTier.get(tier);
  if (r === undefined) {
    r = Object.freeze({ replaced: true, env: Object.freeze({ tier }) });
    if (byTier.size > 256) byTier.clear();
    byTier.set(tier, r);
  }
  return r;
}
