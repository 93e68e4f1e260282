/**
 * Statsig's retry policy as an undici interceptor (undici's own RetryHandler, with our decision
 * function): retryable statuses and network errors are retried up to `maxRetries` times after a
 * full-jitter exponential delay capped at `capMs`, or after the server's Retry-After when it sends one
 * (obeyed up to MAX_RETRY_AFTER_MS); an aborted request is never retried, nor is its wait finished.
 * Per request, `retryOptions: { maxRetries }` overrides the count (log_event sends once: its queue
 * retries).
 *
 * Requests that carry their own Range (ID-list files) do not go through it (HttpClient sends them on
 * the plain dispatcher): undici's handler takes over Range for resuming and asserts on a 206 without
 * Content-Range, which statsig-node accepts; those reads are retried by the next sync instead.
 */
import { interceptors, type Dispatcher } from 'undici';
import { getRetryDelayMs } from './backoff';
import { RETRYABLE_STATUSES } from './http-error';

/** Retry-After is obeyed up to this long; a longer one fails the request (the caller's loop decides). */
export const MAX_RETRY_AFTER_MS = 30_000;

/** Connection-level failures worth another attempt (undici's defaults plus its timeouts). */
export const RETRYABLE_ERROR_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
];
// Not UND_ERR_BODY_TIMEOUT: undici's handler would resume a half-read body with a Range request, which
// a download_config_specs endpoint does not serve; the request fails and the sync loop asks again.

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly baseMs: number;
  readonly capMs: number;
  /** called before each retry (statistics) */
  readonly onRetry?: () => void;
  readonly random?: () => number;
}

type RetryFn = NonNullable<NonNullable<Parameters<typeof interceptors.retry>[0]>['retry']>;

/** Retry-After in ms (seconds or an HTTP date); 0 when absent or unreadable. */
export function retryAfterMs(h: string | string[] | undefined, now = Date.now()): number {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || v.trim() === '') return 0;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : 0;
}

export function statsigRetry(policy: RetryPolicy): Dispatcher.DispatcherComposeInterceptor {
  const decide: RetryFn = (err, { state, opts }, cb) => {
    const e = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> };
    const signal = (opts as { signal?: AbortSignal }).signal;
    const max = opts.retryOptions?.maxRetries ?? policy.maxRetries;
    if (signal?.aborted) return cb(err);
    if (e.code && e.code !== 'UND_ERR_REQ_RETRY' && !RETRYABLE_ERROR_CODES.includes(e.code)) return cb(err);
    if (typeof e.statusCode === 'number' && !RETRYABLE_STATUSES.has(e.statusCode)) return cb(err);
    if (state.counter > max) return cb(err);
    const after = retryAfterMs(e.headers?.['retry-after']);
    if (after > MAX_RETRY_AFTER_MS) return cb(err);
    const delay = Math.max(after, getRetryDelayMs(state.counter - 1, { baseMs: policy.baseMs, capMs: policy.capMs }, policy.random));
    policy.onRetry?.();
    const timer = setTimeout(done, delay);
    signal?.addEventListener('abort', stop, { once: true });
    function done() {
      signal?.removeEventListener('abort', stop);
      cb(null);
    }
    function stop() {
      clearTimeout(timer);
      cb(err);
    }
  };
  return interceptors.retry({
    maxRetries: policy.maxRetries,
    methods: ['GET', 'HEAD', 'POST'],
    statusCodes: [...RETRYABLE_STATUSES],
    errorCodes: [...RETRYABLE_ERROR_CODES],
    retry: decide,
    throwOnError: true,
  });
}
