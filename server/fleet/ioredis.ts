/**
 * ioredis is an optional peer: only fleet mode (RedisDataStore, RedisStreamSink, the proxy's
 * `--cache redis`) needs it. It is loaded when one of those starts, and its types stay out of the
 * package's declarations (see RedisStreamClient).
 */
import type { Cluster, Redis } from 'ioredis';
import { importOptional } from '../optional-package';

/** The two client classes the fleet uses. */
export interface IoredisModule {
  readonly Redis: typeof Redis;
  readonly Cluster: typeof Cluster;
}

let loading: Promise<IoredisModule> | null = null;

/** ioredis's client classes; MissingPackageError (naming ioredis and `feature`) when it is not installed. */
export function loadIoredis(feature: string): Promise<IoredisModule> {
  const p = (loading ??= importOptional(feature, ['ioredis'] as const, async () => {
    const m = await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ 'ioredis');
    return [{ Redis: m.Redis, Cluster: m.Cluster }] as const;
  }).then(([m]) => m));
  // a failed load is not cached: installing the package and retrying works without a restart
  p.catch(() => {
    if (loading === p) loading = null;
  });
  return p;
}
