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

/**
 * The verdict on one payload against the specs held (their lcut, or none): what SpecStore.apply and the
 * forward proxy's per-key sync both act on. `specs` is a payload that passed every check and is newer
 * than (or, with its own ID lists, as new as) the specs held; `time` is NaN when it has none.
 */
export type Judgement =
  | { readonly kind: 'specs'; readonly specs: Specs; readonly time: number }
  | { readonly kind: 'noUpdates' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'stale'; readonly time: number }
  | { readonly kind: 'rejected'; readonly error: Error };

export interface JudgeContext {
  /** The key the payload must be for ('' for a store without one: no key check). */
  readonly serverSecret: string;
  /** lcut of the specs held, or null when none are held (any good payload is then taken). */
  readonly heldLcut: number | null;
  readonly now: number;
}

/**
 * Judges a download_config_specs payload: truncated or malformed JSON, another key's answer, a payload
 * that fails validation are `rejected`; `has_updates: false` is `noUpdates` (checked after the key, as
 * statsig-node does: another key's answer is a failure, never a no-op); an older `time` than the specs
 * held is `stale`, the same `time` `unchanged` (unless the payload carries its own ID lists).
 */
export function judgeSpecs(payload: SpecPayload, c: JudgeContext): Judgement {
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
  if (c.serverSecret && typeof raw.hashed_sdk_key_used === 'string' && raw.hashed_sdk_key_used !== djb2(c.serverSecret)) {
    return reject(new SpecKeyMismatchError(`download_config_specs from ${payload.origin} was produced for another server key`));
  }
  if (isNoUpdatesPayload(json)) return { kind: 'noUpdates' };
  const time = typeof raw.time === 'number' ? raw.time : Number.NaN;
  if (c.heldLcut !== null && Number.isFinite(time)) {
    if (time < c.heldLcut) return { kind: 'stale', time };
    // a file payload carries its ID lists: the same specs with edited lists must still apply
    if (time === c.heldLcut && !payload.idLists) return { kind: 'unchanged' };
  }
  try {
    const specs = parseSpecs(json, {
      ...(c.serverSecret ? { serverSecret: c.serverSecret } : {}),
      ...(payload.idLists ? { idLists: payload.idLists } : {}),
      source: sourceKindOf(payload.origin),
      receivedAt: c.now,
    });
    return { kind: 'specs', specs, time };
  } catch (err) {
    return reject(err instanceof Error ? err : new SpecParseError(String(err)));
  }
}

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly lcut: number; readonly previousLcut: number }
  | Exclude<Judgement, { kind: 'specs' }>;

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
    const j = judgeSpecs(payload, { serverSecret: this.#serverSecret, heldLcut: this.#effective ? this.#lcut : null, now });
    if (j.kind === 'noUpdates' || j.kind === 'unchanged') {
      if (this.#effective) this.#confirmedAt = now;
      return j;
    }
    if (j.kind !== 'specs') return j;
    const { specs, time } = j;
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

function reject(error: Error): Extract<Judgement, { kind: 'rejected' }> {
  return { kind: 'rejected', error };
}
