/**
 * The forward proxy: a node:http server in front of Statsig for a fleet of server SDKs. It wires the
 * parts (the per-key spec cache, ID lists, log_event forwarding, the shared store) and serves the
 * route table (./routes, one module per endpoint):
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
import { startGrpcServer } from './grpc/grpc-server';
import { proxyHealth, type ProxyHealth } from './health';
import { IdListCache } from './id-lists';
import { LogEventForwarder } from './log-events';
import { type ProxyOptions, type ProxyOptionsInput, redisTlsOf, resolveProxyOptions } from './options';
import { createProxyMetrics, registerGauges } from './proxy-metrics';
import { downloadConfigSpecsRoute } from './routes/download-config-specs';
import { healthRoute, metricsRoute } from './routes/health';
import { getIdListsRoute, idListFileRoute } from './routes/id-lists';
import { logEventRoute } from './routes/log-event';
import { sendJson, type Route, type RouteContext, type RouteRequest } from './routes/route';
import { SpecCache } from './specs/spec-cache';
import { Upstream } from './upstream';

export type { ProxyHealth } from './health';

/** Every endpoint, tried in order. */
const ROUTES: readonly Route[] = [downloadConfigSpecsRoute, getIdListsRoute, idListFileRoute, logEventRoute, healthRoute, metricsRoute];

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

async function openStore(o: ProxyOptions, log: Log, onLeaderGained: (dataKey: string) => void): Promise<RedisDataStore> {
  const store = new RedisDataStore({
    url: o.redisUrl,
    ...(redisTlsOf(o) ? { tls: redisTlsOf(o)! } : {}),
    keyPrefix: o.redisKeyPrefix,
    role: 'writer',
    leaseTtlMs: o.redisLeaderTtlMs,
    cacheTtlMs: o.redisCacheTtlMs,
    safetyPollMs: Math.max(1000, o.pollingIntervalMs),
    onLeaderChange: (key, leader) => {
      log('info', `${leader ? 'now' : 'no longer'} the writer for key ${dataKeyLabel(key)}`);
      if (leader) onLeaderGained(key);
    },
    onConnectionChange: (up) => log(up ? 'info' : 'warn', up ? 'Redis connected' : 'Redis connection lost; serving from memory and polling upstream directly'),
    logger: { warn: (m: string) => log('warn', m) },
  });
  await store.initialize();
  return store;
}

export async function startProxy(input: ProxyOptionsInput = {}, logger: Pick<Console, 'log' | 'warn'> = console): Promise<ForwardProxy> {
  const o = resolveProxyOptions(input);
  const startedAt = Date.now();
  const log: Log = (level, msg) => {
    if (level === 'debug' && !o.debug) return;
    (level === 'warn' ? logger.warn : logger.log)(`[firstlight proxy] ${msg}`);
  };

  const m = createProxyMetrics();
  const upstream = new Upstream({ dcsBase: o.upstream, dcsV2Base: o.upstreamV2, apiBase: o.upstreamApi, timeoutMs: o.upstreamTimeoutMs }, m.upstream);
  let specs: SpecCache | null = null;
  const store = o.cache === 'redis' ? await openStore(o, log, (key) => void specs?.onLeaderGained(key).catch(() => {})) : null;
  specs = new SpecCache({ options: o, upstream, store, counters: m.specs, log });
  const idLists = new IdListCache(upstream, o.idListsIntervalMs, log);
  const logEvents = new LogEventForwarder(upstream, o, m.logEvents, log);
  registerGauges(m.reg, { cache: o.cache, specs, store, logEvents });
  const grpc = o.mode === 'http' ? null : await startGrpcServer({ options: o, specs, registry: m.reg, log });

  const cache = specs;
  const health = () =>
    proxyHealth({
      cache: o.cache,
      startedAt,
      specs: cache,
      store,
      logEvents,
      counters: m.logEvents,
      grpc: grpc ? { port: grpc.port, tls: grpc.tls, maxStreams: o.grpcMaxConcurrentStreams, ...grpc.stats() } : null,
    });
  // one increment per answer on the hot path: the label text of each (route, status) is made once
  const counts = new Map<string, Map<number, () => void>>();
  function count(route: string, status: number): void {
    let byStatus = counts.get(route);
    if (!byStatus) counts.set(route, (byStatus = new Map()));
    let inc = byStatus.get(status);
    if (!inc) byStatus.set(status, (inc = m.requests.bound({ route, status: String(status) })));
    inc();
  }
  const ctx: RouteContext = {
    options: o,
    specs,
    idLists,
    logEvents,
    count,
    health,
    metricsText: () => m.reg.render(),
  };

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const method = req.method ?? 'GET';
    const r: RouteRequest = { req, res, method, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1) };
    // --mode grpc: the HTTP port only reports on the proxy
    if (o.mode === 'grpc' && r.path !== '/health' && r.path !== '/metrics') return sendJson(ctx, r, 'other', 404, { error: 'not found (--mode grpc)' });
    const route = ROUTES.find((x) => x.matches(method, r.path));
    if (!route) return sendJson(ctx, r, 'other', 404, { error: 'not found' });
    // hot path: a known key with settled specs is answered synchronously
    if (route.tryFast?.(ctx, r)) return;
    Promise.resolve()
      .then(() => route.handle(ctx, r))
      .catch((err: unknown) => {
        log('warn', `request failed: ${(err as Error).message}`);
        if (!res.headersSent) sendJson(ctx, r, 'error', 500, { error: 'internal error' });
        else res.destroy();
      });
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
    specs,
    grpcPort: grpc?.port ?? null,
    health,
    metricsText: () => m.reg.render(),
    stop(timeoutMs = 5000) {
      stopping ??= (async () => {
        cache.stop();
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
