/**
 * Statsig's log_event upstream: gzip JSON `{events, statsigMetadata}` with the SDK headers and
 * STATSIG-EVENT-COUNT. Retryable statuses and network errors surface as retryable DeliveryErrors;
 * the channel owns the retries, so each send is a single attempt.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { HttpError } from '../../net/http-error';
import { SDK_TYPE, SDK_VERSION, type HttpClient } from '../../net/http-client';
import type { StatsigEvent } from '../event';
import { DeliveryError, type EventSink } from '../event-sink';

const gzipAsync = promisify(gzip);

export class StatsigLogEventSink implements EventSink {
  readonly name = 'statsig';
  readonly #client: HttpClient;
  readonly #url: string;

  constructor(client: HttpClient, apiForLogEvent: string) {
    this.#client = client;
    this.#url = `${apiForLogEvent}/log_event`;
  }

  async send(batch: readonly StatsigEvent[], signal: AbortSignal): Promise<void> {
    const body = JSON.stringify({
      events: batch,
      statsigMetadata: {
        sdkType: SDK_TYPE,
        sdkVersion: SDK_VERSION,
        languageVersion: process.versions.node,
        sessionID: this.#client.sessionID,
      },
    });
    try {
      await this.#client.send({
        method: 'POST',
        url: this.#url,
        headers: { 'content-encoding': 'gzip', 'statsig-event-count': String(batch.length) },
        body: await gzipAsync(body),
        signal,
        maxRetries: 0,
      });
    } catch (err) {
      const retryable = err instanceof HttpError ? err.retryable : true;
      throw new DeliveryError(`log_event: ${(err as Error).message}`, retryable, { cause: err });
    }
  }
}
