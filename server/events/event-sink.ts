/** Where batches of events go. A sink sends one batch at a time; the pipeline owns retries. */
import type { StatsigEvent } from './event';

export interface BatchMeta {
  readonly batchId: string;
}

export interface EventSink<T = StatsigEvent> {
  readonly name: string;
  /**
   * Delivers the batch or rejects; reject with a DeliveryError to say whether a retry can help.
   * `meta.batchId` is the same for every attempt of a batch, also after a restart (spooled batches):
   * a sink that records it can make a repeated delivery a no-op.
   */
  send(batch: readonly T[], signal: AbortSignal, meta: BatchMeta): Promise<void>;
  /**
   * Awaited by `Statsig.initialize()`: a sink that cannot work at all (an optional package it needs
   * is missing) rejects here, at start, rather than on its first batch.
   */
  open?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A failed delivery. `retryable` false drops the batch at once (e.g. HTTP 400/401/413); `retryAfterMs`
 * is the least wait before the next attempt (the receiver's Retry-After).
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  readonly code = 'FL_ERR_DELIVERY';
  readonly retryable: boolean;
  readonly retryAfterMs: number;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryable = retryable;
    this.retryAfterMs = options?.retryAfterMs ?? 0;
  }
}
