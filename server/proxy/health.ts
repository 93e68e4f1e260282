/** The proxy's /health document. */
import type { RedisDataStore } from '../fleet/redis-data-store';
import type { GrpcFrontEnd } from './grpc/grpc-server';
import type { HubStats } from './grpc/stats';
import type { LogEventForwarder } from './log-events';
import type { ProxyMetrics } from './proxy-metrics';
import type { KeyState } from './specs/key-sync';
import type { SpecCache } from './specs/spec-cache';

export interface ProxyHealth {
  status: 'ok' | 'degraded';
  cache: 'local' | 'redis';
  uptimeMs: number;
  redis: ReturnType<RedisDataStore['health']> | null;
  leaderOf: string[];
  keys: {
    key: string;
    state: string;
    lcut: number | null;
    ageMs: number | null;
    leader: boolean;
    from: string | null;
    lastError: string | null;
  }[];
  logEvents: { queued: number; received: number; sent: number; dropped: number };
  /** the gRPC front-end: open streams, pushes (full specs, keepalives), streams ended, push latency */
  grpc: ({ port: number; tls: GrpcFrontEnd['tls']; maxStreams: number } & HubStats) | null;
}

/** The key states /health has always reported. */
const HEALTH_STATE: Record<KeyState['kind'], string> = { verifying: 'pending', ok: 'ok', refused: 'unauthorized', unavailable: 'error' };

export function proxyHealth(parts: {
  cache: 'local' | 'redis';
  startedAt: number;
  specs: SpecCache;
  store: RedisDataStore | null;
  logEvents: LogEventForwarder;
  counters: ProxyMetrics['logEvents'];
  grpc: ProxyHealth['grpc'];
}): ProxyHealth {
  const now = Date.now();
  const all = [...parts.specs.keys()];
  const keys = all.map((k) => ({
    key: k.label,
    state: HEALTH_STATE[k.state.kind],
    lcut: k.specs?.lcut ?? null,
    ageMs: k.specs ? now - k.confirmedAt : null,
    leader: parts.cache === 'local' ? true : k.isLeader(),
    from: k.specs?.from ?? null,
    lastError: k.lastError,
  }));
  const redis = parts.store?.health() ?? null;
  // a refusal is upstream's verdict on one key (made-up keys are common), not a fault of the proxy
  const failing = all.some((k) => k.state.kind === 'unavailable' || (k.state.kind === 'ok' && k.state.error !== null));
  return {
    status: (redis?.degraded ?? false) || failing ? 'degraded' : 'ok',
    cache: parts.cache,
    uptimeMs: now - parts.startedAt,
    redis,
    leaderOf: keys.filter((k) => k.leader).map((k) => k.key),
    keys,
    logEvents: {
      queued: parts.logEvents.depth,
      received: parts.counters.received.total(),
      sent: parts.counters.sent.total(),
      dropped: parts.counters.dropped.total(),
    },
    grpc: parts.grpc,
  };
}
