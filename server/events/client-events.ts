/**
 * Events the browser SDK posted (relayed by the app's /rgstr route) turned into pipeline events: junk is
 * skipped, users lose their private attributes, the client's key and SDK go into statsigMetadata.
 */
import type { StatsigUser } from '../../lib/types';
import { eventUser, type StatsigEvent } from './event';

export interface ClientEventsMeta {
  clientKey?: string;
  sdkType?: string;
  sdkVersion?: string;
}

export function clientEvent(raw: unknown, meta: ClientEventsMeta, now = Date.now()): StatsigEvent | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const e = raw as Record<string, unknown>;
  if (typeof e.eventName !== 'string' || e.eventName.length === 0) return null;
  const user = typeof e.user === 'object' && e.user !== null && !Array.isArray(e.user) ? eventUser(e.user as StatsigUser, undefined) : null;
  const statsigMetadata = typeof e.statsigMetadata === 'object' && e.statsigMetadata !== null ? e.statsigMetadata : {};
  return {
    ...e,
    eventName: e.eventName,
    user,
    value: typeof e.value === 'string' || typeof e.value === 'number' ? e.value : null,
    metadata: typeof e.metadata === 'object' && e.metadata !== null && !Array.isArray(e.metadata) ? (e.metadata as Record<string, unknown>) : null,
    time: typeof e.time === 'number' && Number.isFinite(e.time) ? e.time : now,
    statsigMetadata: { ...statsigMetadata, ...meta },
  };
}
