/**
 * The proxy's gRPC front-end: Statsig's Forward Proxy protocol (statsig_forward_proxy.StatsigForwardProxy)
 * over @grpc/grpc-js, on the same per-key spec cache as the HTTP routes.
 *
 *   getConfigSpec      one answer: the key's specs (v1 or v2 JSON) or {"has_updates":false} when sinceTime is current
 *   StreamConfigSpec   the same first message, then the full specs at every newer lcut the proxy learns (from its
 *                      own poll or the fleet's Redis announcement), {"has_updates":false} after a quiet spell
 *   grpc.health.v1.Health/Check   SERVING while open streams are at most 90% of the limit (as Statsig's proxy)
 *
 * PERMISSION_DENIED for a key upstream refuses, RESOURCE_EXHAUSTED past the stream limit or --max-sdk-keys,
 * INVALID_ARGUMENT for a bad key or an unknown version; requests over MAX_REQUEST_BYTES are refused by
 * grpc-js itself before they are decoded.
 */
import { readFileSync } from 'node:fs';
import type {
  ServerCredentials,
  status,
  sendUnaryData,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { InvalidOptionError } from '../../../lib/errors';
import type { DcsVersion } from '../specs/cached-specs';
import { keySyncId, type KeySync } from '../specs/key-sync';
import type { SpecCache } from '../specs/spec-cache';
import type { Registry } from '../metrics';
import type { ProxyOptions } from '../options';
import { isSdkKey } from '../sdk-key';
import { loadGrpcModules } from './grpc-modules';
import { loadProtocol, SERVING_STATUS, type ConfigSpecRequestMessage, type ConfigSpecResponseMessage } from './proto';
import type { HubStats } from './stats';
import { StreamHub } from './stream-hub';

/** A ConfigSpecRequest is a key and two numbers; anything near this size is not one. */
const MAX_REQUEST_BYTES = 16 * 1024;
/** Health/Check turns NOT_SERVING above this share of the stream limit (Statsig's proxy uses 90%). */
const READY_SHARE = 0.9;
const SERVICE_NAME = 'statsig_forward_proxy.StatsigForwardProxy';

export interface GrpcFrontEnd {
  readonly port: number;
  readonly url: string;
  readonly tls: 'none' | 'tls' | 'mtls';
  readonly openStreams: number;
  stats(): HubStats;
  stop(): Promise<void>;
}

export interface GrpcServerDeps {
  readonly options: ProxyOptions;
  readonly specs: SpecCache;
  readonly registry: Registry;
  readonly log: (level: 'debug' | 'info' | 'warn', msg: string) => void;
}

type Failure = { code: status; details: string };

interface Resolved {
  key: KeySync;
  specs: NonNullable<KeySync['specs']>;
  sinceTime: number;
}

export async function startGrpcServer(d: GrpcServerDeps): Promise<GrpcFrontEnd> {
  const o = d.options;
  const { grpc } = await loadGrpcModules();
  const { status, Server } = grpc;
  const { proxyService, healthService } = await loadProtocol();
  const requests = d.registry.counter('firstlight_proxy_grpc_requests_total', 'gRPC calls, by method and status code');
  const pushes = d.registry.counter('firstlight_proxy_grpc_pushes_total', 'Messages pushed on open streams, by kind (full, keepalive)');
  const superseded = d.registry.counter('firstlight_proxy_grpc_superseded_total', 'Pushes replaced by a newer one before a slow stream took them');
  const stuck = d.registry.counter('firstlight_proxy_grpc_stuck_streams_closed_total', 'Streams ended because their client stopped reading');
  const refusedClosed = d.registry.counter('firstlight_proxy_grpc_refused_streams_closed_total', 'Streams ended with PERMISSION_DENIED because upstream refused their key after they opened');
  const latency = d.registry.histogram(
    'firstlight_proxy_grpc_push_latency_seconds',
    "From receiving a new lcut's payload (upstream or the shared store) to handing it to every open stream of the key",
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  );
  const encodeResponse = (proxyService.StreamConfigSpec!.responseSerialize as (m: ConfigSpecResponseMessage) => Buffer);
  const hub = new StreamHub({
    keepaliveMs: o.grpcKeepaliveMs,
    stuckAfterMs: o.grpcStuckStreamMs,
    encode: encodeResponse,
    now: () => performance.now(),
    counters: {
      pushed: (kind, n) => n > 0 && pushes.inc({ kind }, n),
      superseded: () => superseded.inc(),
      closedStuck: () => stuck.inc(),
      closedRefused: (n) => refusedClosed.inc(undefined, n),
      pushLatency: (s) => latency.observe(s),
    },
  });
  d.registry.gauge('firstlight_proxy_grpc_streams', 'StreamConfigSpec streams open now', () => [[undefined, hub.open]]);
  d.registry.gauge('firstlight_proxy_grpc_max_streams', 'The stream limit (--grpc-max-concurrent-streams)', () => [[undefined, o.grpcMaxConcurrentStreams]]);

  const unsubscribe = d.specs.onSpecs((u) => hub.publish(keySyncId(u.sdkKey, u.version), u, u.learnedAt));
  // a key refused after its streams opened: they end as a new stream of it would be answered
  const unsubscribeRefused = d.specs.onRefused((r) => {
    const n = hub.endGroup(keySyncId(r.sdkKey, r.version), 'Unauthorized');
    if (n > 0) d.log('info', `ended ${n} stream${n === 1 ? '' : 's'} of a key upstream now refuses (${r.status})`);
  });

  async function resolve(req: ConfigSpecRequestMessage): Promise<Resolved | Failure> {
    const key = req.sdkKey;
    if (typeof key !== 'string' || key.length === 0) return { code: status.INVALID_ARGUMENT, details: 'missing sdkKey' };
    if (!isSdkKey(key)) return { code: status.INVALID_ARGUMENT, details: 'invalid sdkKey: letters, digits, "-" and "_" only' };
    const version = versionOf(req.version);
    if (!version) return { code: status.INVALID_ARGUMENT, details: `unsupported version ${String(req.version)} (this proxy serves v1 and v2)` };
    const k = await d.specs.lookup(key, version);
    if ('refused' in k) {
      if (k.refused === 'too-many-keys') return { code: status.RESOURCE_EXHAUSTED, details: 'too many SDK keys (--max-sdk-keys)' };
      return { code: status.UNAVAILABLE, details: `too many new SDK keys to verify; retry in ${k.retryAfterSeconds} s` };
    }
    const state = k.state;
    if (state.kind === 'refused') return { code: status.PERMISSION_DENIED, details: 'Unauthorized' };
    if (!state.specs) return { code: status.UNAVAILABLE, details: 'specs unavailable: upstream unreachable and nothing cached for this key' };
    return { key: k, specs: state.specs, sinceTime: sinceTimeOf(req.sinceTime) };
  }

  const count = (method: string, code: status) => requests.inc({ method, code: status[code] ?? String(code) });

  const impl: UntypedServiceImplementation = {
    getConfigSpec(call: ServerUnaryCall<ConfigSpecRequestMessage, Buffer>, callback: sendUnaryData<Buffer>) {
      resolve(call.request).then(
        (r) => {
          if ('code' in r) {
            count('getConfigSpec', r.code);
            return callback(r);
          }
          const enc = hub.encodedFor(r.key.id, r.specs);
          const current = r.sinceTime > 0 && r.sinceTime >= enc.lcut;
          count('getConfigSpec', status.OK);
          callback(null, current ? enc.noUpdates : enc.full);
        },
        (err: unknown) => {
          d.log('warn', `getConfigSpec failed: ${(err as Error).message}`);
          count('getConfigSpec', status.INTERNAL);
          callback({ code: status.INTERNAL, details: 'internal error' });
        },
      );
    },
    StreamConfigSpec(call: ServerWritableStream<ConfigSpecRequestMessage, Buffer>) {
      const release = hub.reserve();
      const refuse = (f: Failure) => {
        release();
        count('StreamConfigSpec', f.code);
        call.emit('error', f);
      };
      if (hub.open > o.grpcMaxConcurrentStreams) return refuse({ code: status.RESOURCE_EXHAUSTED, details: 'Max concurrent streams reached' });
      call.once('cancelled', release);
      resolve(call.request).then(
        (r) => {
          if ('code' in r) return refuse(r);
          if (call.cancelled) return release();
          count('StreamConfigSpec', status.OK);
          hub.attach(r.key.id, call, r.specs, r.sinceTime, release);
        },
        (err: unknown) => {
          d.log('warn', `StreamConfigSpec failed: ${(err as Error).message}`);
          refuse({ code: status.INTERNAL, details: 'internal error' });
        },
      );
    },
  };

  const health: UntypedServiceImplementation = {
    Check(call: ServerUnaryCall<{ service?: string }, unknown>, callback: sendUnaryData<unknown>) {
      const service = call.request.service ?? '';
      if (service !== '' && service !== SERVICE_NAME) return callback({ code: status.NOT_FOUND, details: 'unknown service' });
      const serving = hub.open <= o.grpcMaxConcurrentStreams * READY_SHARE;
      callback(null, { status: serving ? SERVING_STATUS.SERVING : SERVING_STATUS.NOT_SERVING });
    },
    Watch(call: ServerWritableStream<unknown, unknown>) {
      call.emit('error', { code: status.UNIMPLEMENTED, details: 'Watch is not implemented; use Check' });
    },
  };

  const server = new Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    'grpc.max_send_message_length': -1,
    // dead peers are found by HTTP/2 pings; SDKs that ping every 30 s (the server core does) are welcome
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
  server.addService(passBuffers(proxyService), impl);
  server.addService(healthService, health);

  const { credentials, tls } = serverCredentials(o, grpc.ServerCredentials);
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync(`${host}:${o.grpcPort}`, credentials, (err, p) => (err ? rej(err) : res(p))),
  );
  d.log('info', `gRPC listening on ${host}:${port} (${tls === 'none' ? 'plaintext' : tls}, at most ${o.grpcMaxConcurrentStreams} streams)`);

  return {
    port,
    url: `${host}:${port}`,
    tls,
    get openStreams() {
      return hub.open;
    },
    stats: () => hub.stats(),
    stop() {
      unsubscribe();
      unsubscribeRefused();
      hub.closeAll();
      return new Promise<void>((r) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          r();
        }, 2000);
        t.unref();
        server.tryShutdown(() => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
}

/** The service with its responses passed through when already encoded (one encoding shared by every stream). */
function passBuffers(service: ServiceDefinition): ServiceDefinition {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(service)) {
    const serialize = m.responseSerialize as (v: unknown) => Buffer;
    out[name] = { ...m, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serialize(v)) };
  }
  return out as ServiceDefinition;
}

function serverCredentials(o: ProxyOptions, ServerCredentials: typeof import('@grpc/grpc-js').ServerCredentials): { credentials: ServerCredentials; tls: GrpcFrontEnd['tls'] } {
  if (!o.grpcTlsCertPath || !o.grpcTlsKeyPath) return { credentials: ServerCredentials.createInsecure(), tls: 'none' };
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      // the path is the operator's own configuration; the reason is enough (no file contents)
      throw new InvalidOptionError(`cannot read the gRPC ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const cert = read('TLS certificate', o.grpcTlsCertPath);
  const key = read('TLS key', o.grpcTlsKeyPath);
  const ca = o.grpcTlsClientCaPath ? read('client CA', o.grpcTlsClientCaPath) : null;
  try {
    return {
      credentials: ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null),
      tls: ca ? 'mtls' : 'tls',
    };
  } catch (err) {
    throw new InvalidOptionError(`invalid gRPC TLS material: ${(err as Error).message}`);
  }
}

/** no_version (0) and unset mean v1, as Statsig's proxy reads them. */
function versionOf(v: number | undefined): DcsVersion | null {
  if (v === undefined || v === 0 || v === 1) return 'v1';
  if (v === 2) return 'v2';
  return null;
}

/** uint64 arrives as a decimal string; beyond a double's exact range it is simply "later than any lcut". */
function sinceTimeOf(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
