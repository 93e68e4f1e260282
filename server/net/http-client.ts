/**
 * The one HTTP path to Statsig (or a forward proxy in its place): an undici keep-alive Agent owned by
 * the instance, Statsig's SDK headers, connect/header/body timeouts and bounded retries with backoff.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import { getRetryDelayMs, sleep } from './backoff';
import { HttpError, RETRYABLE_STATUSES } from './http-error';
import type { NormalizedOptions } from '../options';

/**
 * The CDN picks the payload format by SDK type; Firstlight consumes exactly what statsig-node 6.5.2
 * receives (dcs-v1), so it announces itself as that SDK.
 */
export const SDK_TYPE = 'statsig-node';
export const SDK_VERSION = '6.5.2';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
  /** Override of the client's retry count for this request (log_event retries per batch instead). */
  readonly maxRetries?: number;
  /** Include STATSIG-API-KEY and the other SDK headers. @default true */
  readonly sdkHeaders?: boolean;
  /** Asked once `url` has failed (its retries spent): the `fallbackToStatsigApi` option. */
  readonly fallbackUrl?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface HttpClientStats {
  requests: number;
  retries: number;
  failures: number;
}

export class HttpClient {
  readonly sessionID = randomUUID();
  readonly stats: HttpClientStats = { requests: 0, retries: 0, failures: 0 };
  readonly #serverSecret: string;
  readonly #http: NormalizedOptions['http'];
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  constructor(serverSecret: string, http: NormalizedOptions['http']) {
    this.#serverSecret = serverSecret;
    this.#http = http;
    this.#ownsDispatcher = http.dispatcher === null;
    this.#dispatcher =
      http.dispatcher ??
      new Agent({
        keepAliveTimeout: http.keepAliveTimeoutMs,
        headersTimeout: http.headersTimeoutMs,
        bodyTimeout: http.bodyTimeoutMs,
        connect: { timeout: http.connectTimeoutMs },
      });
  }

  /** Statsig's SDK headers (statsig-eval.md §1). */
  sdkHeaders(): Record<string, string> {
    return {
      'content-type': 'application/json; charset=UTF-8',
      'statsig-api-key': this.#serverSecret,
      'statsig-client-time': String(Date.now()),
      'statsig-server-session-id': this.sessionID,
      'statsig-sdk-type': SDK_TYPE,
      'statsig-sdk-version': SDK_VERSION,
    };
  }

  /** Resolves with a 2xx response; rejects with HttpError after the retries are spent or on a final status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    if (req.fallbackUrl === undefined) return this.#sendWithRetries(req);
    try {
      return await this.#sendWithRetries(req);
    } catch (err) {
      if (req.signal?.aborted) throw err;
      return this.#sendWithRetries({ ...req, url: req.fallbackUrl, fallbackUrl: undefined });
    }
  }

  async #sendWithRetries(req: HttpRequest): Promise<HttpResponse> {
    const maxRetries = req.maxRetries ?? this.#http.maxRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(req);
      } catch (err) {
        const e = toHttpError(err, req.url);
        if (!e.retryable || attempt >= maxRetries || req.signal?.aborted) {
          this.stats.failures++;
          throw e;
        }
        this.stats.retries++;
        const base = this.#http.retryBackoffMs;
        await sleep(getRetryDelayMs(attempt, { baseMs: base, capMs: base * 16 }), req.signal);
        if (req.signal?.aborted) {
          this.stats.failures++;
          throw e;
        }
      }
    }
  }

  async #once(req: HttpRequest): Promise<HttpResponse> {
    this.stats.requests++;
    const headers = { ...(req.sdkHeaders === false ? {} : this.sdkHeaders()), ...req.headers };
    const res = await request(req.url, {
      method: req.method,
      headers,
      body: req.body,
      signal: req.signal,
      dispatcher: this.#dispatcher,
      headersTimeout: this.#http.headersTimeoutMs,
      bodyTimeout: this.#http.bodyTimeoutMs,
    });
    const body = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new HttpError(
        `${req.method} ${redact(req.url)} answered ${res.statusCode}`,
        res.statusCode,
        RETRYABLE_STATUSES.has(res.statusCode),
      );
    }
    return { status: res.statusCode, headers: res.headers, body };
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close().catch(() => {});
  }
}

function toHttpError(err: unknown, url: string): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'AbortError') return new HttpError(`request to ${redact(url)} aborted`, null, false, { cause: err });
  const what = e?.code ?? e?.name ?? 'error';
  return new HttpError(`request to ${redact(url)} failed: ${what}: ${e?.message ?? String(err)}`, null, true, { cause: err });
}

/** The server secret is part of the download_config_specs path; keep it out of messages and health. */
export function redact(url: string): string {
  return url.replace(/(\/download_config_specs\/)[^/?]+/, '$1<secret>');
}
