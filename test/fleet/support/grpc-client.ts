/** A raw @grpc/grpc-js client of the Forward Proxy protocol for tests (no Firstlight client code in it). */
import { credentials as grpcCredentials, type ChannelCredentials, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadProtocol, protocol, type ConfigSpecRequestMessage } from '../../../server/proxy/grpc/proto';

await loadProtocol();

export interface SpecMessage {
  spec: string;
  lastUpdated: string;
}

type ProxyClient = Client & {
  getConfigSpec(req: ConfigSpecRequestMessage, cb: (err: ServiceError | null, res?: SpecMessage) => void): void;
  StreamConfigSpec(req: ConfigSpecRequestMessage): ClientReadableStream<SpecMessage>;
};

export function proxyClient(address: string, creds: ChannelCredentials = grpcCredentials.createInsecure()): ProxyClient {
  const { ProxyClient } = protocol();
  return new ProxyClient(address, creds, { 'grpc.max_receive_message_length': -1 }) as unknown as ProxyClient;
}

export function unary(c: ProxyClient, req: ConfigSpecRequestMessage): Promise<SpecMessage> {
  return new Promise((res, rej) => c.getConfigSpec(req, (err, m) => (err ? rej(err) : res(m!))));
}

/** Collects a stream's messages and its final status. */
export function collect(c: ProxyClient, req: ConfigSpecRequestMessage) {
  const call = c.StreamConfigSpec(req);
  const messages: SpecMessage[] = [];
  const out = { call, messages, error: null as ServiceError | null, ended: false };
  call.on('data', (m: SpecMessage) => messages.push(m));
  call.on('error', (e: ServiceError) => {
    out.error = e;
  });
  call.on('end', () => {
    out.ended = true;
  });
  return out;
}

export function healthCheck(address: string, service = '', creds: ChannelCredentials = grpcCredentials.createInsecure()): Promise<number> {
  const { HealthClient } = protocol();
  const c = new HealthClient(address, creds) as unknown as Client & {
    Check(req: { service: string }, cb: (err: ServiceError | null, res?: { status?: number }) => void): void;
  };
  return new Promise((res, rej) =>
    c.Check({ service }, (err, r) => {
      c.close();
      return err ? rej(err) : res(r?.status ?? 0);
    }),
  );
}
