/**
 * Forward proxy options: one table of fields, each a zod schema and its help line. The programmatic
 * options (startProxy), the command-line flags (the field name in kebab case) and the `--help` text
 * are all generated from it, so the usage text cannot omit a flag that parsing accepts.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';
import { checkKeyPrefix } from '../fleet/keys';
import { checkTlsOptions, parseRedisUrl, type RedisTlsOptions } from '../fleet/redis-connection';
import { GRPC_FIELDS, grpcOptionIssues } from './grpc/options';
import type { AssertSame, Check } from '../../lib/type-assert';

const url = z.string().refine((s) => /^https?:\/\/[^/]/.test(s), 'must be an http(s) URL');

interface Field<S extends z.ZodType> {
  readonly schema: S;
  /** the help line; "(default …)" is appended from the schema's default unless `defaultText` says otherwise */
  readonly help: string;
  readonly defaultText?: string;
}
const field = <S extends z.ZodType>(schema: S, help: string, defaultText?: string): Field<S> => ({ schema, help, ...(defaultText !== undefined ? { defaultText } : {}) });

const FIELDS = {
  port: field(z.number().int().min(0).max(65535).default(8000), 'listen port (0 = any free port)'),
  host: field(z.string().min(1).default('127.0.0.1'), 'listen address (use 0.0.0.0 in a container)'),
  cache: field(z.enum(['local', 'redis']).default('local'), 'local: each proxy polls upstream; redis: one writer per key for the fleet'),
  redisUrl: field(
    z.string().optional(),
    'Redis URL: redis://host:port[/db], redis+cluster://host:port,host:port (Cluster), redis+sentinel://host:port,...?name=<master> (Sentinel); rediss… for TLS',
    '$REDIS_URL, else redis://127.0.0.1:6379',
  ),
  redisTlsCaPath: field(z.string().min(1).optional(), 'PEM CA of the Redis servers (rediss URLs; default the system CAs)'),
  redisTlsCertPath: field(z.string().min(1).optional(), 'PEM client certificate for Redis (rediss URLs, with --redis-tls-key-path)'),
  redisTlsKeyPath: field(z.string().min(1).optional(), 'PEM private key of --redis-tls-cert-path'),
  redisKeyPrefix: field(z.string().default(''), "namespace for every Redis key and channel (default none: Statsig's plain key scheme)", ''),
  maxSdkKeys: field(z.number().int().min(1).max(100_000).default(1000), 'maximum SDK keys held at once; a new key evicts a refused or failing one, else 503'),
  maxKeyVerificationsPerMinute: field(
    z.number().int().min(1).max(100_000).default(120),
    'new or spec-less SDK keys verified with upstream per minute; beyond it a new key gets 503 + Retry-After',
  ),
  pollingIntervalMs: field(z.number().int().min(50).max(3_600_000).default(10_000), 'upstream poll interval per key with specs'),
  redisLeaderTtlMs: field(z.number().int().min(300).max(3_600_000).default(15_000), 'writer lease TTL in Redis: a dead writer is replaced within it'),
  redisCacheTtlMs: field(z.number().int().min(0).default(86_400_000), 'expiry of the specs stored in Redis, refreshed by the writer; 0 = none'),
  clearOnUnauthorized: field(z.boolean().default(false), 'on 401/403 from upstream also delete the stored specs of that key (memory and Redis)', ''),
  debug: field(z.boolean().default(false), 'verbose logging', ''),
  upstream: field(url.default('https://api.statsigcdn.com/v1'), 'download_config_specs base URL'),
  upstreamV2: field(url.optional(), 'download_config_specs v2 base URL', '--upstream with /v1 made /v2, else https://api.statsigcdn.com/v2'),
  upstreamApi: field(url.optional(), 'get_id_lists and log_event base URL', '--upstream if given, else https://statsigapi.net/v1'),
  publicUrl: field(url.optional(), 'public base URL written into ID-list manifests', 'from the Host header'),
  idListsIntervalMs: field(z.number().int().min(50).default(60_000), 'ID-list manifest refresh per key'),
  upstreamTimeoutMs: field(z.number().int().min(50).default(10_000), 'connect/headers/body timeout of upstream requests'),
  logEventBatchSize: field(z.number().int().min(1).max(10_000).default(500), 'events per upstream log_event request'),
  logEventFlushIntervalMs: field(z.number().int().min(10).default(1000), 'how often queued events are sent upstream'),
  logEventMaxQueue: field(z.number().int().min(1).default(100_000), 'events held at once, queued, in flight and retrying alike; beyond it 503'),
  logEventMaxQueueBytes: field(z.number().int().min(1024).default(64 * 1024 * 1024), 'bytes of events (serialized JSON) held at once, likewise; beyond it 503'),
  logEventMaxBatchBytes: field(z.number().int().min(1024).default(4 * 1024 * 1024), 'largest upstream log_event body before gzip; a larger event goes alone'),
  logEventRetryBackoffMs: field(z.number().int().min(1).default(1000), 'first retry delay of a failing batch, doubled per attempt; retried until upstream takes it'),
  logEventRetryBackoffMaxMs: field(z.number().int().min(1).max(600_000).default(30_000), 'longest delay between two attempts of a failing batch'),
  maxJsonDepth: field(z.number().int().min(2).max(1000).default(64), 'deepest nesting of arrays and objects accepted in a JSON body (400 beyond)'),
  maxBodyBytes: field(z.number().int().min(1024).default(10 * 1024 * 1024), 'largest request body, after decoding too (413 beyond)'),
  ...GRPC_FIELDS,
} as const;

type Shape = { [K in keyof typeof FIELDS]: (typeof FIELDS)[K]['schema'] };

/** @internal */
export const ProxyOptionsSchema = z.object(Object.fromEntries(Object.entries(FIELDS).map(([k, f]) => [k, f.schema])) as Shape).strict();

/** The forward proxy's options: each is a `firstlight proxy` flag (kebab case); `--help` describes them and their defaults. */
export interface ProxyOptionsInput {
  port?: number | undefined;
  host?: string | undefined;
  cache?: 'local' | 'redis' | undefined;
  redisUrl?: string | undefined;
  redisTlsCaPath?: string | undefined;
  redisTlsCertPath?: string | undefined;
  redisTlsKeyPath?: string | undefined;
  redisKeyPrefix?: string | undefined;
  maxSdkKeys?: number | undefined;
  maxKeyVerificationsPerMinute?: number | undefined;
  pollingIntervalMs?: number | undefined;
  redisLeaderTtlMs?: number | undefined;
  redisCacheTtlMs?: number | undefined;
  clearOnUnauthorized?: boolean | undefined;
  debug?: boolean | undefined;
  upstream?: string | undefined;
  upstreamV2?: string | undefined;
  upstreamApi?: string | undefined;
  publicUrl?: string | undefined;
  idListsIntervalMs?: number | undefined;
  upstreamTimeoutMs?: number | undefined;
  logEventBatchSize?: number | undefined;
  logEventFlushIntervalMs?: number | undefined;
  logEventMaxQueue?: number | undefined;
  logEventMaxQueueBytes?: number | undefined;
  logEventMaxBatchBytes?: number | undefined;
  logEventRetryBackoffMs?: number | undefined;
  logEventRetryBackoffMaxMs?: number | undefined;
  maxJsonDepth?: number | undefined;
  maxBodyBytes?: number | undefined;
  mode?: 'http' | 'grpc' | 'grpc-and-http' | undefined;
  grpcPort?: number | undefined;
  grpcMaxConcurrentStreams?: number | undefined;
  grpcKeepaliveMs?: number | undefined;
  grpcStuckStreamMs?: number | undefined;
  grpcTlsCertPath?: string | undefined;
  grpcTlsKeyPath?: string | undefined;
  grpcTlsClientCaPath?: string | undefined;
}

type Resolved = 'redisUrl' | 'redisTlsCaPath' | 'redisTlsCertPath' | 'redisTlsKeyPath' | 'upstreamV2' | 'upstreamApi' | 'publicUrl' | 'grpcTlsCertPath' | 'grpcTlsKeyPath' | 'grpcTlsClientCaPath';

/** The options with every default filled in (resolveProxyOptions). */
export type ProxyOptions = { [K in Exclude<keyof ProxyOptionsInput, Resolved>]-?: Exclude<ProxyOptionsInput[K], undefined> } & {
  redisUrl?: string | undefined;
  redisTlsCaPath?: string | undefined;
  redisTlsCertPath?: string | undefined;
  redisTlsKeyPath?: string | undefined;
  publicUrl?: string | undefined;
  grpcTlsCertPath?: string | undefined;
  grpcTlsKeyPath?: string | undefined;
  grpcTlsClientCaPath?: string | undefined;
  upstreamApi: string;
  upstreamV2: string;
};

type _InputMatch = Check<AssertSame<ProxyOptionsInput, z.input<typeof ProxyOptionsSchema>>>;
type _OutputMatch = Check<AssertSame<Omit<ProxyOptions, 'upstreamApi' | 'upstreamV2'>, Omit<z.output<typeof ProxyOptionsSchema>, 'upstreamApi' | 'upstreamV2'>>>;

export function resolveProxyOptions(input: ProxyOptionsInput = {}): ProxyOptions {
  const r = ProxyOptionsSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new InvalidOptionError(`invalid proxy options: ${msg}`);
  }
  const o = r.data;
  const cross = [...grpcOptionIssues(o), ...redisOptionIssues(o)];
  if (cross.length > 0) throw new InvalidOptionError(`invalid proxy options: ${cross.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  const upstreamApi = o.upstreamApi ?? (input.upstream ? o.upstream : 'https://statsigapi.net/v1');
  const upstream = o.upstream.replace(/\/+$/, '');
  const upstreamV2 = o.upstreamV2 ?? (input.upstream ? upstream.replace(/\/v1$/, '') + '/v2' : 'https://api.statsigcdn.com/v2');
  return { ...o, upstream, upstreamApi: upstreamApi.replace(/\/+$/, ''), upstreamV2: upstreamV2.replace(/\/+$/, '') };
}

/** The Redis TLS material of the options, undefined when none is given. @internal */
export function redisTlsOf(o: Pick<ProxyOptions, 'redisTlsCaPath' | 'redisTlsCertPath' | 'redisTlsKeyPath'>): RedisTlsOptions | undefined {
  const t: RedisTlsOptions = {
    ...(o.redisTlsCaPath ? { caPath: o.redisTlsCaPath } : {}),
    ...(o.redisTlsCertPath ? { certPath: o.redisTlsCertPath } : {}),
    ...(o.redisTlsKeyPath ? { keyPath: o.redisTlsKeyPath } : {}),
  };
  return Object.keys(t).length > 0 ? t : undefined;
}

function redisOptionIssues(o: z.output<typeof ProxyOptionsSchema>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const problem = (path: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      issues.push({ path, message: (e as Error).message.replace(/^firstlight: /, '') });
    }
  };
  problem('redisKeyPrefix', () => checkKeyPrefix(o.redisKeyPrefix));
  // a local cache never opens Redis: $REDIS_URL is only its business with --cache redis
  if (o.cache !== 'redis' && o.redisUrl === undefined && redisTlsOf(o) === undefined) return issues;
  const url = o.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  problem(o.redisUrl === undefined ? 'redisUrl ($REDIS_URL)' : 'redisUrl', () => {
    const target = parseRedisUrl(url);
    problem('redisTls*', () => checkTlsOptions(target, redisTlsOf(o)));
  });
  return issues;
}

type Kind = 'number' | 'string' | 'boolean' | 'enum';

/** The schema type under .default()/.optional(). */
function kindOf(schema: z.ZodType): { kind: Kind; values?: readonly string[] } {
  let t = schema as unknown as { _zod: { def: { type: string; innerType?: unknown; entries?: Record<string, string> } } };
  while (t._zod.def.type === 'default' || t._zod.def.type === 'optional') t = t._zod.def.innerType as typeof t;
  const type = t._zod.def.type;
  if (type === 'enum') return { kind: 'enum', values: Object.values(t._zod.def.entries ?? {}) };
  if (type === 'number' || type === 'string' || type === 'boolean') return { kind: type };
  throw new Error(`proxy option of unsupported type ${type}`); // a programming error in FIELDS, caught by the tests
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every flag the command line accepts, generated from FIELDS (plus --help). */
/** @internal */
export const PROXY_FLAGS: readonly { readonly name: keyof typeof FIELDS; readonly flag: string; readonly kind: Kind; readonly values?: readonly string[] }[] = (
  Object.keys(FIELDS) as (keyof typeof FIELDS)[]
).map((name) => ({ name, flag: kebab(name), ...kindOf(FIELDS[name].schema) }));

function usage(): string {
  const defaults = ProxyOptionsSchema.parse({}) as Record<string, unknown>;
  const rows = PROXY_FLAGS.map((f) => {
    const arg = f.kind === 'boolean' ? '' : f.kind === 'enum' ? ` ${f.values!.join('|')}` : f.kind === 'number' ? ' <n>' : f.name.endsWith('Url') || f.name.startsWith('upstream') && f.kind === 'string' ? ' <url>' : ' <s>';
    const spec = FIELDS[f.name];
    const d = spec.defaultText ?? (defaults[f.name] === undefined ? '' : String(defaults[f.name]));
    return [`--${f.flag}${arg}`, d ? `${spec.help} (default ${d})` : spec.help] as const;
  });
  rows.push(['--help, -h', 'this text']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `Usage: npm run proxy -- [options]     (also: firstlight proxy [options])

Serves cached download_config_specs (v1 and v2), ID lists and log_event forwarding for Statsig server SDKs.

${rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n')}
`;
}

export const PROXY_USAGE = usage();

/** Parse command-line arguments (throws InvalidOptionError with a readable message). */
export function parseProxyArgs(argv: readonly string[]): ProxyOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
    for (const f of PROXY_FLAGS) options[f.flag] = { type: f.kind === 'boolean' ? 'boolean' : 'string' };
    ({ values } = parseArgs({ args: [...argv], allowPositionals: false, strict: true, options }));
  } catch (e) {
    throw new InvalidOptionError(`${(e as Error).message}\n\n${PROXY_USAGE}`);
  }
  if (values.help) return 'help';
  const input: Record<string, unknown> = {};
  for (const f of PROXY_FLAGS) {
    const v = values[f.flag];
    if (v === undefined) continue;
    if (f.kind === 'number') {
      const n = Number(v);
      if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
        throw new InvalidOptionError(`--${f.flag} must be a number, got ${JSON.stringify(v)}`);
      }
      input[f.name] = n;
    } else input[f.name] = v;
  }
  return resolveProxyOptions(input as ProxyOptionsInput);
}
