/**
 * The `proxyConfigs` SDK option, in the shape of Statsig's SDKs (`proxy_configs` of the Python SDK):
 * per endpoint, how to reach a forward proxy. Only download_config_specs can stream (`grpc_websocket`).
 */
import { z } from 'zod';
import type { AssertSame, Check } from '../../lib/type-assert';

/** `proxyConfigs.download_config_specs`, in the shape of Statsig's SDKs. */
export interface ProxyConfigInput {
  protocol: 'http' | 'grpc_websocket';
  /** http: the base URL of download_config_specs (like apiForDownloadConfigSpecs); grpc_websocket: host:port. */
  proxyAddress: string;
  /** @default 'none' */
  authenticationMode?: 'none' | 'tls' | 'mtls' | undefined;
  /** PEM CA the proxy's certificate must chain to (default: the system's roots). */
  tlsCaCertPath?: string | undefined;
  tlsClientCertPath?: string | undefined;
  tlsClientKeyPath?: string | undefined;
  /** Failed stream attempts in a row before polling takes over. @default 4 */
  pushWorkerFailoverThreshold?: number | undefined;
  /** First reconnect delay. @default 10000 */
  retryBackoffBaseMs?: number | undefined;
  /** @default 5 */
  retryBackoffMultiplier?: number | undefined;
  /** Attempts over which the delay grows; later reconnects keep the last delay (capped at 5 minutes). @default 10 */
  maxRetryAttempt?: number | undefined;
}

export interface ProxyConfigsInput {
  download_config_specs?: ProxyConfigInput | undefined;
}

const PEM = z.string().min(1, 'must be a file path');

/** @internal */
export const ProxyConfigSchema = z
  .strictObject({
    protocol: z.enum(['http', 'grpc_websocket'], { error: "must be 'http' or 'grpc_websocket'" }),
    /** http: the base URL of download_config_specs (like apiForDownloadConfigSpecs); grpc_websocket: host:port. */
    proxyAddress: z.string().min(1, 'must name the proxy'),
    authenticationMode: z.enum(['none', 'tls', 'mtls'], { error: "must be 'none', 'tls' or 'mtls'" }).default('none'),
    /** PEM CA the proxy's certificate must chain to (default: the system's roots). */
    tlsCaCertPath: PEM.optional(),
    tlsClientCertPath: PEM.optional(),
    tlsClientKeyPath: PEM.optional(),
    /** Failed stream attempts in a row before polling takes over. @default 4 */
    pushWorkerFailoverThreshold: z.number().int().min(1).max(1000).default(4),
    /** First reconnect delay. @default 10000 */
    retryBackoffBaseMs: z.number().int().min(1).max(3_600_000).default(10_000),
    /** @default 5 */
    retryBackoffMultiplier: z.number().min(1).max(100).default(5),
    /** Attempts over which the delay grows; later reconnects keep the last delay (capped at 5 minutes). @default 10 */
    maxRetryAttempt: z.number().int().min(1).max(1000).default(10),
  })
  .superRefine((c, ctx) => {
    if (c.authenticationMode === 'mtls' && (!c.tlsClientCertPath || !c.tlsClientKeyPath)) {
      ctx.addIssue({ code: 'custom', path: ['tlsClientCertPath'], message: "authenticationMode 'mtls' needs tlsClientCertPath and tlsClientKeyPath" });
    }
    if (c.authenticationMode === 'none' && (c.tlsCaCertPath || c.tlsClientCertPath || c.tlsClientKeyPath)) {
      ctx.addIssue({ code: 'custom', path: ['authenticationMode'], message: "TLS paths need authenticationMode 'tls' or 'mtls'" });
    }
    if (c.protocol === 'http') {
      if (!/^https?:\/\/[^/]/.test(c.proxyAddress)) ctx.addIssue({ code: 'custom', path: ['proxyAddress'], message: "with protocol 'http' must be an http(s) URL" });
      if (c.authenticationMode !== 'none') ctx.addIssue({ code: 'custom', path: ['authenticationMode'], message: "applies to protocol 'grpc_websocket' only (use an https URL)" });
    } else if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(stripScheme(c.proxyAddress))) {
      ctx.addIssue({ code: 'custom', path: ['proxyAddress'], message: "with protocol 'grpc_websocket' must be host:port" });
    }
  });

/** @internal */
export const ProxyConfigsSchema = z.strictObject({
  download_config_specs: ProxyConfigSchema.optional(),
});

type _ProxyConfigsMatch = Check<AssertSame<ProxyConfigsInput, z.input<typeof ProxyConfigsSchema>>>;

export interface GrpcProxyConfig {
  readonly protocol: 'grpc_websocket';
  /** host:port */
  readonly address: string;
  readonly authenticationMode: 'none' | 'tls' | 'mtls';
  readonly tlsCaCertPath: string | null;
  readonly tlsClientCertPath: string | null;
  readonly tlsClientKeyPath: string | null;
  readonly pushWorkerFailoverThreshold: number;
  readonly retryBackoffBaseMs: number;
  readonly retryBackoffMultiplier: number;
  readonly maxRetryAttempt: number;
}

export type DcsProxyConfig = { readonly protocol: 'http'; readonly url: string } | GrpcProxyConfig;

/** The normalised download_config_specs proxy (already validated by ProxyConfigsSchema). @internal */
export function dcsProxyConfig(c: z.output<typeof ProxyConfigsSchema> | undefined): DcsProxyConfig | null {
  const d = c?.download_config_specs;
  if (!d) return null;
  if (d.protocol === 'http') return Object.freeze({ protocol: 'http', url: d.proxyAddress.replace(/\/+$/, '') });
  return Object.freeze({
    protocol: 'grpc_websocket',
    address: stripScheme(d.proxyAddress),
    authenticationMode: d.authenticationMode,
    tlsCaCertPath: d.tlsCaCertPath ?? null,
    tlsClientCertPath: d.tlsClientCertPath ?? null,
    tlsClientKeyPath: d.tlsClientKeyPath ?? null,
    pushWorkerFailoverThreshold: d.pushWorkerFailoverThreshold,
    retryBackoffBaseMs: d.retryBackoffBaseMs,
    retryBackoffMultiplier: d.retryBackoffMultiplier,
    maxRetryAttempt: d.maxRetryAttempt,
  });
}

/** statsig-node-core writes the gRPC proxy as a URL (`http://host:port`); the Python SDK as host:port. Both work. */
function stripScheme(a: string): string {
  return a.replace(/^(?:https?|grpcs?):\/\//, '').replace(/\/+$/, '');
}
