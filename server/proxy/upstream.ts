/**
 * The proxy's view of Statsig (or any compatible upstream): its endpoints over the SDK's HttpClient —
 * one client, one dispatcher and one retry policy for every SDK key, the key given per request.
 * download_config_specs and log_event are sent once per call (the poll loop and the event queue are
 * their retries); the ID-list manifest and files use the client's retries.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { HttpClient, type HttpExchange, type HttpRequest } from '../net/http-client';
import type { Counter, Histogram } from './metrics';

const gunzipAsync = promisify(gunzip);

export const PROXY_SDK_TYPE = 'firstlight-proxy';
export const PROXY_SDK_VERSION = '0.1.0';

export type UpstreamResponse = HttpExchange;

export type Endpoint = 'download_config_specs' | 'get_id_lists' | 'id_list_file' | 'log_event';

export interface UpstreamMetrics {
  latency: Histogram;
  requests: Counter;
  errors: Counter;
}

export interface UpstreamConfig {
  readonly dcsBase: string;
  readonly dcsV2Base: string;
  readonly apiBase: string;
  readonly timeoutMs: number;
}

export class Upstream {
  readonly #c: UpstreamConfig;
  readonly #client: HttpClient;

  constructor(config: UpstreamConfig, metrics: UpstreamMetrics) {
    this.#c = config;
    const t = config.timeoutMs;
    this.#client = new HttpClient(
      '',
      { connectTimeoutMs: t, headersTimeoutMs: t, bodyTimeoutMs: t, keepAliveTimeoutMs: 30_000, maxRetries: 2, retryBackoffMs: 200, dispatcher: null },
      {
        identity: { sdkType: PROXY_SDK_TYPE, sdkVersion: PROXY_SDK_VERSION },
        connections: 64,
        observe: ({ endpoint, outcome, seconds }) => {
          metrics.latency.observe(seconds, { endpoint });
          metrics.requests.inc({ endpoint, status: String(outcome) });
          if (typeof outcome !== 'number') metrics.errors.inc({ endpoint, kind: outcome === 'aborted' ? 'timeout' : outcome });
          else if (outcome >= 400) metrics.errors.inc({ endpoint, kind: `http_${outcome}` });
        },
      },
    );
  }

  get sessionId(): string {
    return this.#client.sessionID;
  }

  async #send(endpoint: Endpoint, sdkKey: string, req: Omit<HttpRequest, 'endpoint' | 'sdkKey' | 'timeoutMs'>): Promise<UpstreamResponse> {
    // a hard deadline per call: one phase timeout per attempt
    const attempts = (req.maxRetries ?? 2) + 1;
    const res = await this.#client.exchange({ ...req, endpoint, sdkKey, timeoutMs: this.#c.timeoutMs * attempts });
    if (res.headers['content-encoding'] !== 'gzip' || res.body.length === 0) return res;
    return { ...res, body: await gunzipAsync(res.body) };
  }

  /** v2 is asked as JSON (the proxy validates and re-serves it; the protobuf form is not implemented). */
  dcs(sdkKey: string, sinceTime: number, version: 'v1' | 'v2' = 'v1'): Promise<UpstreamResponse> {
    const base = version === 'v1' ? this.#c.dcsBase : this.#c.dcsV2Base;
    const u = `${base}/download_config_specs/${encodeURIComponent(sdkKey)}.json`;
    return this.#send('download_config_specs', sdkKey, {
      method: 'GET',
      url: sinceTime > 0 ? `${u}?sinceTime=${sinceTime}` : u,
      headers: { 'accept-encoding': 'gzip' },
      maxRetries: 0,
    });
  }

  idListsManifest(sdkKey: string): Promise<UpstreamResponse> {
    return this.#send('get_id_lists', sdkKey, { method: 'POST', url: `${this.#c.apiBase}/get_id_lists`, headers: { 'accept-encoding': 'gzip' }, body: '{}' });
  }

  idListFile(url: string, sdkKey: string, from: number): Promise<UpstreamResponse> {
    // list files live on a CDN: the server secret is not theirs to see (as in the SDK's ID-list sync)
    return this.#send('id_list_file', sdkKey, { method: 'GET', url, sdkHeaders: false, headers: { range: `bytes=${from}-`, 'accept-encoding': 'identity' } });
  }

  logEvent(sdkKey: string, gzBody: Buffer, count: number, signal?: AbortSignal): Promise<UpstreamResponse> {
    return this.#send('log_event', sdkKey, {
      method: 'POST',
      url: `${this.#c.apiBase}/log_event`,
      headers: { 'content-encoding': 'gzip', 'statsig-event-count': String(count) },
      body: gzBody,
      maxRetries: 0,
      signal,
    });
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
