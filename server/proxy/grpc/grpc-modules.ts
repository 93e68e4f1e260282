/**
 * @grpc/grpc-js, @grpc/proto-loader and protobufjs are optional peer dependencies: only an SDK that
 * streams (proxyConfigs grpc_websocket) and a proxy in --mode grpc or grpc-and-http need them, and
 * together they weigh about 7.5 MB. They are imported at run time, never bundled: an app's bundler
 * (Turbopack, webpack) must not try to resolve them when they are not installed.
 */
import { cjsDefault, importOptional } from '../../optional-package';

export interface GrpcModules {
  readonly grpc: typeof import('@grpc/grpc-js');
  readonly protoLoader: typeof import('@grpc/proto-loader');
  readonly protobuf: typeof import('protobufjs');
}

let loading: Promise<GrpcModules> | null = null;

/** The three packages; MissingPackageError naming them when one is not installed. */
export function loadGrpcModules(): Promise<GrpcModules> {
  const p = (loading ??= importOptional('gRPC streaming', ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'] as const, () =>
    Promise.all([
      import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@grpc/grpc-js'),
      import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@grpc/proto-loader'),
      import(/* webpackIgnore: true */ /* turbopackIgnore: true */ 'protobufjs'),
    ] as const),
  ).then(([grpc, protoLoader, protobuf]) => ({ grpc: cjsDefault(grpc), protoLoader: cjsDefault(protoLoader), protobuf: cjsDefault(protobuf) })));
  p.catch(() => {
    if (loading === p) loading = null;
  });
  return p;
}
