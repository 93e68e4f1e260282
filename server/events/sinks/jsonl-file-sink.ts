/** The local event log: one JSON event per line, appended. What a user without a Statsig account reads. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StatsigEvent } from '../event';
import { DeliveryError, type EventSink } from '../event-sink';

export class JsonlFileSink implements EventSink {
  readonly name = 'file';
  readonly path: string;
  #dirReady = false;

  constructor(path: string) {
    this.path = path;
  }

  async send(batch: readonly StatsigEvent[]): Promise<void> {
    let text = '';
    for (const e of batch) text += JSON.stringify(e) + '\n';
    try {
      if (!this.#dirReady) {
        await mkdir(dirname(this.path), { recursive: true });
        this.#dirReady = true;
      }
      // one write per batch, so a batch is either in the file or retried whole
      await appendFile(this.path, text, 'utf8');
    } catch (err) {
      this.#dirReady = false;
      throw new DeliveryError(`event log ${this.path}: ${(err as Error).message}`, true, { cause: err });
    }
  }
}
