/** Forward proxy options: one zod schema for the programmatic API and the command line. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';

const url = z.string().refine((s) => /^https?:\/\/[^/]/.test(s), 'must be an http(s) URL');

export const ProxyOptionsSchema = z
  .object({
    /** TCP port (0 = any free port). */
    port: z.number().int().min(0).max(65535).default(8000),
    host: z.string().min(1).default('127.0.0.1'),
    /** `local`: each proxy polls upstream for itself; `redis`: one writer per SDK key across the fleet. */
    cache: z.enum(['local', 'redis']).default('local'),
    redisUrl: z.string().optional(),
    /** Namespace for every Redis key and channel (default none: Statsig's plain key scheme). */
    redisKeyPrefix: z.string().default(''),
    /** Maximum number of SDK keys polled at once. */
    maxSdkKeys: z.number().int().min(1).max(100_000).default(1000),
    /** Upstream polling interval per SDK key. */
    pollingIntervalMs: z.number().int().min(50).max(3_600_000).default(10_000),
    /** Writer lease TTL in Redis: a dead writer is replaced within it. */
    redisLeaderTtlMs: z.number().int().min(300).max(3_600_000).default(15_000),
    /** Expiry of the specs stored in Redis, refreshed by the writer; 0 = none. */
    redisCacheTtlMs: z.number().int().min(0).default(86_400_000),
    /** On 401/403 from upstream, also delete the stored specs for that key (memory and Redis). */
    clearOnUnauthorized: z.boolean().default(false),
    debug: z.boolean().default(false),
    /** Base URL for download_config_specs. */
    upstream: url.default('https://api.statsigcdn.com/v1'),
    /** Base URL for download_config_specs v2 (default: --upstream with its /v1 made /v2, else Statsig's CDN). */
    upstreamV2: url.optional(),
    /** Base URL for get_id_lists and log_event (default: --upstream when given, else Statsig's API). */
    upstreamApi: url.optional(),
    /** Public base URL written into ID-list manifests (default: from the request's Host header). */
    publicUrl: url.optional(),
    idListsIntervalMs: z.number().int().min(50).default(60_000),
    upstreamTimeoutMs: z.number().int().min(50).default(10_000),
    logEventBatchSize: z.number().int().min(1).max(10_000).default(500),
    logEventFlushIntervalMs: z.number().int().min(10).default(1000),
    /** Events held at once, queued, in flight and retrying alike; beyond it log_event answers 503. */
    logEventMaxQueue: z.number().int().min(1).default(100_000),
    /** Bytes of events held at once (serialized JSON), queued, in flight and retrying alike. */
    logEventMaxQueueBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
    /** Largest upstream log_event body before compression; an event larger than it goes alone. */
    logEventMaxBatchBytes: z.number().int().min(1024).default(4 * 1024 * 1024),
    /** Deepest nesting of arrays and objects accepted in a JSON request body. */
    maxJsonDepth: z.number().int().min(2).max(1000).default(64),
    logEventRetries: z.number().int().min(0).max(10).default(5),
    logEventRetryBackoffMs: z.number().int().min(1).default(1000),
    /** Largest accepted request body. */
    maxBodyBytes: z.number().int().min(1024).default(10 * 1024 * 1024),
  })
  .strict();

export type ProxyOptionsInput = z.input<typeof ProxyOptionsSchema>;
export type ProxyOptions = z.output<typeof ProxyOptionsSchema> & { upstreamApi: string; upstreamV2: string };

export function resolveProxyOptions(input: ProxyOptionsInput = {}): ProxyOptions {
  const r = ProxyOptionsSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new InvalidOptionError(`invalid proxy options: ${msg}`);
  }
  const o = r.data;
  const upstreamApi = o.upstreamApi ?? (input.upstream ? o.upstream : 'https://statsigapi.net/v1');
  const upstream = o.upstream.replace(/\/+$/, '');
  const upstreamV2 = o.upstreamV2 ?? (input.upstream ? upstream.replace(/\/v1$/, '') + '/v2' : 'https://api.statsigcdn.com/v2');
  return { ...o, upstream, upstreamApi: upstreamApi.replace(/\/+$/, ''), upstreamV2: upstreamV2.replace(/\/+$/, '') };
}

export const PROXY_USAGE = `Usage: npm run proxy -- [options]     (also: firstlight proxy [options])

Serves cached download_config_specs, ID lists and log_event forwarding for Statsig server SDKs.

  --port <n>                     listen port (default 8000; 0 = any free port)
  --host <addr>                  listen address (default 127.0.0.1; use 0.0.0.0 in a container)
  --cache local|redis            local: each proxy polls upstream; redis: one writer per key for the fleet
  --redis-url <url>              Redis URL (default $REDIS_URL, else redis://127.0.0.1:6379)
  --redis-key-prefix <s>         namespace for Redis keys and channels (default none)
  --max-sdk-keys <n>             maximum SDK keys polled at once (default 1000)
  --polling-interval-ms <n>      upstream poll interval per key (default 10000)
  --redis-leader-ttl-ms <n>      writer lease TTL; a dead writer is replaced within it (default 15000)
  --redis-cache-ttl-ms <n>       expiry of specs stored in Redis, 0 = none (default 86400000)
  --clear-on-unauthorized        on 401/403 from upstream also delete the stored specs of that key
  --upstream <url>               DCS base URL (default https://api.statsigcdn.com/v1)
  --upstream-v2 <url>            DCS v2 base URL (default --upstream with /v1 made /v2, else https://api.statsigcdn.com/v2)
  --upstream-api <url>           get_id_lists/log_event base URL (default --upstream if given, else https://statsigapi.net/v1)
  --public-url <url>             base URL written into ID-list manifests (default from the Host header)
  --id-lists-interval-ms <n>     ID-list manifest refresh (default 60000)
  --log-event-batch-size <n>     events per upstream log_event request (default 500)
  --log-event-flush-interval-ms <n>  (default 1000)
  --log-event-retries <n>        upstream attempts after the first, per batch (default 5)
  --log-event-retry-backoff-ms <n>  first retry delay, doubled per attempt up to 30 s (default 1000)
  --log-event-max-queue <n>      events held at once, in flight and retrying included (default 100000)
  --log-event-max-queue-bytes <n>  bytes of events held at once, likewise; beyond either: 503 (default 67108864)
  --log-event-max-batch-bytes <n>  largest upstream log_event body before gzip (default 4194304)
  --max-json-depth <n>           deepest nesting accepted in a JSON body (default 64)
  --upstream-timeout-ms <n>      connect/headers/body timeout of upstream requests (default 10000)
  --debug                        verbose logging
  --help
`;

/** Parse command-line arguments (throws InvalidOptionError with a readable message). */
export function parseProxyArgs(argv: readonly string[]): ProxyOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        cache: { type: 'string' },
        'redis-url': { type: 'string' },
        'redis-key-prefix': { type: 'string' },
        'max-sdk-keys': { type: 'string' },
        'polling-interval-ms': { type: 'string' },
        'redis-leader-ttl-ms': { type: 'string' },
        'redis-cache-ttl-ms': { type: 'string' },
        'clear-on-unauthorized': { type: 'boolean' },
        upstream: { type: 'string' },
        'upstream-api': { type: 'string' },
        'upstream-v2': { type: 'string' },
        'public-url': { type: 'string' },
        'id-lists-interval-ms': { type: 'string' },
        'upstream-timeout-ms': { type: 'string' },
        'log-event-batch-size': { type: 'string' },
        'log-event-flush-interval-ms': { type: 'string' },
        'log-event-retry-backoff-ms': { type: 'string' },
        'log-event-retries': { type: 'string' },
        'log-event-max-queue': { type: 'string' },
        'log-event-max-queue-bytes': { type: 'string' },
        'log-event-max-batch-bytes': { type: 'string' },
        'max-json-depth': { type: 'string' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new InvalidOptionError(`${(e as Error).message}\n\n${PROXY_USAGE}`);
  }
  if (values.help) return 'help';
  const num = (name: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
      throw new InvalidOptionError(`--${name} must be a number, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  const str = (name: string) => values[name] as string | undefined;
  const input: ProxyOptionsInput = {
    port: num('port'),
    host: str('host'),
    cache: str('cache') as 'local' | 'redis' | undefined,
    redisUrl: str('redis-url'),
    redisKeyPrefix: str('redis-key-prefix'),
    maxSdkKeys: num('max-sdk-keys'),
    pollingIntervalMs: num('polling-interval-ms'),
    redisLeaderTtlMs: num('redis-leader-ttl-ms'),
    redisCacheTtlMs: num('redis-cache-ttl-ms'),
    clearOnUnauthorized: values['clear-on-unauthorized'] as boolean | undefined,
    upstream: str('upstream'),
    upstreamApi: str('upstream-api'),
    upstreamV2: str('upstream-v2'),
    publicUrl: str('public-url'),
    idListsIntervalMs: num('id-lists-interval-ms'),
    upstreamTimeoutMs: num('upstream-timeout-ms'),
    logEventBatchSize: num('log-event-batch-size'),
    logEventFlushIntervalMs: num('log-event-flush-interval-ms'),
    logEventRetryBackoffMs: num('log-event-retry-backoff-ms'),
    logEventRetries: num('log-event-retries'),
    logEventMaxQueue: num('log-event-max-queue'),
    logEventMaxQueueBytes: num('log-event-max-queue-bytes'),
    logEventMaxBatchBytes: num('log-event-max-batch-bytes'),
    maxJsonDepth: num('max-json-depth'),
    debug: values.debug as boolean | undefined,
  };
  for (const k of Object.keys(input) as (keyof ProxyOptionsInput)[]) if (input[k] === undefined) delete input[k];
  return resolveProxyOptions(input);
}
