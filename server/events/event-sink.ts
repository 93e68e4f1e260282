/** Where batches of events go. A sink sends one batch at a time; the pipeline owns retries. */
import type { StatsigEvent } from './event';

export interface BatchMeta {
  readonly batchId: string;
}

export interface EventSink {
  readonly name: string;
  /**
   * Delivers the batch or rejects; reject with a DeliveryError to say whether a retry can help.
   * `meta.batchId` is the same for every attempt of a batch, also after a restart (spooled batches):
   * a sink that records it can make a repeated delivery a no-op.
   */
  send(batch: readonly StatsigEvent[], signal: AbortSignal, meta: BatchMeta): Promise<void>;
  close?(): Promise<void>;
}

/** A failed delivery. `retryable` false drops the batch at once (e.g. HTTP 400/401/413). */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  readonly code = 'FL_ERR_DELIVERY';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.retryable = retryable;
  }
}
