/**
 * The process-wide `Statsig` instance behind the Next.js integration, shared by route handlers and
 * server components. Created from the environment (./config) and initialised once; a failed start
 * is dropped, so the next request tries again instead of reusing the rejection. Cached on globalThis
 * so `next dev` module reloads keep one instance (and one event log writer).
 */
import type { Statsig } from '../statsig';
import { nextConfig, statsigSetup } from './config';

const g = globalThis as unknown as { __firstlightStatsig?: Promise<Statsig> };

export function getStatsig(): Promise<Statsig> {
  let p = g.__firstlightStatsig;
  if (!p) {
    p = (async () => {
      const { secret, options } = statsigSetup(nextConfig());
      // loaded on first use: proxy.ts imports this package's entry for the cookie helper only,
      // and must not carry the evaluator and event pipeline in its bundle
      const { Statsig } = await import('../statsig');
      const statsig = new Statsig(secret, options);
      await statsig.initialize();
      return statsig;
    })();
    const mine = p;
    g.__firstlightStatsig = mine;
    mine.catch(() => {
      if (g.__firstlightStatsig === mine) g.__firstlightStatsig = undefined;
    });
  }
  return p;
}

/** The instance if one was started (resolving to null when it failed to start), without starting one. */
export function peekStatsig(): Promise<Statsig | null> {
  return g.__firstlightStatsig?.catch(() => null) ?? Promise.resolve(null);
}

/** Why the instance cannot serve evaluations (no specs yet, the source's error), or null when it can. */
export function notReadyReason(statsig: Statsig): string | null {
  const h = statsig.health();
  if (h.initialized && h.lcut > 0) return null;
  return h.lastError?.message ?? 'no specs loaded yet';
}
