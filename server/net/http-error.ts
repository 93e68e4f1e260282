/** A failed HTTP exchange: a status outside 2xx (`status` set) or a network/timeout error (`status` null). */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly code = 'FL_ERR_HTTP';
  readonly status: number | null;
  readonly retryable: boolean;
  constructor(message: string, status: number | null, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.retryable = retryable;
  }
}

/** Statsig's retryable statuses (statsig-node and js-client agree); anything else in 4xx/5xx is final. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504, 522, 524, 599]);
