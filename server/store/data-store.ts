/**
 * A shared store of specs (and ID lists) between instances, shaped like statsig-node's IDataAdapter so
 * existing adapters port with little change.
 */
import { createHash } from 'node:crypto';

export type DataStorePath = '/v1/download_config_specs' | '/v2/download_config_specs' | '/v1/get_id_lists';

export interface DataStore {
  initialize(): Promise<void>;
  get(key: string): Promise<{ result?: string; time?: number } | null>;
  set(key: string, value: string, time?: number): Promise<void>;
  shutdown(): Promise<void>;
  /** true when the SDK should poll this store for updates of this key (a follower instance) */
  supportsPollingUpdatesFor?(path: DataStorePath): boolean;
  /** optional push: called with the new lcut when another instance wrote newer specs */
  subscribe?(key: string, onUpdate: (lcut: number) => void): () => void;
}

/**
 * Statsig's Redis adapter key scheme. The secret itself never appears in a key, only its
 * base64 SHA-256.
 */
export function dataStoreKey(serverSecret: string, path: DataStorePath): string {
  const hashed = createHash('sha256').update(serverSecret).digest('base64');
  return `statsig|${path}|plain_text|${hashed}`;
}
