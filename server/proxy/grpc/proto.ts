/**
 * The Forward Proxy's gRPC protocol, loaded from embedded text so neither the proxy nor the SDK reads
 * files at run time (bundlers keep working). The text is the same as statsig_forward_proxy.proto and
 * health.proto beside this file; test/fleet/grpc-proto.test.ts fails when they differ.
 *
 * Loaded with protobufjs + @grpc/proto-loader (kept libraries) rather than encoded by hand. uint64 fields
 * come out as decimal strings (an lcut fits a double, but a hostile sinceTime need not).
 */
import type { ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import type { Options } from '@grpc/proto-loader';
import { loadGrpcModules, type GrpcModules } from './grpc-modules';

export const FORWARD_PROXY_PROTO = `// Firstlight's definition of the Statsig Forward Proxy's gRPC protocol: the wire facts (package, service,
// method and field names, field numbers, enum values) that Statsig's SDKs speak. Kept in step with
// proto.ts, which embeds this text so the protocol loads without reading files (test/fleet/grpc-proto.test.ts
// fails if the two differ).
syntax = "proto3";

package statsig_forward_proxy;

service StatsigForwardProxy {
  // One answer: the specs of sdkKey in the requested format, or {"has_updates":false} when sinceTime is current.
  rpc getConfigSpec (ConfigSpecRequest) returns (ConfigSpecResponse);
  // The same first answer, then the full specs again at every newer lcut, and {"has_updates":false} after a quiet spell.
  rpc StreamConfigSpec (ConfigSpecRequest) returns (stream ConfigSpecResponse);
}

message ConfigSpecRequest {
  enum apiVersion {
    no_version = 0; // v1
    v1 = 1;
    v2 = 2;
  }
  string sdkKey = 1;
  // Field 12, not 2: the number Statsig's SDKs send.
  optional uint64 sinceTime = 12;
  optional apiVersion version = 3;
  optional string zstdDictId = 4;
}

message ConfigSpecResponse {
  // The download_config_specs JSON text.
  string spec = 1;
  // Its lcut (time).
  uint64 lastUpdated = 2;
  optional string zstdDictId = 3;
}
`;

export const HEALTH_PROTO = `// The standard gRPC health service (grpc.health.v1), as load balancers and grpc_health_probe call it.
syntax = "proto3";

package grpc.health.v1;

service Health {
  rpc Check (HealthCheckRequest) returns (HealthCheckResponse);
  rpc Watch (HealthCheckRequest) returns (stream HealthCheckResponse);
}

message HealthCheckRequest {
  string service = 1;
}

message HealthCheckResponse {
  enum ServingStatus {
    UNKNOWN = 0;
    SERVING = 1;
    NOT_SERVING = 2;
    SERVICE_UNKNOWN = 3;
  }
  ServingStatus status = 1;
}
`;

const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: Number, defaults: false, oneofs: false };

/** The decoded ConfigSpecRequest (absent optional fields stay absent). */
export interface ConfigSpecRequestMessage {
  sdkKey?: string;
  sinceTime?: string;
  version?: number;
  zstdDictId?: string;
}

export interface ConfigSpecResponseMessage {
  spec: string;
  lastUpdated: string | number;
  zstdDictId?: string;
}

export const SERVING_STATUS = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;

export interface Protocol {
  readonly proxyService: ServiceDefinition;
  readonly healthService: ServiceDefinition;
  readonly ProxyClient: ServiceClientConstructor;
  readonly HealthClient: ServiceClientConstructor;
}

let cached: Protocol | null = null;

function load(m: GrpcModules, text: string) {
  const root = m.protobuf.parse(text, { keepCase: true }).root;
  return m.grpc.loadPackageDefinition(m.protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS));
}

function at(o: unknown, path: readonly string[]): ServiceClientConstructor {
  for (const p of path) o = (o as Record<string, unknown>)[p];
  return o as ServiceClientConstructor;
}

/** The service definitions and client constructors (the optional gRPC packages loaded and the text parsed once). */
export async function loadProtocol(): Promise<Protocol> {
  if (cached) return cached;
  const m = await loadGrpcModules();
  const ProxyClient = at(load(m, FORWARD_PROXY_PROTO), ['statsig_forward_proxy', 'StatsigForwardProxy']);
  const HealthClient = at(load(m, HEALTH_PROTO), ['grpc', 'health', 'v1', 'Health']);
  cached = { proxyService: ProxyClient.service, healthService: HealthClient.service, ProxyClient, HealthClient };
  return cached;
}

/** The protocol once loadProtocol() has resolved. */
export function protocol(): Protocol {
  if (!cached) throw new Error('loadProtocol() has not resolved yet');
  return cached;
}
