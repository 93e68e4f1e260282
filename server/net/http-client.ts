/**
 * The one HTTP path to Statsig (or a forward proxy in its place), for the SDK and the forward proxy
 * alike: an undici keep-alive Agent owned by the client (or the caller's dispatcher), composed with
 * Statsig's retry policy (./retry: undici's retry interceptor, retryable statuses and network errors,
 * full-jitter capped backoff, Retry-After obeyed, abortable), connect/header/body timeouts, an optional
 * hard deadline per request, and Statsig's SDK headers with the SDK key given per request (one client
 * serves every key of a proxy).
 */
import { randomUUID } from 'node:crypto';
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { getRetryDelayMs, sleep } from './backoff';
import { HttpError, RETRYABLE_STATUSES } from './http-error';
import { statsigRetry } from './retry';
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
  /** The SDK key sent as STATSIG-API-KEY (default: the client's own key). */
  readonly sdkKey?: string;
  /** Asked once `url` has failed (its retries spent): the `fallbackToStatsigApi` option. */
  readonly fallbackUrl?: string;
  /** A deadline for the whole request, retries included (on top of the per-phase timeouts). */
  readonly timeoutMs?: number;
  /** A name for metrics (`observe`). */
  readonly endpoint?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A response with any status, its body as bytes (see exchange()). */
export interface HttpExchange {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface HttpClientStats {
  requests: number;
  retries: number;
  failures: number;
}

/** What one request ended with, for metrics: its final status, or the kind of failure. */
export interface HttpObservation {
  readonly endpoint: string;
  readonly outcome: number | 'timeout' | 'network' | 'aborted';
  readonly seconds: number;
}

export interface HttpClientIdentity {
  readonly sdkType: string;
  readonly sdkVersion: string;
}

export class HttpClient {
  readonly sessionID = randomUUID();
  readonly stats: HttpClientStats = { requests: 0, retries: 0, failures: 0 };
  readonly #serverSecret: string;
  readonly #http: NormalizedOptions['http'];
  readonly #base: Dispatcher;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #identity: HttpClientIdentity;
  readonly #observe: ((o: HttpObservation) => void) | null;

  constructor(
    serverSecret: string,
    http: NormalizedOptions['http'],
    extra: { identity?: HttpClientIdentity; observe?: (o: HttpObservation) => void; connections?: number } = {},
  ) {
    this.#serverSecret = serverSecret;
    this.#http = http;
    this.#identity = extra.identity ?? { sdkType: SDK_TYPE, sdkVersion: SDK_VERSION };
    this.#observe = extra.observe ?? null;
    this.#ownsDispatcher = http.dispatcher === null;
    this.#base =
      http.dispatcher ??
      new Agent({
        keepAliveTimeout: http.keepAliveTimeoutMs,
        headersTimeout: http.headersTimeoutMs,
        bodyTimeout: http.bodyTimeoutMs,
        connect: { timeout: http.connectTimeoutMs },
        ...(extra.connections ? { connections: extra.connections } : {}),
      });
    const base = http.retryBackoffMs;
    this.#dispatcher = this.#base.compose(
      statsigRetry({ maxRetries: http.maxRetries, baseMs: base, capMs: Math.max(base * 16, base), onRetry: () => this.stats.retries++ }),
    );
  }

  /** Statsig's SDK headers (statsig-eval.md §1). */
  sdkHeaders(sdkKey: string = this.#serverSecret): Record<string, string> {
    return {
      'content-type': 'application/json; charset=UTF-8',
      'statsig-api-key': sdkKey,
      'statsig-client-time': String(Date.now()),
      'statsig-server-session-id': this.sessionID,
      'statsig-sdk-type': this.#identity.sdkType,
      'statsig-sdk-version': this.#identity.sdkVersion,
    };
  }

  /** Resolves with a 2xx response; rejects with HttpError after the retries are spent or on a final status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    if (req.fallbackUrl === undefined) return this.#sendOk(req);
    try {
      return await this.#sendOk(req);
    } catch (err) {
      if (req.signal?.aborted) throw err;
      return this.#sendOk({ ...req, url: req.fallbackUrl, fallbackUrl: undefined });
    }
  }

  /**
   * The response whatever its status (the proxy relays 401/403 and judges statuses itself); a
   * retryable status is retried first. Rejects with HttpError only when no response came.
   */
  async exchange(req: HttpRequest): Promise<HttpExchange> {
    const started = performance.now();
    const observe = (outcome: HttpObservation['outcome']) =>
      this.#observe?.({ endpoint: req.endpoint ?? 'other', outcome, seconds: (performance.now() - started) / 1000 });
    this.stats.requests++;
    const deadline = req.timeoutMs === undefined ? null : AbortSignal.timeout(req.timeoutMs);
    const signal = deadline && req.signal ? AbortSignal.any([req.signal, deadline]) : (deadline ?? req.signal ?? undefined);
    const headers: Record<string, string> = { ...(req.sdkHeaders === false ? {} : this.sdkHeaders(req.sdkKey)), ...req.headers };
    // A body that stalls is not handed to undici's retry handler (it would resume it with a Range
    // request, see ./retry); it is asked again whole, within the same retry count.
    const maxRetries = req.maxRetries ?? this.#http.maxRetries;
    for (let restart = 0; ; restart++) {
      try {
        return await this.#attempt(req, headers, signal, observe);
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        if (cause?.code !== 'UND_ERR_BODY_TIMEOUT' || restart >= maxRetries || signal?.aborted) throw err;
        this.stats.retries++;
        await sleep(getRetryDelayMs(restart, { baseMs: this.#http.retryBackoffMs, capMs: this.#http.retryBackoffMs * 16 }), signal);
      }
    }
  }

  async #attempt(
    req: HttpRequest,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    observe: (outcome: HttpObservation['outcome']) => void,
  ): Promise<HttpExchange> {
    const deadline = { aborted: false };
    const onAbort = () => (deadline.aborted = req.signal?.aborted !== true);
    // removed after the attempt: a caller's signal lives long (a delivery channel's, for every batch it sends)
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await request(req.url, {
        method: req.method,
        headers,
        body: req.body,
        signal,
        // a ranged read is the caller's own resumption: undici's retry handler must not rewrite it
        dispatcher: headers.range === undefined ? this.#dispatcher : this.#base,
        headersTimeout: this.#http.headersTimeoutMs,
        bodyTimeout: this.#http.bodyTimeoutMs,
        ...(req.maxRetries === undefined ? {} : { retryOptions: { maxRetries: req.maxRetries } }),
      } as Parameters<typeof request>[1]);
      const body = Buffer.from(await res.body.arrayBuffer());
      observe(res.statusCode);
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      // a retryable status whose retries are spent: undici reports it as an error; it is an answer
      if (err instanceof undiciErrors.RequestRetryError && err.message === 'Request failed' && RETRYABLE_STATUSES.has(err.statusCode)) {
        observe(err.statusCode);
        return { status: err.statusCode, headers: (err.headers ?? {}) as HttpExchange['headers'], body: Buffer.alloc(0) };
      }
      const e = toHttpError(err, req.url, deadline.aborted);
      observe(e.message.includes('aborted') ? 'aborted' : /timeout/i.test(e.message) ? 'timeout' : 'network');
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #sendOk(req: HttpRequest): Promise<HttpResponse> {
    let res: HttpExchange;
    try {
      res = await this.exchange(req);
    } catch (err) {
      this.stats.failures++;
      throw err;
    }
    if (res.status < 200 || res.status >= 300) {
      this.stats.failures++;
      throw new HttpError(`${req.method} ${redact(req.url)} answered ${res.status}`, res.status, RETRYABLE_STATUSES.has(res.status));
    }
    return { status: res.status, headers: res.headers, body: res.body.toString('utf8') };
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#base.close().catch(() => {});
  }
}

function toHttpError(err: unknown, url: string, timedOut: boolean): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { name?: string; code?: string; message?: string };
  if (timedOut) return new HttpError(`request to ${redact(url)} failed: timeout: no answer within its deadline`, null, true, { cause: err });
  if (e?.name === 'AbortError') return new HttpError(`request to ${redact(url)} aborted`, null, false, { cause: err });
  const what = e?.code ?? e?.name ?? 'error';
  return new HttpError(`request to ${redact(url)} failed: ${what}: ${e?.message ?? String(err)}`, null, true, { cause: err });
}

/** The server secret is part of the download_config_specs path; keep it out of messages and health. */
export function redact(url: string): string {
  return url.replace(/(\/download_config_specs\/)[^/?]+/, '$1<secret>');
}
