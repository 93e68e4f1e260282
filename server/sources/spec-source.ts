/**
 * A spec source yields raw download_config_specs payloads tagged with their origin. It knows nothing of
 * validation, ordering or timing: the spec store judges payloads, the sync loop owns timing.
 */
import type { SpecSourceName } from '../options';

export interface SpecPayload {
  readonly origin: SpecSourceName;
  /** The download_config_specs JSON as received. */
  readonly text: string;
  /** Raw ID lists that travel with file-based specs (`{ "<list>": ["id", …] }`). */
  readonly idLists?: Readonly<Record<string, readonly string[]>>;
}

export interface SpecSource {
  readonly name: SpecSourceName;
  /**
   * The current payload, or null when the source has nothing new since the last load. Rejects with a
   * SourceUnavailableError when the source cannot be read.
   */
  load(sinceTime: number, signal: AbortSignal): Promise<SpecPayload | null>;
  /** Calls `onChange` when the source knows it changed (file watch, store push). Returns an unsubscribe. */
  watch?(onChange: () => void): () => void;
  close?(): Promise<void>;
}
