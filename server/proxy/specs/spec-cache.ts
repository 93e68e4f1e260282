/**
 * The proxy's specs, one KeySync per (SDK key, format), with eviction under --max-sdk-keys, a cap on
 * how many unknown keys are verified with upstream per minute, and subscriptions for every new lcut
 * and every key upstream turns down (the gRPC stream server pushes from them):
 *
 *   const off = cache.onSpecs(({ sdkKey, version, lcut, body }) => push(sdkKey, version, body));
 *   const off2 = cache.onRefused(({ sdkKey, version, status }) => endStreams(sdkKey, version));
 */
import type { RedisDataStore } from '../../fleet/redis-data-store';
import type { Counter } from '../metrics';
import type { ProxyOptions } from '../options';
import type { Upstream } from '../upstream';
import type { DcsVersion } from './cached-specs';
import { KeySync, keySyncId } from './key-sync';
import { VerificationBudget } from './verification-budget';

/**
 * A new lcut of a key (from upstream or from the shared store), announced as soon as its payload passed
 * the checks; the key's `specs` (with the gzip and br forms HTTP serves) follow a few ms later.
 */
export interface SpecUpdate {
  readonly sdkKey: string;
  readonly version: DcsVersion;
  readonly lcut: number;
  /** the payload as upstream sent it (JSON) */
  readonly body: Buffer;
  /** performance.now() when this proxy received the payload's bytes */
  readonly learnedAt: number;
}

export type SpecListener = (update: SpecUpdate) => void;

/** A key upstream now refuses (401/403 from upstream, or the fleet writer's verdict). */
export interface KeyRefusal {
  readonly sdkKey: string;
  readonly version: DcsVersion;
  readonly status: 401 | 403;
}

/** Why a key cannot be looked up now: every slot holds a healthy key, or the verification budget is spent. */
export type LookupRefusal = { readonly refused: 'too-many-keys' } | { readonly refused: 'verification-budget'; readonly retryAfterSeconds: number };

export interface SpecCacheDeps {
  readonly options: Pick<ProxyOptions, 'pollingIntervalMs' | 'clearOnUnauthorized' | 'maxSdkKeys' | 'maxKeyVerificationsPerMinute'>;
  readonly upstream: Upstream;
  readonly store: RedisDataStore | null;
  readonly counters: { readonly polls: Counter; readonly installs: Counter; readonly rejected: Counter; readonly evictions: Counter; readonly verificationsRefused: Counter };
  readonly log: (level: 'debug' | 'info' | 'warn', msg: string) => void;
}

export class SpecCache {
  readonly #keys = new Map<string, KeySync>();
  readonly #listeners = new Set<SpecListener>();
  readonly #refusalListeners = new Set<(r: KeyRefusal) => void>();
  readonly #budget: VerificationBudget;
  readonly #d: SpecCacheDeps;
  #stopped = false;

  constructor(deps: SpecCacheDeps) {
    this.#d = deps;
    this.#budget = new VerificationBudget(deps.options.maxKeyVerificationsPerMinute);
  }

  get size(): number {
    return this.#keys.size;
  }

  keys(): IterableIterator<KeySync> {
    return this.#keys.values();
  }

  /** Calls `listener` for every newly installed lcut of any key; returns the unsubscribe. */
  onSpecs(listener: SpecListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` whenever a key turns refused; returns the unsubscribe. */
  onRefused(listener: (r: KeyRefusal) => void): () => void {
    this.#refusalListeners.add(listener);
    return () => this.#refusalListeners.delete(listener);
  }

  /** The key's sync, created (and verified with upstream) on first sight. */
  async lookup(sdkKey: string, version: DcsVersion = 'v1'): Promise<KeySync | LookupRefusal> {
    let k = this.#keys.get(keySyncId(sdkKey, version));
    if (!k) {
      if (this.#stopped) return { refused: 'too-many-keys' };
      if (this.#keys.size >= this.#d.options.maxSdkKeys && !this.#evictOne()) return { refused: 'too-many-keys' };
      if (!this.#budget.take()) {
        this.#d.counters.verificationsRefused.inc();
        return { refused: 'verification-budget', retryAfterSeconds: this.#budget.retryAfterSeconds() };
      }
      k = this.#create(sdkKey, version);
    } else {
      k.touch();
    }
    if (k.state.kind === 'verifying') await k.ready;
    return k;
  }

  /** Synchronous fast path for the hot endpoint: the key's sync if it is past its first verification. */
  peek(sdkKey: string, version: DcsVersion = 'v1'): KeySync | undefined {
    const k = this.#keys.get(keySyncId(sdkKey, version));
    if (!k || k.state.kind === 'verifying') return undefined;
    k.touch();
    return k;
  }

  /** The proxy took the writer lease for a data key. */
  async onLeaderGained(dataKey: string): Promise<void> {
    for (const k of this.#keys.values()) if (k.dataKey === dataKey) await k.onLeaderGained();
  }

  stop(): void {
    this.#stopped = true;
    for (const k of this.#keys.values()) k.stop();
  }

  #create(sdkKey: string, version: DcsVersion): KeySync {
    const k = new KeySync(sdkKey, version, {
      options: this.#d.options,
      upstream: this.#d.upstream,
      store: this.#d.store,
      counters: this.#d.counters,
      log: this.#d.log,
      mayVerify: () => this.#budget.take(),
      onNewLcut: (key, u) => this.#tell(this.#listeners, { sdkKey: key.sdkKey, version: key.version, lcut: u.lcut, body: u.body, learnedAt: u.learnedAt }, key),
      onRefused: (key, status) => this.#tell(this.#refusalListeners, { sdkKey: key.sdkKey, version: key.version, status }, key),
    });
    this.#keys.set(k.id, k);
    return k;
  }

  #tell<T>(listeners: ReadonlySet<(x: T) => void>, x: T, k: KeySync): void {
    for (const l of listeners) {
      try {
        l(x);
      } catch (err) {
        this.#d.log('warn', `key ${k.label}: a specs listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Evicts the least recently asked-for key that has no servable specs; false if every key is healthy. */
  #evictOne(): boolean {
    let victim: KeySync | null = null;
    for (const k of this.#keys.values()) {
      const kind = k.state.kind;
      if (kind === 'ok' || kind === 'verifying') continue;
      if (!victim || k.lastSeen < victim.lastSeen) victim = k;
    }
    if (!victim) return false;
    victim.stop();
    this.#keys.delete(victim.id);
    // an evicted key must not keep a lease (and its renewals) in the shared store
    void this.#d.store?.release(victim.dataKey).catch(() => {});
    this.#d.counters.evictions.inc();
    return true;
  }
}
