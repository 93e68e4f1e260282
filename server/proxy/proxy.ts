/**
 * The forward proxy: a node:http server in front of Statsig for a fleet of server SDKs.
 *
 *   GET  /v1/download_config_specs/<sdkKey>.json[?sinceTime=<lcut>]   cached specs (gzip/br, ETag/304,
 *        {"has_updates":false} when the caller is current; 401/403 when upstream refuses the key)
 *   GET  /v2/download_config_specs/<sdkKey>.json[?sinceTime=&supports_proto=]  the same for DCS v2 (JSON)
 *   POST /v1/get_id_lists                                            manifest with URLs to this proxy
 *   GET  /v1/id_list_file/<token>/<fileID>                           list file, Range supported
 *   POST /v1/log_event                                               queued, batched, retried upstream
 *   GET  /health, GET /metrics                                       JSON health, Prometheus text
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dataKeyLabel } from '../fleet/keys';
import { RedisDataStore } from '../fleet/redis-data-store';
import type { DcsVersion } from './specs/cached-specs';
import type { KeySync } from './specs/key-sync';
import { SpecCache } from './specs/spec-cache';
import { startGrpcServer, type GrpcFrontEnd } from './grpc/grpc-server';
import { IdListCache } from './id-lists';
import { LogEventForwarder } from './log-events';
import { Registry } from './metrics';
import { type ProxyOptions, type ProxyOptionsInput, resolveProxyOptions } from './options';
import { Upstream } from './upstream';
import { BodyError, parseJsonBody, readBody as readRequestBody } from './request-body';
import { isSdkKey } from './sdk-key';

const DCS_PREFIX: Record<DcsVersion, string> = { v1: '/v1/download_config_specs/', v2: '/v2/download_config_specs/' };
const NO_UPDATES = Buffer.from('{"has_updates":false}');
const JSON_TYPE = 'application/json; charset=utf-8';
/** The key states /health has always reported. */
const HEALTH_STATE = { verifying: 'pending', ok: 'ok', refused: 'unauthorized', unavailable: 'error' } as const;

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
  grpc: { port: number; tls: GrpcFrontEnd['tls']; openStreams: number; maxStreams: number } | null;
}

export interface ForwardProxy {
  readonly url: string;
  readonly port: number;
  readonly options: ProxyOptions;
  readonly server: Server;
  /**
   * The per-key spec cache: `specs.onSpecs(({ sdkKey, version, lcut, body }) => …)` hears every new
   * lcut of every key (from upstream or the shared store); `specs.lookup(key, 'v1' | 'v2')` verifies
   * and returns a key's sync (its `state`: ok with specs, refused with upstream's status, …).
   */
  readonly specs: SpecCache;
  /** The gRPC port (`--mode grpc` or `grpc-and-http`), else null. */
  readonly grpcPort: number | null;
  health(): ProxyHealth;
  metricsText(): string;
  stop(timeoutMs?: number): Promise<void>;
}

type Log = (level: 'debug' | 'info' | 'warn', msg: string) => void;

export async function startProxy(input: ProxyOptionsInput = {}, logger: Pick<Console, 'log' | 'warn'> = console): Promise<ForwardProxy> {
  const o = resolveProxyOptions(input);
  const started = Date.now();
  const log: Log = (level, msg) => {
    if (level === 'debug' && !o.debug) return;
    (level === 'warn' ? logger.warn : logger.log)(`[firstlight proxy] ${msg}`);
  };

  const reg = new Registry();
  const requests = reg.counter('firstlight_proxy_requests_total', 'HTTP requests served, by route and status');
  const upstreamMetrics = {
    latency: reg.histogram('firstlight_proxy_upstream_request_duration_seconds', 'Upstream request latency'),
    requests: reg.counter('firstlight_proxy_upstream_requests_total', 'Upstream requests, by endpoint and status'),
    errors: reg.counter('firstlight_proxy_upstream_errors_total', 'Upstream failures, by endpoint and kind'),
  };
  const polls = reg.counter('firstlight_proxy_upstream_polls_total', 'download_config_specs polls sent upstream');
  const installs = reg.counter('firstlight_proxy_specs_installed_total', 'New specs installed, by origin');
  const rejected = reg.counter('firstlight_proxy_specs_rejected_total', 'Payloads refused, by origin and reason');
  const evictions = reg.counter('firstlight_proxy_sdk_key_evictions_total', 'SDK keys evicted to stay under --max-sdk-keys');
  const verificationsRefused = reg.counter('firstlight_proxy_key_verifications_refused_total', 'New SDK keys answered 503 because --max-key-verifications-per-minute was spent');
  const leCounters = {
    received: reg.counter('firstlight_proxy_log_events_received_total', 'Events accepted on /v1/log_event'),
    sent: reg.counter('firstlight_proxy_log_events_sent_total', 'Events delivered upstream'),
    dropped: reg.counter('firstlight_proxy_log_events_dropped_total', 'Events dropped, by reason'),
  };

  const upstream = new Upstream(o.upstream, o.upstreamV2, o.upstreamApi, o.upstreamTimeoutMs, upstreamMetrics);
  let cache: SpecCache | null = null;
  let store: RedisDataStore | null = null;
  if (o.cache === 'redis') {
    store = new RedisDataStore({
      url: o.redisUrl,
      keyPrefix: o.redisKeyPrefix,
      role: 'writer',
      leaseTtlMs: o.redisLeaderTtlMs,
      cacheTtlMs: o.redisCacheTtlMs,
      safetyPollMs: Math.max(1000, o.pollingIntervalMs),
      onLeaderChange: (key, leader) => {
        log('info', `${leader ? 'now' : 'no longer'} the writer for key ${dataKeyLabel(key)}`);
        if (leader) void cache?.onLeaderGained(key);
      },
      onConnectionChange: (up) => log(up ? 'info' : 'warn', up ? 'Redis connected' : 'Redis connection lost; serving from memory and polling upstream directly'),
      logger: { warn: (m: string) => log('warn', m) },
    });
    await store.initialize();
  }
  cache = new SpecCache({ options: o, upstream, store, counters: { polls, installs, rejected, evictions, verificationsRefused }, log });
  const dcs = cache;
  const idLists = new IdListCache(upstream, o.idListsIntervalMs, log);
  const logEvents = new LogEventForwarder(upstream, o, leCounters, log);
  const grpc = o.mode === 'http' ? null : await startGrpcServer({ options: o, specs: dcs, registry: reg, log });

  reg.gauge('firstlight_proxy_sdk_keys', 'SDK keys being served', () => [[undefined, dcs.size]]);
  reg.gauge('firstlight_proxy_cache_age_seconds', 'Seconds since the cached specs of a key were last confirmed current', () =>
    [...dcs.keys()]
      .filter((e) => e.specs)
      .map((e) => [{ key: e.label }, (Date.now() - e.confirmedAt) / 1000] as [Record<string, string>, number]),
  );
  reg.gauge('firstlight_proxy_cache_lcut', 'lcut (time) of the cached specs per key', () =>
    [...dcs.keys()].filter((e) => e.specs).map((e) => [{ key: e.label }, e.specs!.lcut] as [Record<string, string>, number]),
  );
  reg.gauge('firstlight_proxy_key_leader', '1 when this proxy holds the writer lease for the key', () =>
    [...dcs.keys()].map((e) => [{ key: e.label }, e.isLeader() ? 1 : 0] as [Record<string, string>, number]),
  );
  reg.gauge('firstlight_proxy_leader', '1 when this proxy polls upstream for at least one key (redis: holds a lease; local: always)', () => [
    [undefined, o.cache === 'local' ? 1 : [...dcs.keys()].some((e) => e.isLeader()) ? 1 : 0],
  ]);
  reg.gauge('firstlight_proxy_redis_connected', '1 when connected to Redis (cache=redis)', () => [
    [undefined, store ? (store.connected ? 1 : 0) : 0],
  ]);
  reg.gauge('firstlight_proxy_log_event_queue_depth', 'Events waiting to be sent upstream', () => [[undefined, logEvents.depth]]);

  const count = (route: string, status: number) => requests.inc({ route, status: String(status) });

  function sendJson(res: ServerResponse, route: string, status: number, o: unknown): void {
    const body = Buffer.from(JSON.stringify(o));
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': body.length });
    res.end(body);
    count(route, status);
  }

  function serveDcs(req: IncomingMessage, res: ServerResponse, e: KeySync, query: string): void {
    const state = e.state;
    if (state.kind === 'refused') return sendJson(res, 'dcs', state.status, { error: `upstream refused this key (${state.status})` });
    const s = state.specs;
    if (!s) return sendJson(res, 'dcs', 503, { error: 'specs unavailable: upstream unreachable and nothing cached for this key' });
    const since = query ? sinceTimeOf(query) : 0;
    if (since >= s.lcut && since > 0) {
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': NO_UPDATES.length });
      res.end(NO_UPDATES);
      return count('dcs', 200);
    }
    const enc = pickEncoding(req.headers['accept-encoding']);
    const etag = enc === 'br' ? s.etagBr : enc === 'gzip' ? s.etagGz : s.etag;
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && (inm === etag || inm.split(',').some((t) => t.trim() === etag))) {
      res.writeHead(304, { etag, vary: 'Accept-Encoding' });
      res.end();
      return count('dcs', 304);
    }
    const body = enc === 'br' ? s.br : enc === 'gzip' ? s.gz : s.body;
    const headers: Record<string, string | number> = {
      'content-type': JSON_TYPE,
      'content-length': body.length,
      etag,
      vary: 'Accept-Encoding',
      'cache-control': 'no-cache',
    };
    if (enc !== 'identity') headers['content-encoding'] = enc;
    res.writeHead(200, headers);
    res.end(body);
    count('dcs', 200);
  }

  const readBody = (req: IncomingMessage) => readRequestBody(req, o.maxBodyBytes);

  /** The SDK key of an API request: null when absent, 'invalid' outside the SDK-key alphabet. */
  function apiKeyOf(req: IncomingMessage): string | null | 'invalid' {
    const k = req.headers['statsig-api-key'];
    if (typeof k !== 'string' || k.length === 0) return null;
    return isSdkKey(k) ? k : 'invalid';
  }

  function publicBase(req: IncomingMessage): string {
    return o.publicUrl?.replace(/\/+$/, '') ?? `http://${req.headers.host ?? `${o.host}:${o.port}`}`;
  }

  async function handleSlow(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    const method = req.method ?? 'GET';
    const version = dcsVersionOf(path);
    if (version && (method === 'GET' || method === 'HEAD')) {
      const key = sdkKeyFromPath(path, version);
      if (!key) return sendJson(res, 'dcs', 400, { error: 'missing SDK key' });
      if (!isSdkKey(key)) return sendJson(res, 'dcs', 400, { error: 'invalid SDK key: letters, digits, "-" and "_" only' });
      const e = await dcs.lookup(key, version);
      if ('refused' in e) {
        if (e.refused === 'too-many-keys') return sendJson(res, 'dcs', 503, { error: 'too many SDK keys (--max-sdk-keys)' });
        res.setHeader('retry-after', String(e.retryAfterSeconds));
        return sendJson(res, 'dcs', 503, { error: 'too many new SDK keys this minute (--max-key-verifications-per-minute)' });
      }
      return serveDcs(req, res, e, query);
    }
    if (path === '/v1/get_id_lists' && method === 'POST') {
      await readBody(req).catch(() => Buffer.alloc(0));
      const key = apiKeyOf(req);
      if (!key) return sendJson(res, 'get_id_lists', 401, { error: 'missing STATSIG-API-KEY' });
      if (key === 'invalid') return sendJson(res, 'get_id_lists', 400, { error: 'invalid STATSIG-API-KEY' });
      const a = await idLists.manifest(key, publicBase(req));
      res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
      res.end(a.body);
      return count('get_id_lists', a.status);
    }
    if (path.startsWith('/v1/id_list_file/') && (method === 'GET' || method === 'HEAD')) {
      const [token, fileID] = path.slice('/v1/id_list_file/'.length).split('/');
      if (!token || !fileID) return sendJson(res, 'id_list_file', 404, { error: 'not found' });
      const range = req.headers.range;
      const a = await idLists.file(token, decodeURIComponent(fileID), typeof range === 'string' ? range : undefined);
      res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
      res.end(method === 'HEAD' ? undefined : a.body);
      return count('id_list_file', a.status);
    }
    if (path === '/v1/log_event' && method === 'POST') {
      const key = apiKeyOf(req);
      if (!key) return sendJson(res, 'log_event', 401, { error: 'missing STATSIG-API-KEY' });
      if (key === 'invalid') return sendJson(res, 'log_event', 400, { error: 'invalid STATSIG-API-KEY' });
      let body: { events?: unknown; statsigMetadata?: unknown };
      try {
        body = parseJsonBody(await readBody(req), o.maxJsonDepth) as typeof body;
      } catch (err) {
        if (!(err instanceof BodyError)) throw err;
        return sendJson(res, 'log_event', err.status, { error: err.message });
      }
      if (typeof body !== 'object' || body === null || !Array.isArray(body.events)) {
        return sendJson(res, 'log_event', 400, { error: 'expected {"events": [...]}' });
      }
      if (!logEvents.enqueue(key, body)) {
        res.setHeader('retry-after', String(Math.max(1, Math.ceil(o.logEventFlushIntervalMs / 1000))));
        return sendJson(res, 'log_event', 503, { error: 'event queue full, retry later' });
      }
      return sendJson(res, 'log_event', 202, { success: true });
    }
    if (path === '/health' && method === 'GET') {
      const h = health();
      return sendJson(res, 'health', 200, h);
    }
    if (path === '/metrics' && method === 'GET') {
      const body = Buffer.from(reg.render());
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': body.length });
      res.end(body);
      return count('metrics', 200);
    }
    return sendJson(res, 'other', 404, { error: 'not found' });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    // --mode grpc: the HTTP port only reports on the proxy
    if (o.mode === 'grpc' && path !== '/health' && path !== '/metrics') return sendJson(res, 'other', 404, { error: 'not found (--mode grpc)' });
    // hot path: a known key with settled specs is answered synchronously
    const version = req.method === 'GET' ? dcsVersionOf(path) : null;
    if (version) {
      const key = sdkKeyFromPath(path, version);
      const e = key ? dcs.peek(key, version) : undefined;
      if (e) return serveDcs(req, res, e, query);
    }
    handleSlow(req, res, path, query).catch((err: unknown) => {
      log('warn', `request failed: ${(err as Error).message}`);
      if (!res.headersSent) sendJson(res, 'error', 500, { error: 'internal error' });
      else res.destroy();
    });
  }

  function health(): ProxyHealth {
    const now = Date.now();
    const keys = [...dcs.keys()].map((e) => ({
      key: e.label,
      state: HEALTH_STATE[e.state.kind],
      lcut: e.specs?.lcut ?? null,
      ageMs: e.specs ? now - e.confirmedAt : null,
      leader: o.cache === 'local' ? true : e.isLeader(),
      from: e.specs?.from ?? null,
      lastError: e.lastError,
    }));
    const redis = store?.health() ?? null;
    // a refusal is upstream's verdict on one key (made-up keys are common), not a fault of the proxy
    const degraded = (redis?.degraded ?? false) || [...dcs.keys()].some((e) => e.state.kind === 'unavailable' || (e.state.kind === 'ok' && e.state.error !== null));
    return {
      status: degraded ? 'degraded' : 'ok',
      cache: o.cache,
      uptimeMs: now - started,
      redis,
      leaderOf: keys.filter((k) => k.leader).map((k) => k.key),
      keys,
      logEvents: {
        queued: logEvents.depth,
        received: leCounters.received.total(),
        sent: leCounters.sent.total(),
        dropped: leCounters.dropped.total(),
      },
      grpc: grpc ? { port: grpc.port, tls: grpc.tls, openStreams: grpc.openStreams, maxStreams: o.grpcMaxConcurrentStreams } : null,
    };
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await grpc?.stop();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  log('info', `listening on ${url} (cache=${o.cache}, mode=${o.mode}, polling every ${o.pollingIntervalMs} ms)`);

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    options: o,
    server,
    specs: dcs,
    grpcPort: grpc?.port ?? null,
    health,
    metricsText: () => reg.render(),
    stop(timeoutMs = 5000) {
      stopping ??= (async () => {
        dcs.stop();
        await grpc?.stop();
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await logEvents.stop(timeoutMs);
        await store?.shutdown();
        server.closeAllConnections();
        await closed;
        await upstream.close();
      })();
      return stopping;
    },
  };
}

function dcsVersionOf(path: string): DcsVersion | null {
  return path.startsWith(DCS_PREFIX.v1) ? 'v1' : path.startsWith(DCS_PREFIX.v2) ? 'v2' : null;
}

/** br when the client takes it, else gzip, else identity (q-values are not weighed: SDKs send none). */
function pickEncoding(ae: string | string[] | undefined): 'br' | 'gzip' | 'identity' {
  if (typeof ae !== 'string') return 'identity';
  const tokens = ae.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  return tokens.includes('br') ? 'br' : tokens.includes('gzip') ? 'gzip' : 'identity';
}

function sdkKeyFromPath(path: string, version: DcsVersion): string | null {
  let k = path.slice(DCS_PREFIX[version].length);
  if (k.endsWith('.json')) k = k.slice(0, -5);
  if (!k || k.includes('/')) return null;
  try {
    return decodeURIComponent(k);
  } catch {
    return null;
  }
}

function sinceTimeOf(query: string): number {
  const i = query.indexOf('sinceTime=');
  if (i < 0) return 0;
  const n = Number.parseInt(query.slice(i + 10), 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
