/**
 * Holds the compiled specs in force and judges every candidate payload. Good specs are only ever
 * replaced by newer good specs: a payload that is truncated, fails validation, belongs to another key
 * or is older than the specs in force is refused; `has_updates: false` is a no-op. The swap is a single
 * reference assignment, so a reader sees either the old or the new specs, never a mix.
 */
import { djb2, isNoUpdatesPayload, parseSpecs, withIdLists, type Specs } from '../../lib/index';
import { SpecKeyMismatchError, SpecParseError } from '../../lib/errors';
import type { SpecSourceKind } from '../../lib/types';
import type { SpecSourceName } from '../options';
import type { SpecPayload } from '../sources/spec-source';

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly lcut: number; readonly previousLcut: number }
  | { readonly kind: 'noUpdates' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'stale'; readonly time: number }
  | { readonly kind: 'rejected'; readonly error: Error };

/** Maps where specs came from to the evaluation reason Statsig reports for them. */
export function sourceKindOf(origin: SpecSourceName): SpecSourceKind {
  switch (origin) {
    case 'network':
      return 'Network';
    case 'dataStore':
      return 'DataAdapter';
    case 'bootstrap':
    case 'file':
      return 'Bootstrap';
  }
}

export class SpecStore {
  readonly #serverSecret: string;
  readonly #expectedKeyHash: string | null;
  #base: Specs | null = null;
  #baseHasOwnLists = false;
  #idLists: ReadonlyMap<string, ReadonlySet<string>> | null = null;
  #effective: Specs | null = null;
  #lcut = 0;
  #origin: SpecSourceName | null = null;
  #receivedAt = 0;
  #confirmedAt = 0;

  constructor(serverSecret: string) {
    this.#serverSecret = serverSecret;
    this.#expectedKeyHash = serverSecret ? djb2(serverSecret) : null;
  }

  /** The specs in force (with synced ID lists applied), or null before any arrived. */
  current(): Specs | null {
    return this.#effective;
  }

  get lcut(): number {
    return this.#lcut;
  }
  get origin(): SpecSourceName | null {
    return this.#origin;
  }
  get receivedAt(): number {
    return this.#receivedAt;
  }
  /** When a source last confirmed the specs in force are current (applied, unchanged or has_updates:false). */
  get confirmedAt(): number {
    return this.#confirmedAt;
  }

  apply(payload: SpecPayload, now = Date.now()): ApplyOutcome {
    let json: unknown;
    try {
      json = JSON.parse(payload.text);
    } catch (err) {
      return reject(new SpecParseError(`download_config_specs from ${payload.origin} is not complete JSON (${(err as Error).message})`, [], { cause: err }));
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return reject(new SpecParseError(`download_config_specs from ${payload.origin} is not a JSON object`));
    }
    const raw = json as { hashed_sdk_key_used?: unknown; time?: unknown };
    // checked before has_updates, as statsig-node does: another key's answer is a failure, never a no-op
    if (this.#expectedKeyHash !== null && typeof raw.hashed_sdk_key_used === 'string' && raw.hashed_sdk_key_used !== this.#expectedKeyHash) {
      return reject(new SpecKeyMismatchError(`download_config_specs from ${payload.origin} was produced for another server key`));
    }
    if (isNoUpdatesPayload(json)) {
      if (this.#effective) this.#confirmedAt = now;
      return { kind: 'noUpdates' };
    }
    const time = typeof raw.time === 'number' ? raw.time : Number.NaN;
    if (this.#effective && Number.isFinite(time)) {
      if (time < this.#lcut) return { kind: 'stale', time };
      // a file payload carries its ID lists: the same specs with edited lists must still apply
      if (time === this.#lcut && !payload.idLists) {
        this.#confirmedAt = now;
        return { kind: 'unchanged' };
      }
    }
    let specs: Specs;
    try {
      specs = parseSpecs(json, {
        ...(this.#serverSecret ? { serverSecret: this.#serverSecret } : {}),
        ...(payload.idLists ? { idLists: payload.idLists } : {}),
        source: sourceKindOf(payload.origin),
        receivedAt: now,
      });
    } catch (err) {
      return reject(err instanceof Error ? err : new SpecParseError(String(err)));
    }
    const previousLcut = this.#lcut;
    this.#base = specs;
    this.#baseHasOwnLists = payload.idLists !== undefined;
    this.#lcut = Number.isFinite(time) ? time : now;
    this.#origin = payload.origin;
    this.#receivedAt = now;
    this.#confirmedAt = now;
    // file payloads carry their own lists; synced lists apply to everything else
    this.#effective = this.#idLists && !this.#baseHasOwnLists ? withIdLists(specs, this.#idLists) : specs;
    return { kind: 'applied', lcut: this.#lcut, previousLcut };
  }

  /** Applies synced ID lists (hashed 8-char IDs) to the specs in force and to every later payload. */
  setIdLists(lists: ReadonlyMap<string, ReadonlySet<string>>): void {
    this.#idLists = lists;
    if (this.#base && !this.#baseHasOwnLists) this.#effective = withIdLists(this.#base, lists);
  }
}

function reject(error: Error): ApplyOutcome {
  return { kind: 'rejected', error };
}
