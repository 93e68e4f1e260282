/** The proxy's Prometheus metrics: counters handed to the parts that count, gauges read at render time. */
import type { RedisDataStore } from '../fleet/redis-data-store';
import type { LogEventForwarder } from './log-events';
import { Registry } from './metrics';
import type { SpecCache } from './specs/spec-cache';

export function createProxyMetrics() {
  const reg = new Registry();
  return {
    reg,
    requests: reg.counter('firstlight_proxy_requests_total', 'HTTP requests served, by route and status'),
    upstream: {
      latency: reg.histogram('firstlight_proxy_upstream_request_duration_seconds', 'Upstream request latency'),
      requests: reg.counter('firstlight_proxy_upstream_requests_total', 'Upstream requests, by endpoint and status'),
      errors: reg.counter('firstlight_proxy_upstream_errors_total', 'Upstream failures, by endpoint and kind'),
    },
    specs: {
      polls: reg.counter('firstlight_proxy_upstream_polls_total', 'download_config_specs polls sent upstream'),
      installs: reg.counter('firstlight_proxy_specs_installed_total', 'New specs installed, by origin'),
      rejected: reg.counter('firstlight_proxy_specs_rejected_total', 'Payloads refused, by origin and reason'),
      evictions: reg.counter('firstlight_proxy_sdk_key_evictions_total', 'SDK keys evicted to stay under --max-sdk-keys'),
      verificationsRefused: reg.counter(
        'firstlight_proxy_key_verifications_refused_total',
        'New SDK keys answered 503 because --max-key-verifications-per-minute was spent',
      ),
    },
    logEvents: {
      received: reg.counter('firstlight_proxy_log_events_received_total', 'Events accepted on /v1/log_event'),
      sent: reg.counter('firstlight_proxy_log_events_sent_total', 'Events delivered upstream'),
      dropped: reg.counter('firstlight_proxy_log_events_dropped_total', 'Events dropped, by reason'),
    },
  };
}

export type ProxyMetrics = ReturnType<typeof createProxyMetrics>;

type Sample = [Record<string, string> | undefined, number];

export function registerGauges(
  reg: Registry,
  parts: { cache: 'local' | 'redis'; specs: SpecCache; store: RedisDataStore | null; logEvents: LogEventForwarder },
): void {
  const { specs, store, logEvents } = parts;
  const withSpecs = () => [...specs.keys()].filter((k) => k.specs);
  reg.gauge('firstlight_proxy_sdk_keys', 'SDK keys being served', () => [[undefined, specs.size]]);
  reg.gauge('firstlight_proxy_cache_age_seconds', 'Seconds since the cached specs of a key were last confirmed current', () =>
    withSpecs().map((k): Sample => [{ key: k.label }, (Date.now() - k.confirmedAt) / 1000]),
  );
  reg.gauge('firstlight_proxy_cache_lcut', 'lcut (time) of the cached specs per key', () => withSpecs().map((k): Sample => [{ key: k.label }, k.specs!.lcut]));
  reg.gauge('firstlight_proxy_key_leader', '1 when this proxy holds the writer lease for the key', () =>
    [...specs.keys()].map((k): Sample => [{ key: k.label }, k.isLeader() ? 1 : 0]),
  );
  reg.gauge('firstlight_proxy_leader', '1 when this proxy polls upstream for at least one key (redis: holds a lease; local: always)', () => [
    [undefined, parts.cache === 'local' ? 1 : [...specs.keys()].some((k) => k.isLeader()) ? 1 : 0],
  ]);
  reg.gauge('firstlight_proxy_redis_connected', '1 when connected to Redis (cache=redis)', () => [[undefined, store ? (store.connected ? 1 : 0) : 0]]);
  reg.gauge('firstlight_proxy_log_event_queue_depth', 'Events waiting to be sent upstream', () => [[undefined, logEvents.depth]]);
}
