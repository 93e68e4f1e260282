/**
 * @grpc/grpc-js, @grpc/proto-loader and protobufjs are optional peer dependencies: only an SDK that
 * streams (proxyConfigs grpc_websocket) and a proxy in --mode grpc or grpc-and-http need them, and
 * together they weigh about 7.5 MB. They are imported at run time, never bundled: an app's bundler
 * (Turbopack, webpack) must not try to resolve them when they are not installed.
 */
import { InvalidOptionError } from '../../../lib/errors';

export interface GrpcModules {
  readonly grpc: typeof import('@grpc/grpc-js');
  readonly protoLoader: typeof import('@grpc/proto-loader');
  readonly protobuf: typeof import('protobufjs');
}

let loading: Promise<GrpcModules> | null = null;

export function loadGrpcModules(): Promise<GrpcModules> {
  loading ??= (async () => {
    try {
      const [grpc, protoLoader, protobuf] = await Promise.all([
        import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@grpc/grpc-js'),
        import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@grpc/proto-loader'),
        import(/* webpackIgnore: true */ /* turbopackIgnore: true */ 'protobufjs'),
      ]);
      // CommonJS packages: the namespace's default is the module itself
      const cjs = <T>(m: T): T => ((m as { default?: T }).default ?? m) as T;
      return { grpc: cjs(grpc), protoLoader: cjs(protoLoader), protobuf: cjs(protobuf) };
    } catch (err) {
      loading = null;
      throw new InvalidOptionError(
        'gRPC streaming needs the optional packages @grpc/grpc-js, @grpc/proto-loader and protobufjs: npm install @grpc/grpc-js@1.14.7 @grpc/proto-loader@0.8.1 protobufjs@7.6.6',
        { cause: err },
      );
    }
  })();
  return loading;
}
