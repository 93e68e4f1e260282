/** The proxy's client for Statsig (or any compatible upstream): undici with keep-alive and timeouts. */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import type { Counter, Histogram } from './metrics';

const gunzipAsync = promisify(gunzip);

export const PROXY_SDK_TYPE = 'firstlight-proxy';
export const PROXY_SDK_VERSION = '0.1.0';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Endpoint = 'download_config_specs' | 'get_id_lists' | 'id_list_file' | 'log_event';

export interface UpstreamMetrics {
  latency: Histogram;
  requests: Counter;
  errors: Counter;
}

export class Upstream {
  readonly sessionId = randomUUID();
  private readonly agent: Agent;

  constructor(
    private readonly dcsBase: string,
    private readonly dcsV2Base: string,
    private readonly apiBase: string,
    private readonly timeoutMs: number,
    private readonly metrics: UpstreamMetrics,
  ) {
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connections: 64,
    });
  }

  private headers(sdkKey: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      'content-type': 'application/json; charset=UTF-8',
      'accept-encoding': 'gzip',
      'statsig-api-key': sdkKey,
      'statsig-client-time': String(Date.now()),
      'statsig-server-session-id': this.sessionId,
      'statsig-sdk-type': PROXY_SDK_TYPE,
      'statsig-sdk-version': PROXY_SDK_VERSION,
      ...extra,
    };
  }

  private async send(
    endpoint: Endpoint,
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer | string },
  ): Promise<UpstreamResponse> {
    const started = performance.now();
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      let body = Buffer.from(await res.body.arrayBuffer());
      const enc = res.headers['content-encoding'];
      if (enc === 'gzip' && body.length > 0) body = await gunzipAsync(body);
      this.metrics.latency.observe((performance.now() - started) / 1000, { endpoint });
      this.metrics.requests.inc({ endpoint, status: String(res.statusCode) });
      if (res.statusCode >= 400) this.metrics.errors.inc({ endpoint, kind: `http_${res.statusCode}` });
      return { status: res.statusCode, headers: res.headers, body };
    } catch (e) {
      this.metrics.latency.observe((performance.now() - started) / 1000, { endpoint });
      const kind = (e as Error).name === 'TimeoutError' || /timeout/i.test((e as Error).message) ? 'timeout' : 'network';
      this.metrics.requests.inc({ endpoint, status: kind });
      this.metrics.errors.inc({ endpoint, kind });
      throw e;
    }
  }

  /** v2 is asked as JSON (the proxy validates and re-serves it; the protobuf form is not implemented). */
  dcs(sdkKey: string, sinceTime: number, version: 'v1' | 'v2' = 'v1'): Promise<UpstreamResponse> {
    const base = version === 'v1' ? this.dcsBase : this.dcsV2Base;
    const u = `${base}/download_config_specs/${encodeURIComponent(sdkKey)}.json`;
    return this.send('download_config_specs', sinceTime > 0 ? `${u}?sinceTime=${sinceTime}` : u, {
      method: 'GET',
      headers: this.headers(sdkKey),
    });
  }

  idListsManifest(sdkKey: string): Promise<UpstreamResponse> {
    return this.send('get_id_lists', `${this.apiBase}/get_id_lists`, {
      method: 'POST',
      headers: this.headers(sdkKey),
      body: '{}',
    });
  }

  idListFile(url: string, sdkKey: string, from: number): Promise<UpstreamResponse> {
    return this.send('id_list_file', url, {
      method: 'GET',
      headers: { ...this.headers(sdkKey), range: `bytes=${from}-`, 'accept-encoding': 'identity' },
    });
  }

  logEvent(sdkKey: string, gzBody: Buffer, count: number): Promise<UpstreamResponse> {
    return this.send('log_event', `${this.apiBase}/log_event`, {
      method: 'POST',
      headers: this.headers(sdkKey, { 'content-encoding': 'gzip', 'statsig-event-count': String(count) }),
      body: gzBody,
    });
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => {});
  }
}
