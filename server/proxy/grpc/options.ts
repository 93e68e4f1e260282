/** The forward proxy's gRPC options: rows of the proxy's one option table (flags and --help come from it). */
import { z } from 'zod';

const row = <S extends z.ZodType>(schema: S, help: string, defaultText?: string) => ({ schema, help, ...(defaultText !== undefined ? { defaultText } : {}) });

export const GRPC_FIELDS = {
  mode: row(z.enum(['http', 'grpc', 'grpc-and-http']).default('http'), 'http: HTTP only; grpc: StreamConfigSpec/getConfigSpec (HTTP keeps /health and /metrics); grpc-and-http: both'),
  grpcPort: row(z.number().int().min(0).max(65535).default(50051), 'gRPC port on --host (0 = any free port)'),
  grpcMaxConcurrentStreams: row(z.number().int().min(1).max(1_000_000).default(500), 'streams open at once across every connection; the next gets RESOURCE_EXHAUSTED'),
  grpcKeepaliveMs: row(z.number().int().min(10).max(3_600_000).default(30_000), 'a stream with nothing to push for this long gets {"has_updates":false} with the current lcut'),
  grpcStuckStreamMs: row(z.number().int().min(10).max(3_600_000).default(120_000), 'a stream whose client has not taken a push for this long stops getting pushes and is ended'),
  grpcTlsCertPath: row(z.string().min(1).optional(), 'PEM certificate chain: the gRPC port speaks TLS (with --grpc-tls-key-path)'),
  grpcTlsKeyPath: row(z.string().min(1).optional(), 'PEM private key of --grpc-tls-cert-path'),
  grpcTlsClientCaPath: row(z.string().min(1).optional(), 'PEM CA: clients must present a certificate it signed (mTLS)'),
} as const;

interface GrpcTls {
  grpcTlsCertPath?: string | undefined;
  grpcTlsKeyPath?: string | undefined;
  grpcTlsClientCaPath?: string | undefined;
}

/** Rules across fields (path + message). */
export function grpcOptionIssues(o: GrpcTls): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if ((o.grpcTlsCertPath === undefined) !== (o.grpcTlsKeyPath === undefined)) {
    issues.push({ path: o.grpcTlsCertPath ? 'grpcTlsKeyPath' : 'grpcTlsCertPath', message: 'TLS needs both grpcTlsCertPath and grpcTlsKeyPath' });
  }
  if (o.grpcTlsClientCaPath !== undefined && o.grpcTlsCertPath === undefined) {
    issues.push({ path: 'grpcTlsClientCaPath', message: 'mTLS needs a server certificate too (grpcTlsCertPath, grpcTlsKeyPath)' });
  }
  return issues;
}
