/**
 * A DataStore in process memory. Useful in tests and for several instances in one process; shares
 * nothing across processes.
 */
import type { DataStore, DataStorePath } from './data-store';

export interface MemoryDataStoreOptions {
  /** Make instances using this store followers: they poll it instead of the network. @default false */
  pollForUpdates?: boolean;
}

export class MemoryDataStore implements DataStore {
  readonly #entries = new Map<string, { result: string; time?: number }>();
  readonly #listeners = new Map<string, Set<(lcut: number) => void>>();
  readonly #poll: boolean;
  /** Number of get() and set() calls, for tests and health checks. */
  readonly stats = { gets: 0, sets: 0 };

  constructor(options: MemoryDataStoreOptions = {}) {
    this.#poll = options.pollForUpdates ?? false;
  }

  async initialize(): Promise<void> {}

  async get(key: string): Promise<{ result?: string; time?: number } | null> {
    this.stats.gets++;
    const entry = this.#entries.get(key);
    return entry ? { ...entry } : null;
  }

  async set(key: string, value: string, time?: number): Promise<void> {
    this.stats.sets++;
    this.#entries.set(key, time === undefined ? { result: value } : { result: value, time });
    for (const listener of this.#listeners.get(key) ?? []) listener(time ?? 0);
  }

  async shutdown(): Promise<void> {
    this.#listeners.clear();
  }

  supportsPollingUpdatesFor(_path: DataStorePath): boolean {
    return this.#poll;
  }

  subscribe(key: string, onUpdate: (lcut: number) => void): () => void {
    let set = this.#listeners.get(key);
    if (!set) this.#listeners.set(key, (set = new Set()));
    set.add(onUpdate);
    return () => set.delete(onUpdate);
  }
}
