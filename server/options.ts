/**
 * Options of a Statsig instance: the public, all-optional `StatsigOptions`, validated once with zod and
 * normalised into `NormalizedOptions` (every field required). Everything downstream trusts the
 * normalised object. Unknown and renamed options are rejected, never silently ignored.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { dcsProxyConfig, ProxyConfigsSchema, type DcsProxyConfig, type ProxyConfigsInput } from './sources/proxy-configs';
import type { Dispatcher } from 'undici';
import { InvalidOptionError } from '../lib/errors';
import type { DataStore } from './store/data-store';
import type { EventSink } from './events/event-sink';
import type { Logger } from './logger';
import { consoleLogger } from './logger';

/** Where specs can come from, in Python SDK `initialize_sources` / `config_sync_sources` style. */
export type SpecSourceName = 'file' | 'network' | 'dataStore' | 'bootstrap';
export const SPEC_SOURCE_NAMES = ['file', 'network', 'dataStore', 'bootstrap'] as const;

export const DEFAULT_API = 'https://statsigapi.net/v1';
export const DEFAULT_API_FOR_DOWNLOAD_CONFIG_SPECS = 'https://api.statsigcdn.com/v1';
export const DEFAULT_INIT_TIMEOUT_MS = 3_000;
export const DEFAULT_RULESETS_SYNC_INTERVAL_MS = 10_000; // statsig-node's default
export const DEFAULT_ID_LISTS_SYNC_INTERVAL_MS = 60_000; // statsig-node's default
/** Guards against a busy loop. Statsig's SDK floors its CDN polling at 5 s; do the same in production. */
export const MIN_SYNC_INTERVAL_MS = 50;
export const DEFAULT_EVENT_QUEUE_SIZE = 1_000; // events per batch; statsig-node's default and maximum
export const MAX_EVENT_QUEUE_SIZE = 10_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 10_000;
export const MIN_FLUSH_INTERVAL_MS = 10;
export const DEFAULT_RETRY_QUEUE_SIZE = 10; // batches' worth of events held in memory per sink
export const DEFAULT_LOG_EVENT_RETRY_LIMIT = 10; // statsig-node's; retries no longer end in a drop
/** Bytes of events held in memory per sink (open batch, waiting, in flight, retrying). */
export const DEFAULT_EVENT_QUEUE_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_EVENT_SPOOL_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_LOG_EVENT_RETRY_BACKOFF_MS = 1_000;
export const DEFAULT_LOG_EVENT_RETRY_MAX_BACKOFF_MS = 60_000;
/** Exposure dedupe: at most this many keys; the set is cleared on overflow and every window. */
export const DEFAULT_EXPOSURE_DEDUPE_MAX_KEYS = 50_000;
export const DEFAULT_EXPOSURE_DEDUPE_WINDOW_MS = 60_000;

export interface HttpOptions {
  /** @default 3000 */
  connectTimeoutMs?: number;
  /** Time to the response headers. @default 5000 */
  headersTimeoutMs?: number;
  /** Longest pause between two body chunks. @default 10000 */
  bodyTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this. @default 10000 */
  keepAliveTimeoutMs?: number;
  /** Retries of one spec or ID-list request on a retryable status or network error. @default 2 */
  maxRetries?: number;
  /** First retry delay; doubles per retry, full jitter. @default 200 */
  retryBackoffMs?: number;
  /** An undici dispatcher to use instead of the instance's own keep-alive Agent (e.g. a ProxyAgent). */
  dispatcher?: Dispatcher;
}

/** What `onEvaluation` receives for every top-level check. */
export interface EvaluationRecord {
  readonly kind: 'gate' | 'config' | 'experiment' | 'layer';
  readonly name: string;
  readonly value: unknown;
  readonly ruleID: string;
  readonly reason: string;
}

export interface RulesUpdate {
  readonly lcut: number;
  readonly source: SpecSourceName;
  /** The raw download_config_specs JSON that was applied. */
  readonly payload: string;
}

export interface StatsigOptions {
  /** Environment tier (`'production'`, `'staging'`, …) or a full `statsigEnvironment` object. */
  environment?: string | { tier: string; [key: string]: string };
  /** Prefix of get_id_lists and log_event. @default 'https://statsigapi.net/v1' */
  api?: string;
  /** Prefix of download_config_specs; point it at a forward proxy to use one. @default api, else 'https://api.statsigcdn.com/v1' */
  apiForDownloadConfigSpecs?: string;
  /** @default api */
  apiForGetIdLists?: string;
  /**
   * Per endpoint, how to reach a forward proxy, in the shape of Statsig's SDKs. `download_config_specs:
   * { protocol: 'grpc_websocket', proxyAddress: 'host:port', … }` streams specs from it (TLS/mTLS,
   * retry and failover settings: see server/sources/proxy-configs.ts); `protocol: 'http'` is the same
   * as apiForDownloadConfigSpecs.
   */
  proxyConfigs?: ProxyConfigsInput;
  /**
   * When download_config_specs or get_id_lists fails at an overridden URL (`api` or a per-endpoint
   * one), ask Statsig's own endpoint instead (statsig-node's `fallbackToStatsigAPI`). @default false
   */
  fallbackToStatsigApi?: boolean;
  /** @default api */
  apiForLogEvent?: string;
  /** `initialize()` resolves after this even if no source answered (0 = wait for every source). @default 3000 */
  initTimeoutMs?: number;
  /** @default 10000 */
  rulesetsSyncIntervalMs?: number;
  /** @default 60000 */
  idListsSyncIntervalMs?: number;
  /** No network at all: defaults plus overrides (and a specs file or bootstrap string when given). */
  localMode?: boolean;
  /** A download_config_specs JSON string to start from. */
  bootstrapValues?: string;
  /**
   * A download_config_specs JSON file; reloaded when it changes. Without a server secret, one of
   * specsFile, bootstrapValues or dataStore is required (or localMode: defaults only). @default none
   */
  specsFile?: string;
  /** ID lists for file-based specs: JSON `{ "<list>": ["raw id", …] }`. */
  idListsFile?: string;
  onRulesUpdated?: (update: RulesUpdate) => void;
  dataStore?: DataStore;
  /** Tried in order at start-up until one yields specs. */
  initializeSources?: readonly SpecSourceName[];
  /** Tried in order on every sync until one yields specs. An empty list turns syncing off. */
  configSyncSources?: readonly SpecSourceName[];
  /** Events per batch; a full batch is flushed at once. @default 1000 */
  eventQueueSize?: number;
  /** @default 10000 */
  flushIntervalMs?: number;
  /**
   * Events each sink holds in memory, in batches of eventQueueSize (so at most retryQueueSize ×
   * eventQueueSize events, and eventQueueMaxBytes bytes). Beyond that new events are refused
   * (logBatch() says so; the HTTP routes answer 503 with Retry-After), never accepted and dropped. @default 10
   */
  retryQueueSize?: number;
  /** @default 16 MiB */
  eventQueueMaxBytes?: number;
  /**
   * A directory for a durable spool per sink: every batch is on disk (fsync) before it is delivered,
   * so a sink outage longer than memory holds, a shutdown or a crash loses nothing; the next start
   * delivers what is left. @default none (memory only)
   */
  eventSpoolDir?: string;
  /** Bytes of undelivered events each sink's spool may hold; beyond that new events are refused. @default 256 MiB */
  eventSpoolMaxBytes?: number;
  /**
   * Accepted for statsig-node compatibility. A retryable failure is retried (capped backoff) until the
   * batch is delivered: an accepted event is not dropped; the queue bounds refuse new ones instead. @default 10
   */
  logEventRetryLimit?: number;
  /** First retry delay of a batch; doubles per attempt up to logEventRetryMaxBackoffMs, full jitter. @default 1000 */
  logEventRetryBackoffMs?: number;
  /** @default 60000 */
  logEventRetryMaxBackoffMs?: number;
  /** @default 50000 */
  exposureDedupeMaxKeys?: number;
  /** @default 60000 */
  exposureDedupeWindowMs?: number;
  disableAllLogging?: boolean;
  /** JSONL file of the local event sink (`'file'`). Nothing is written to disk unless it is set. @default none */
  eventLogFile?: string;
  /**
   * Where events go. `'statsig'` = log_event upstream, `'file'` = the JSONL log at eventLogFile, or any
   * EventSink (e.g. a RedisStreamSink). With none, events are not recorded: `health().eventsEnabled` is
   * false and `ingestClientEvents()` refuses batches (reason `'disabled'`) instead of accepting them.
   * @default ['statsig'] with a server secret and network, else ['file'] when eventLogFile is set, else []
   */
  eventSinks?: readonly (EventSinkName | EventSink)[];
  onEvaluation?: (record: EvaluationRecord) => void;
  http?: HttpOptions;
  /** @default warnings and errors to the console */
  logger?: Logger;
}

export type EventSinkName = 'statsig' | 'file';

export interface NormalizedOptions {
  readonly serverSecret: string;
  readonly environment: { readonly tier: string; readonly [key: string]: string } | null;
  readonly urls: { readonly downloadConfigSpecs: string; readonly getIdLists: string; readonly logEvent: string };
  /** proxyConfigs.download_config_specs, normalised (http: already in urls.downloadConfigSpecs). */
  readonly dcsProxy: DcsProxyConfig | null;
  /** Statsig's own prefixes, asked when an overridden one fails; null when not wanted or not overridden. */
  readonly fallbackUrls: { readonly downloadConfigSpecs: string | null; readonly getIdLists: string | null };
  readonly initTimeoutMs: number;
  readonly rulesetsSyncIntervalMs: number;
  readonly idListsSyncIntervalMs: number;
  readonly localMode: boolean;
  readonly bootstrapValues: string | null;
  readonly specsFile: string | null;
  readonly idListsFile: string | null;
  readonly onRulesUpdated: ((update: RulesUpdate) => void) | null;
  readonly dataStore: DataStore | null;
  readonly initializeSources: readonly SpecSourceName[];
  readonly configSyncSources: readonly SpecSourceName[];
  /**
   * true when configSyncSources was left to its default and a data store is set: each round then asks
   * the store whether this instance follows it (poll the store first) or writes it (network first).
   */
  readonly adaptiveSyncOrder: boolean;
  readonly eventQueueSize: number;
  readonly flushIntervalMs: number;
  readonly retryQueueSize: number;
  readonly eventQueueMaxBytes: number;
  readonly eventSpoolDir: string | null;
  readonly eventSpoolMaxBytes: number;
  readonly logEventRetryLimit: number;
  readonly logEventRetryBackoffMs: number;
  readonly logEventRetryMaxBackoffMs: number;
  readonly exposureDedupeMaxKeys: number;
  readonly exposureDedupeWindowMs: number;
  readonly disableAllLogging: boolean;
  readonly eventLogFile: string | null;
  readonly eventSinks: readonly (EventSinkName | EventSink)[];
  readonly onEvaluation: ((record: EvaluationRecord) => void) | null;
  readonly http: Required<Omit<HttpOptions, 'dispatcher'>> & { readonly dispatcher: Dispatcher | null };
  readonly logger: Logger;
}

/** Options of statsig-node and older names, with what replaces them. */
const RENAMED: Record<string, string> = {
  rulesUpdatedCallback: 'onRulesUpdated',
  evaluationCallback: 'onEvaluation',
  dataAdapter: 'dataStore',
  loggingMaxBufferSize: 'eventQueueSize',
  loggingIntervalMs: 'flushIntervalMs',
  postLogsRetryLimit: 'logEventRetryLimit',
  postLogsRetryBackoff: 'logEventRetryBackoffMs',
  initStrategyForIDLists: 'configSyncSources',
  fallbackToStatsigAPI: 'fallbackToStatsigApi',
};

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: `must be a function (${what})` });
const ms = (min: number) => z.number({ error: 'must be a number of milliseconds' }).int('must be an integer').min(min, `must be >= ${min}`);
const url = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');
const sources = z
  .array(z.enum(SPEC_SOURCE_NAMES, { error: `must be one of ${SPEC_SOURCE_NAMES.join(', ')}` }))
  .refine((a) => new Set(a).size === a.length, 'must not name a source twice');
const dataStoreSchema = z.custom<DataStore>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['initialize', 'get', 'set', 'shutdown'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { error: 'must implement initialize(), get(), set() and shutdown()' },
);
const sinkSchema = z.union(
  [
    z.enum(['statsig', 'file']),
    z.custom<EventSink>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as EventSink).name === 'string' &&
        typeof (v as EventSink).send === 'function',
    ),
  ],
  { error: "must be 'statsig', 'file' or an object with a name and send(batch, signal)" },
);

const optionsSchema = z.strictObject({
  environment: z
    .union([z.string().min(1), z.looseObject({ tier: z.string().min(1) })], {
      error: "must be a tier string or an object like { tier: 'production' }",
    })
    .optional(),
  api: url.optional(),
  apiForDownloadConfigSpecs: url.optional(),
  apiForGetIdLists: url.optional(),
  apiForLogEvent: url.optional(),
  proxyConfigs: ProxyConfigsSchema.optional(),
  fallbackToStatsigApi: z.boolean().optional(),
  initTimeoutMs: ms(0).optional(),
  rulesetsSyncIntervalMs: ms(MIN_SYNC_INTERVAL_MS).optional(),
  idListsSyncIntervalMs: ms(MIN_SYNC_INTERVAL_MS).optional(),
  localMode: z.boolean().optional(),
  bootstrapValues: z.string().min(1, 'must be a download_config_specs JSON string').optional(),
  specsFile: z.string().min(1).optional(),
  idListsFile: z.string().min(1).optional(),
  onRulesUpdated: fn('onRulesUpdated(update)').optional(),
  dataStore: dataStoreSchema.optional(),
  initializeSources: sources.optional(),
  configSyncSources: sources.optional(),
  eventQueueSize: z.number().int().min(1).max(MAX_EVENT_QUEUE_SIZE).optional(),
  flushIntervalMs: ms(MIN_FLUSH_INTERVAL_MS).optional(),
  retryQueueSize: z.number().int().min(1).optional(),
  eventQueueMaxBytes: z.number().int().min(1024).optional(),
  eventSpoolDir: z.string().min(1).optional(),
  eventSpoolMaxBytes: z.number().int().min(1024).optional(),
  logEventRetryLimit: z.number().int().min(1).optional(),
  logEventRetryBackoffMs: ms(0).optional(),
  logEventRetryMaxBackoffMs: ms(0).optional(),
  exposureDedupeMaxKeys: z.number().int().min(1).optional(),
  exposureDedupeWindowMs: ms(1).optional(),
  disableAllLogging: z.boolean().optional(),
  eventLogFile: z.string().min(1).optional(),
  eventSinks: z.array(sinkSchema).optional(),
  onEvaluation: fn('onEvaluation(record)').optional(),
  http: z
    .strictObject({
      connectTimeoutMs: ms(1).optional(),
      headersTimeoutMs: ms(1).optional(),
      bodyTimeoutMs: ms(1).optional(),
      keepAliveTimeoutMs: ms(1).optional(),
      maxRetries: z.number().int().min(0).max(10).optional(),
      retryBackoffMs: ms(0).optional(),
      dispatcher: z
        .custom<Dispatcher>((v) => typeof v === 'object' && v !== null && typeof (v as Dispatcher).dispatch === 'function', {
          error: 'must be an undici Dispatcher',
        })
        .optional(),
    })
    .optional(),
  logger: z
    .custom<Logger>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        ['warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
      { error: 'must have warn() and error()' },
    )
    .optional(),
});

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) v = v == null ? undefined : (v as Record<PropertyKey, unknown>)[k];
  return v;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Validates `options` and fills every default. Throws InvalidOptionError naming the field and the value got. */
export function normalizeOptions(serverSecret: unknown, options: unknown = {}): NormalizedOptions {
  if (typeof serverSecret !== 'string') {
    throw new InvalidOptionError(
      `firstlight: the server secret must be a string (got ${describe(serverSecret)}); pass '' to run without a Statsig account`,
    );
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(`firstlight: options must be an object (got ${describe(options)})`);
  }
  for (const [old, replacement] of Object.entries(RENAMED)) {
    if (old in options) {
      throw new InvalidOptionError(`firstlight: option "${old}" is not supported, use "${replacement}" instead`);
    }
  }
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${fieldName([...issue.path, k])}"`).join(', ')}`;
      }
      const field = fieldName(issue.path);
      return `option "${field}" ${issue.message} (got ${describe(valueAt(options, issue.path))})`;
    });
    throw new InvalidOptionError(`firstlight: ${lines.join('; ')}`);
  }
  const o = parsed.data;
  const localMode = o.localMode ?? false;
  const hasSecret = serverSecret.length > 0;
  const dataStore = o.dataStore ?? null;
  const api = trimSlash(o.api ?? DEFAULT_API);
  const specsFile = o.specsFile ?? null;

  const available = new Set<SpecSourceName>();
  if (specsFile) available.add('file');
  if (o.bootstrapValues) available.add('bootstrap');
  if (dataStore) available.add('dataStore');
  if (hasSecret && !localMode) available.add('network');

  const initializeSources = o.initializeSources ?? defaultInitializeSources(available);
  const configSyncSources = o.configSyncSources ?? defaultSyncSources(available, dataStore);
  for (const [field, list] of [
    ['initializeSources', initializeSources],
    ['configSyncSources', configSyncSources],
  ] as const) {
    for (const name of list) {
      if (available.has(name)) continue;
      const why =
        name === 'network'
          ? localMode
            ? 'localMode makes no network requests'
            : 'it needs a server secret'
          : name === 'file'
            ? 'it needs specsFile'
            : name === 'bootstrap'
              ? 'it needs bootstrapValues'
              : 'it needs a dataStore';
      throw new InvalidOptionError(`firstlight: option "${field}" names "${name}", but ${why}`);
    }
  }

  if (!hasSecret && !localMode && available.size === 0) {
    // nothing could ever load specs: every check would answer its default without saying why
    throw new InvalidOptionError(
      'firstlight: without a server secret, give specsFile, bootstrapValues or dataStore (or localMode: true to serve defaults and overrides only)',
    );
  }

  const upstream = hasSecret && !localMode;
  const eventSinks = o.eventSinks ?? (upstream ? ['statsig'] : o.eventLogFile !== undefined ? ['file'] : []);
  if (eventSinks.includes('statsig') && !upstream) {
    throw new InvalidOptionError(
      `firstlight: option "eventSinks" names "statsig", but ${localMode ? 'localMode makes no network requests' : 'it needs a server secret'}`,
    );
  }
  if (eventSinks.includes('file') && o.eventLogFile === undefined) {
    throw new InvalidOptionError('firstlight: option "eventSinks" names "file", but it needs eventLogFile (the JSONL file to write)');
  }
  if ((o.logEventRetryBackoffMs ?? DEFAULT_LOG_EVENT_RETRY_BACKOFF_MS) > (o.logEventRetryMaxBackoffMs ?? DEFAULT_LOG_EVENT_RETRY_MAX_BACKOFF_MS)) {
    throw new InvalidOptionError('firstlight: option "logEventRetryBackoffMs" must not exceed "logEventRetryMaxBackoffMs"');
  }

  const env = o.environment;
  const environment =
    env === undefined ? null : typeof env === 'string' ? { tier: env } : (Object.freeze({ ...env }) as NormalizedOptions['environment']);

  // as in statsig-node 6.5.2: `api` is the default of every endpoint, download_config_specs included
  const dcsProxy = dcsProxyConfig(o.proxyConfigs);
  if (dcsProxy?.protocol === 'http' && o.apiForDownloadConfigSpecs !== undefined) {
    throw new InvalidOptionError('firstlight: give either apiForDownloadConfigSpecs or proxyConfigs.download_config_specs, not both');
  }
  const urls = Object.freeze({
    downloadConfigSpecs: trimSlash(
      dcsProxy?.protocol === 'http' ? dcsProxy.url : (o.apiForDownloadConfigSpecs ?? o.api ?? DEFAULT_API_FOR_DOWNLOAD_CONFIG_SPECS),
    ),
    getIdLists: trimSlash(o.apiForGetIdLists ?? api),
    logEvent: trimSlash(o.apiForLogEvent ?? api),
  });
  const fallbackFor = (used: string, statsig: string) => (o.fallbackToStatsigApi && used !== statsig ? statsig : null);

  return Object.freeze({
    serverSecret,
    environment,
    urls,
    dcsProxy,
    fallbackUrls: Object.freeze({
      downloadConfigSpecs: fallbackFor(urls.downloadConfigSpecs, DEFAULT_API_FOR_DOWNLOAD_CONFIG_SPECS),
      getIdLists: fallbackFor(urls.getIdLists, DEFAULT_API),
    }),
    initTimeoutMs: o.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS,
    rulesetsSyncIntervalMs: o.rulesetsSyncIntervalMs ?? DEFAULT_RULESETS_SYNC_INTERVAL_MS,
    idListsSyncIntervalMs: o.idListsSyncIntervalMs ?? DEFAULT_ID_LISTS_SYNC_INTERVAL_MS,
    localMode,
    bootstrapValues: o.bootstrapValues ?? null,
    specsFile: specsFile === null ? null : resolve(specsFile),
    idListsFile: o.idListsFile === undefined ? null : resolve(o.idListsFile),
    onRulesUpdated: (o.onRulesUpdated as NormalizedOptions['onRulesUpdated']) ?? null,
    dataStore,
    initializeSources: Object.freeze([...initializeSources]),
    configSyncSources: Object.freeze([...configSyncSources]),
    adaptiveSyncOrder: o.configSyncSources === undefined && dataStore !== null && available.has('network'),
    eventQueueSize: o.eventQueueSize ?? DEFAULT_EVENT_QUEUE_SIZE,
    flushIntervalMs: o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    retryQueueSize: o.retryQueueSize ?? DEFAULT_RETRY_QUEUE_SIZE,
    eventQueueMaxBytes: o.eventQueueMaxBytes ?? DEFAULT_EVENT_QUEUE_MAX_BYTES,
    eventSpoolDir: o.eventSpoolDir === undefined ? null : resolve(/*turbopackIgnore: true*/ o.eventSpoolDir),
    eventSpoolMaxBytes: o.eventSpoolMaxBytes ?? DEFAULT_EVENT_SPOOL_MAX_BYTES,
    logEventRetryLimit: o.logEventRetryLimit ?? DEFAULT_LOG_EVENT_RETRY_LIMIT,
    logEventRetryBackoffMs: o.logEventRetryBackoffMs ?? DEFAULT_LOG_EVENT_RETRY_BACKOFF_MS,
    logEventRetryMaxBackoffMs: o.logEventRetryMaxBackoffMs ?? DEFAULT_LOG_EVENT_RETRY_MAX_BACKOFF_MS,
    exposureDedupeMaxKeys: o.exposureDedupeMaxKeys ?? DEFAULT_EXPOSURE_DEDUPE_MAX_KEYS,
    exposureDedupeWindowMs: o.exposureDedupeWindowMs ?? DEFAULT_EXPOSURE_DEDUPE_WINDOW_MS,
    disableAllLogging: o.disableAllLogging ?? false,
    // the path is the user's choice at run time; bundlers must not trace the project for it
    eventLogFile: o.eventLogFile === undefined ? null : resolve(/*turbopackIgnore: true*/ o.eventLogFile),
    eventSinks: Object.freeze([...eventSinks]),
    onEvaluation: (o.onEvaluation as NormalizedOptions['onEvaluation']) ?? null,
    http: Object.freeze({
      connectTimeoutMs: o.http?.connectTimeoutMs ?? 3_000,
      headersTimeoutMs: o.http?.headersTimeoutMs ?? 5_000,
      bodyTimeoutMs: o.http?.bodyTimeoutMs ?? 10_000,
      keepAliveTimeoutMs: o.http?.keepAliveTimeoutMs ?? 10_000,
      maxRetries: o.http?.maxRetries ?? 2,
      retryBackoffMs: o.http?.retryBackoffMs ?? 200,
      dispatcher: o.http?.dispatcher ?? null,
    }),
    logger: o.logger ?? consoleLogger,
  });
}

/** Bootstrap first (instant), then the shared store, then the network, then a local file. */
function defaultInitializeSources(available: ReadonlySet<SpecSourceName>): SpecSourceName[] {
  return (['bootstrap', 'dataStore', 'network', 'file'] as const).filter((s) => available.has(s));
}

/**
 * A follower (its store says to poll it) syncs from the store and falls back to the network; a writer
 * syncs from the network and falls back to what another writer stored. A file is re-read when it
 * changes. A bootstrap string never changes. (With a store and the network both available the order is
 * decided again every round: see adaptiveSyncOrder.)
 */
function defaultSyncSources(available: ReadonlySet<SpecSourceName>, store: DataStore | null): SpecSourceName[] {
  const follower = store?.supportsPollingUpdatesFor?.('/v1/download_config_specs') === true;
  const order: SpecSourceName[] = follower ? ['dataStore', 'network', 'file'] : ['network', 'dataStore', 'file'];
  return order.filter((s) => available.has(s));
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, '');
}
