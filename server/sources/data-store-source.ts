/** Specs from a shared DataStore under Statsig's key scheme (a follower reads what the writer stored). */
import { SourceUnavailableError } from '../../lib/errors';
import { dataStoreKey, type DataStore } from '../store/data-store';
import type { SpecPayload, SpecSource } from './spec-source';

export class DataStoreSource implements SpecSource {
  readonly name = 'dataStore' as const;
  readonly key: string;
  readonly #store: DataStore;
  #lastText: string | null = null;

  constructor(store: DataStore, serverSecret: string) {
    this.#store = store;
    this.key = dataStoreKey(serverSecret, '/v1/download_config_specs');
  }

  async load(sinceTime: number): Promise<SpecPayload | null> {
    let entry: { result?: string; time?: number } | null;
    try {
      entry = await this.#store.get(this.key);
    } catch (err) {
      throw new SourceUnavailableError(`firstlight: data store get failed: ${(err as Error).message}`, { cause: err });
    }
    if (!entry || typeof entry.result !== 'string' || entry.result.length === 0) {
      throw new SourceUnavailableError('firstlight: data store holds no specs for this key');
    }
    // unchanged since the last read: nothing to judge again
    if (entry.result === this.#lastText) return null;
    if (typeof entry.time === 'number' && entry.time > 0 && entry.time < sinceTime) return null;
    this.#lastText = entry.result;
    return { origin: 'dataStore', text: entry.result };
  }

  watch(onChange: () => void): () => void {
    return this.#store.subscribe?.(this.key, () => onChange()) ?? (() => {});
  }
}
