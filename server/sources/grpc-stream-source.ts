/**
 * download_config_specs streamed from a Statsig Forward Proxy over gRPC (`StreamConfigSpec`), the
 * `grpc_websocket` protocol of Statsig's SDKs' `proxy_configs`.
 *
 * It is the instance's `network` source. Start-up asks once (`getConfigSpec`); after that the open
 * stream is the source: each pushed payload is handed to the spec sync (which judges it through the
 * same SpecStore as every other source, so an older or broken push never replaces good specs), and
 * a sync round finds nothing to fetch. When the stream fails, it reconnects with backoff
 * (retryBackoffBaseMs × retryBackoffMultiplier^n); after pushWorkerFailoverThreshold failures in a
 * row it fails over: every sync round polls download_config_specs over HTTP (Statsig's API, or the
 * configured URL), and if that fails too the round goes on to the instance's other sync sources. The
 * first message of a reconnected stream ends the failover.
 */
import { readFileSync } from 'node:fs';
import type { ChannelCredentials, Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { SourceUnavailableError } from '../../lib/errors';
import type { Logger } from '../logger';
import { loadGrpcModules } from '../proxy/grpc/grpc-modules';
import { loadProtocol } from '../proxy/grpc/proto';
import type { GrpcProxyConfig } from './proxy-configs';
import type { SpecPayload, SpecSource } from './spec-source';

/** Far above an xlarge project's specs, and still a bound against a misbehaving proxy (grpc-js defaults to 4 MiB). */
const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;
/** The longest pause between reconnects, whatever the backoff settings say. */
const MAX_BACKOFF_MS = 5 * 60_000;
const UNARY_DEADLINE_MS = 20_000;
const NO_UPDATES = '{"has_updates":false}';

interface Message {
  spec: string;
  lastUpdated: string;
}

type ProxyClient = Client & {
  getConfigSpec(req: Record<string, unknown>, opts: { deadline: number }, cb: (err: ServiceError | null, res?: Message) => void): void;
  StreamConfigSpec(req: Record<string, unknown>): ClientReadableStream<Message>;
};

export interface GrpcStreamHealth {
  readonly state: 'idle' | 'connecting' | 'streaming' | 'retrying' | 'failedOver' | 'closed';
  readonly address: string;
  /** failed stream attempts since the last message */
  readonly consecutiveFailures: number;
  readonly failovers: number;
  readonly reconnects: number;
  readonly messages: number;
  readonly lastError: string | null;
}

export interface GrpcStreamSourceConfig {
  readonly config: GrpcProxyConfig;
  readonly serverSecret: string;
  /** Polled while failed over. */
  readonly fallback: SpecSource | null;
  readonly logger: Logger;
}

export class GrpcStreamSource implements SpecSource {
  readonly name = 'network' as const;
  readonly #c: GrpcStreamSourceConfig;
  #client: ProxyClient | null = null;
  #clientLoading: Promise<ProxyClient> | null = null;
  #call: ClientReadableStream<Message> | null = null;
  #state: GrpcStreamHealth['state'] = 'idle';
  #failures = 0;
  #failovers = 0;
  #reconnects = 0;
  #messages = 0;
  #lastError: string | null = null;
  #since = 0;
  #pending: SpecPayload | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #onChange: (() => void) | null = null;
  #closed = false;

  constructor(config: GrpcStreamSourceConfig) {
    this.#c = config;
  }

  health(): GrpcStreamHealth {
    return {
      state: this.#state,
      address: this.#c.config.address,
      consecutiveFailures: this.#failures,
      failovers: this.#failovers,
      reconnects: this.#reconnects,
      messages: this.#messages,
      lastError: this.#lastError,
    };
  }

  async load(sinceTime: number, signal: AbortSignal): Promise<SpecPayload | null> {
    this.#since = Math.max(this.#since, sinceTime);
    if (this.#pending) {
      const p = this.#pending;
      this.#pending = null;
      return p;
    }
    if (this.#state === 'failedOver') {
      if (!this.#c.fallback) throw new SourceUnavailableError('firstlight: the gRPC stream is down (failed over; no HTTP fallback)');
      return this.#c.fallback.load(sinceTime, signal);
    }
    // the stream is up, or within its retries with specs in force: it pushes what is new
    if (this.#state === 'streaming' || (this.#state !== 'idle' && sinceTime > 0)) return null;
    // start-up, or no specs yet while the stream reconnects: ask once
    return this.#unary(sinceTime);
  }

  watch(onChange: () => void): () => void {
    this.#onChange = onChange;
    if (this.#state === 'idle') void this.#connect();
    return () => {
      this.#onChange = null;
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#state = 'closed';
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#call?.cancel();
    this.#call = null;
    this.#client?.close();
  }

  async #unary(sinceTime: number): Promise<SpecPayload | null> {
    const client = await this.#getClient();
    const m = await new Promise<Message>((resolve, reject) =>
      client.getConfigSpec(this.#request(sinceTime), { deadline: Date.now() + UNARY_DEADLINE_MS }, (err, res) => (err ? reject(err) : resolve(res!))),
    ).catch((err: unknown) => {
      throw new SourceUnavailableError(`firstlight: getConfigSpec from the forward proxy: ${describe(err)}`, { cause: err });
    });
    return { origin: 'network', text: m.spec };
  }

  #request(sinceTime: number): Record<string, unknown> {
    // version 1: this SDK reads DCS v1; sinceTime travels as field 12
    return { sdkKey: this.#c.serverSecret, sinceTime: String(Math.max(0, Math.floor(sinceTime))), version: 1 };
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    this.#state = this.#state === 'failedOver' ? 'failedOver' : 'connecting';
    let client: ProxyClient;
    try {
      client = await this.#getClient();
    } catch (err) {
      return this.#streamFailed(err);
    }
    if (this.#closed) return;
    const call = client.StreamConfigSpec(this.#request(this.#since));
    this.#call = call;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed || this.#call !== call) return;
      failed = true;
      this.#call = null;
      this.#streamFailed(err);
    };
    call.on('data', (m: Message) => this.#onMessage(m));
    call.on('error', (err: ServiceError) => fail(err));
    // a stream the proxy ends (shutdown) is a failure too: specs must keep coming from somewhere
    call.on('end', () => fail(new Error('the proxy ended the stream')));
  }

  #onMessage(m: Message): void {
    this.#messages++;
    if (this.#state !== 'streaming') {
      if (this.#state === 'failedOver') this.#c.logger.warn(`firstlight: gRPC stream from ${this.#c.config.address} is back; polling stops`);
      this.#state = 'streaming';
    }
    this.#failures = 0;
    this.#lastError = null;
    if (typeof m.spec !== 'string' || m.spec === NO_UPDATES) return;
    const lcut = Number(m.lastUpdated);
    // the store judges every payload; this only spares it one it would call stale or unchanged
    if (Number.isFinite(lcut) && lcut > 0 && lcut <= this.#since) return;
    this.#pending = { origin: 'network', text: m.spec };
    this.#onChange?.();
  }

  #streamFailed(err: unknown): void {
    if (this.#closed) return;
    this.#failures++;
    this.#lastError = describe(err);
    const cfg = this.#c.config;
    if (this.#state !== 'failedOver' && this.#failures >= cfg.pushWorkerFailoverThreshold) {
      this.#state = 'failedOver';
      this.#failovers++;
      this.#c.logger.warn(`firstlight: gRPC stream from ${cfg.address} failed ${this.#failures} times (${this.#lastError}); polling until it is back`);
      // poll now rather than at the next interval
      this.#onChange?.();
    } else if (this.#state !== 'failedOver') {
      this.#state = 'retrying';
    }
    // the backoff grows for maxRetryAttempt attempts and then stays there: the stream is retried for the life of the instance
    const n = Math.min(this.#failures, cfg.maxRetryAttempt) - 1;
    const delay = Math.min(MAX_BACKOFF_MS, cfg.retryBackoffBaseMs * cfg.retryBackoffMultiplier ** n);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#reconnects++;
      void this.#connect();
    }, delay * (0.9 + Math.random() * 0.2));
    this.#retryTimer.unref();
  }

  #getClient(): Promise<ProxyClient> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#clientLoading ??= (async () => {
      // loaded on first use: an instance that does not stream never loads grpc-js (an optional peer)
      const [{ grpc }, { ProxyClient }] = await Promise.all([loadGrpcModules(), loadProtocol()]).catch((err: unknown) => {
        throw new SourceUnavailableError(`firstlight: ${(err as Error).message}`, { cause: err });
      });
      const { credentials } = grpc;
      const cfg = this.#c.config;
      let creds: ChannelCredentials;
      if (cfg.authenticationMode === 'none') creds = credentials.createInsecure();
      else {
        const ca = cfg.tlsCaCertPath ? readPem('tlsCaCertPath', cfg.tlsCaCertPath) : null;
        creds =
          cfg.authenticationMode === 'mtls'
            ? credentials.createSsl(ca, readPem('tlsClientKeyPath', cfg.tlsClientKeyPath!), readPem('tlsClientCertPath', cfg.tlsClientCertPath!))
            : credentials.createSsl(ca);
      }
      this.#client = new ProxyClient(cfg.address, creds, {
        'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
        // a dead proxy behind a half-open connection is found by pings, not by waiting for the next push
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
        'grpc.keepalive_permit_without_calls': 1,
      }) as unknown as ProxyClient;
      return this.#client;
    })().finally(() => {
      this.#clientLoading = null;
    });
    return this.#clientLoading;
  }
}

function readPem(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    // the reason only: the file's contents never reach a log
    throw new SourceUnavailableError(`firstlight: proxyConfigs.download_config_specs.${option} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  if (typeof e?.details === 'string' && e.details) return `${typeof e.code === 'number' ? `code ${e.code}: ` : ''}${e.details}`;
  return typeof e?.message === 'string' ? e.message : String(err);
}
