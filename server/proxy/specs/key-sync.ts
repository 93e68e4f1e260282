/**
 * The specs of one SDK key in one format (v1 or v2), kept current.
 *
 * cache=local: the proxy polls upstream for the key itself.
 * cache=redis: the holder of the key's writer lease polls upstream and writes the payload to the shared
 * store (compare-and-set on lcut, announced on the key's channel); the other proxies load it when the
 * announcement arrives, and check the stored lcut and the writer's verdict every interval as a safety
 * net. While Redis is unreachable every proxy polls upstream itself.
 *
 * The first sight of a key is verified with upstream (the shared copy answers only when upstream
 * cannot be reached), so an unknown or revoked key gets upstream's 401/403, never specs. Every payload,
 * from upstream or the store, is judged as the SDK judges its own (`judgeSpecs`, SpecStore's judge):
 * complete JSON, this key's `hashed_sdk_key_used`, the core's full parse, newer than the specs held.
 *
 * Polling: a key with specs is polled every interval (backing off while failing). A key without specs
 * (refused, or nothing reachable) is checked again only when a client asks for it and the interval has
 * passed, and only within the proxy's verification budget: made-up keys cost nothing while nobody asks.
 */
import { SpecKeyMismatchError } from '../../../lib/errors';
import { dataStoreKey, keyLabel } from '../../fleet/keys';
import type { AuthVerdict, RedisDataStore } from '../../fleet/redis-data-store';
import { judgeSpecs, type Judgement } from '../../sync/spec-store';
import type { Counter } from '../metrics';
import type { ProxyOptions } from '../options';
import type { Upstream } from '../upstream';
import { encodeSpecs, type CachedSpecs, type DcsVersion } from './cached-specs';

/** Where a key stands. Specs are present exactly where the type says so. */
export type KeyState =
  /** first sight: upstream (and the shared store) are being asked */
  | { readonly kind: 'verifying'; readonly specs: null }
  /** serving specs; `error` is the last failure since they were last confirmed (null: all well) */
  | { readonly kind: 'ok'; readonly specs: CachedSpecs; readonly error: string | null }
  /** upstream refused the key; the old specs stay only without --clear-on-unauthorized (never served) */
  | { readonly kind: 'refused'; readonly status: 401 | 403; readonly specs: CachedSpecs | null }
  /** no specs and no verdict: upstream unreachable or its payload invalid, nothing in the shared store */
  | { readonly kind: 'unavailable'; readonly specs: null; readonly error: string };

export interface KeySyncDeps {
  readonly options: Pick<ProxyOptions, 'pollingIntervalMs' | 'clearOnUnauthorized'>;
  readonly upstream: Upstream;
  readonly store: RedisDataStore | null;
  readonly counters: { readonly polls: Counter; readonly installs: Counter; readonly rejected: Counter };
  readonly log: (level: 'debug' | 'info' | 'warn', msg: string) => void;
  /** Asked before re-checking a key that has no specs; false when the verification budget is spent. */
  readonly mayVerify: () => boolean;
  /**
   * Called once for every new lcut, as soon as its payload passed the checks (from upstream or the
   * store) and before the compressed forms for HTTP are made: the gRPC streams push from it. `learnedAt`
   * is performance.now() when the payload's bytes arrived. Must not throw.
   */
  readonly onNewLcut: (key: KeySync, update: NewLcut) => void;
  /** Called when the key turns refused (upstream's 401/403, or the writer's verdict). Must not throw. */
  readonly onRefused: (key: KeySync, status: 401 | 403) => void;
}

export interface NewLcut {
  readonly lcut: number;
  readonly body: Buffer;
  readonly learnedAt: number;
}

type PollResult = 'ok' | 'refused' | 'failed';

export class KeySync {
  readonly id: string;
  readonly version: DcsVersion;
  readonly sdkKey: string;
  /** a non-reversible label for health, metrics and logs */
  readonly label: string;
  readonly dataKey: string;
  /** resolves (never rejects) once the first verification is done */
  readonly ready: Promise<void>;
  /** wall-clock ms of the last request for this key */
  lastSeen = Date.now();
  readonly #d: KeySyncDeps;
  #state: KeyState = { kind: 'verifying', specs: null };
  /** the failure seen while verifying (becomes the error of `unavailable`) */
  #verifyError: string | null = null;
  /** wall-clock ms of the last confirmation that the specs are current (upstream or store) */
  #confirmedAt = 0;
  #failures = 0;
  #nextCheckAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #reloading: Promise<void> | null = null;
  #reloadAgain = false;
  #unsubscribe: (() => void) | null = null;
  #stopped = false;
  /** the newest lcut handed to onNewLcut (it may be ahead of `specs` while those are compressed) */
  #announcedLcut = 0;

  constructor(sdkKey: string, version: DcsVersion, deps: KeySyncDeps) {
    this.id = keySyncId(sdkKey, version);
    this.version = version;
    this.sdkKey = sdkKey;
    this.label = version === 'v1' ? keyLabel(sdkKey) : `${keyLabel(sdkKey)}/v2`;
    this.dataKey = dataStoreKey(sdkKey, `/${version}/download_config_specs`);
    this.#d = deps;
    this.ready = this.#firstLoad()
      .catch((err: unknown) => this.#failed(`verification failed: ${(err as Error).message}`))
      .then(() => this.#scheduleNext());
  }

  get state(): KeyState {
    return this.#state;
  }
  get specs(): CachedSpecs | null {
    return this.#state.specs;
  }
  get confirmedAt(): number {
    return this.#confirmedAt;
  }
  /** The last failure worth reporting (a refusal is a verdict, not a failure). */
  get lastError(): string | null {
    const s = this.#state;
    return s.kind === 'ok' || s.kind === 'unavailable' ? s.error : s.kind === 'refused' ? `upstream answered ${s.status}` : this.#verifyError;
  }
  isLeader(): boolean {
    return !!this.#d.store && this.#d.store.isLeader(this.dataKey);
  }

  /** A client asked for the key: a key without specs is re-checked now if it is due and the budget allows. */
  touch(now = Date.now()): void {
    this.lastSeen = now;
    if (this.#state.specs || this.#busy || this.#stopped || this.#state.kind === 'verifying' || now < this.#nextCheckAt) return;
    if (!this.#d.mayVerify()) return;
    void this.#check();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** This proxy took the writer lease: make sure the store has our copy. */
  async onLeaderGained(): Promise<void> {
    const s = this.#state;
    if (this.#d.store && s.kind === 'ok') await this.#d.store.write(this.dataKey, s.specs.body.toString('utf8'), s.specs.lcut);
  }

  /**
   * The lease holder's duty, checked every interval: the store holds specs at least as new as ours.
   * The write that follows an upstream change can miss its moment — the lease's validity lapsed while a
   * renewal crawled through a Cluster failover, or the slot's master died before replicating it — and
   * upstream answers "no update" from then on, so without this the fleet would wait for the next change
   * (seen in the cluster fleet test: the leader held the new lcut, the store and every follower the old).
   * One HGET per interval; a write only when the store is behind.
   */
  async #storeOurs(store: RedisDataStore): Promise<void> {
    const s = this.#state;
    if (s.kind !== 'ok') return;
    let stored: number | null;
    try {
      stored = await store.getTime(this.dataKey);
    } catch (err) {
      this.#noteError(`shared store: ${(err as Error).message}`);
      return;
    }
    if (stored !== null && stored >= s.specs.lcut) return;
    const outcome = await store.write(this.dataKey, s.specs.body.toString('utf8'), s.specs.lcut);
    this.#d.log('debug', `key ${this.label}: the store held lcut ${stored ?? 'none'}, ours is ${s.specs.lcut}: store write ${outcome}`);
  }

  // ---- timing -------------------------------------------------------------------------------------

  #scheduleNext(): void {
    if (this.#stopped) return;
    const backoff = this.#failures > 0 ? Math.min(2 ** (this.#failures - 1), 8) : 1;
    const delay = this.#d.options.pollingIntervalMs * backoff * (0.9 + Math.random() * 0.2);
    this.#nextCheckAt = Date.now() + delay;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    // a key without specs waits for a client to ask (touch)
    if (!this.#state.specs) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#check();
    }, delay);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const store = this.#d.store;
      if (!store || !store.connected || this.isLeader()) {
        await this.#pollUpstream();
        if (store && this.isLeader()) await this.#storeOurs(store);
      } else {
        // a store that answers nothing for this key while connected (a Redis Cluster slot whose master
        // just died, until a replica takes over) leaves no writer polling: follow upstream meanwhile
        const ok = await this.#followerCheck(store).then(() => true, (err: unknown) => (this.#noteError(`shared store: ${(err as Error).message}`), false));
        if (!ok) await this.#pollUpstream();
      }
    } catch (err) {
      this.#noteError((err as Error).message);
    } finally {
      this.#busy = false;
      this.#scheduleNext();
    }
  }

  // ---- loading ------------------------------------------------------------------------------------

  async #firstLoad(): Promise<void> {
    const store = this.#d.store;
    if (store) {
      this.#unsubscribe = store.subscribe(this.dataKey, () => void this.#reloadFromStore());
      await store.contend(this.dataKey).catch(() => false);
    }
    await Promise.all([this.#pollUpstream(), store ? this.#reloadFromStore() : Promise.resolve()]);
    if (this.#state.kind === 'verifying') {
      // upstream could not answer and the store had nothing valid for this key
      this.#state = { kind: 'unavailable', specs: null, error: this.#verifyError ?? 'no specs for this key' };
    }
  }

  /** Follower safety net: the stored lcut (announcements can be missed) and the writer's verdict. */
  async #followerCheck(store: RedisDataStore): Promise<void> {
    const { time, verdict } = await store.followerView(this.dataKey);
    const s = this.#state;
    if (verdict === 401 || verdict === 403) {
      this.#refuse(verdict);
      return;
    }
    // only the writer's explicit "ok" lifts a refusal; no verdict yet (or none left) changes nothing
    if (verdict === 'ok' && s.kind === 'refused' && s.specs) this.#state = { kind: 'ok', specs: s.specs, error: null };
    if ((time ?? 0) > (this.specs?.lcut ?? 0)) await this.#reloadFromStore();
    else if (this.specs) this.#confirmedAt = Date.now();
  }

  /** Polls upstream once; installs newer specs; as lease holder writes them to the shared store. */
  async #pollUpstream(): Promise<PollResult> {
    this.#d.counters.polls.inc();
    const since = this.specs?.lcut ?? 0;
    let status: number;
    let text: string;
    let body: Buffer;
    let learnedAt: number;
    try {
      const res = await this.#d.upstream.dcs(this.sdkKey, since, this.version);
      learnedAt = performance.now();
      status = res.status;
      body = res.body;
      text = res.body.toString('utf8');
    } catch (err) {
      return this.#failed(`upstream: ${(err as Error).message}`);
    }
    if (status === 401 || status === 403) {
      await this.#refusedByUpstream(status);
      return 'refused';
    }
    if (status < 200 || status >= 300) return this.#failed(`upstream answered ${status}`);
    const j = this.#judge(text, 'upstream');
    if (j.kind === 'rejected') return this.#failed(`upstream payload rejected: ${j.error.message}`);
    this.#failures = 0;
    this.#verifyError = null;
    // the writer's verdict for followers: "ok" lifts a refusal, and it is renewed every poll
    const verdict = this.#writeVerdict('ok');
    if (j.kind === 'specs') {
      // streams first, then the fleet's announcement, then the compressed forms for HTTP: a push waits
      // for nothing it does not need
      this.#announceNew(j.lcut, body, learnedAt);
      const store = this.#d.store;
      const stored =
        store && this.isLeader()
          ? store.write(this.dataKey, text, j.lcut).then((outcome) => this.#d.log('debug', `key ${this.label}: lcut ${j.lcut} from upstream, store write ${outcome}`))
          : null;
      await Promise.all([this.#install(body, j.lcut, 'upstream'), stored, verdict]);
    } else {
      await verdict;
    }
    const specs = this.specs;
    if (specs) {
      this.#state = { kind: 'ok', specs, error: null };
      this.#confirmedAt = Date.now();
    }
    return 'ok';
  }

  /** Load the shared copy when it is newer than ours (coalesced: at most one read in flight). */
  #reloadFromStore(): Promise<void> {
    if (this.#reloading) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#reloadAgain = false;
        await this.#reloadOnce();
      } while (this.#reloadAgain && !this.#stopped);
    })().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  async #reloadOnce(): Promise<void> {
    const store = this.#d.store;
    if (!store || !store.connected) return;
    let v;
    try {
      v = await store.get(this.dataKey);
    } catch {
      return;
    }
    const learnedAt = performance.now();
    if (!v?.result || typeof v.time !== 'number' || !(v.time > (this.specs?.lcut ?? 0))) return;
    if (this.#state.kind === 'refused' && this.#d.options.clearOnUnauthorized) return;
    const j = this.#judge(v.result, 'store', v.time);
    if (j.kind !== 'specs') return;
    const body = Buffer.from(v.result, 'utf8');
    this.#announceNew(j.lcut, body, learnedAt);
    await this.#install(body, j.lcut, 'store');
    this.#confirmedAt = Date.now();
    this.#d.log('debug', `key ${this.label}: lcut ${j.lcut} from the shared store`);
  }

  /**
   * SpecStore's judge on a payload for this key, against the specs held; refusals and older payloads
   * counted. A payload without `time` (statsig-node loads one) is held at the lcut the store gave it, or
   * else at now as the SDK holds it, unless it is the very payload held: then it is unchanged, not a new
   * lcut every poll.
   */
  #judge(text: string, source: 'upstream' | 'store', storedLcut?: number): Exclude<Judgement, { kind: 'specs' }> | { kind: 'specs'; lcut: number } {
    const held = this.specs;
    const now = Date.now();
    const j = judgeSpecs({ origin: source === 'upstream' ? 'network' : 'dataStore', text }, { serverSecret: this.sdkKey, heldLcut: held?.lcut ?? null, now });
    if (j.kind === 'rejected') {
      this.#d.counters.rejected.inc({ source, reason: j.error instanceof SpecKeyMismatchError ? 'key_mismatch' : 'invalid' });
      return j;
    }
    if (j.kind === 'stale') this.#d.counters.rejected.inc({ source, reason: 'older' });
    if (j.kind !== 'specs') return j;
    if (Number.isFinite(j.time)) return { kind: 'specs', lcut: j.time };
    if (held && held.body.equals(Buffer.from(text, 'utf8'))) return { kind: 'unchanged' };
    return { kind: 'specs', lcut: storedLcut ?? Math.max(now, (held?.lcut ?? 0) + 1) };
  }

  // ---- transitions --------------------------------------------------------------------------------

  /** A checked payload newer than anything announced: the streams get it now (not while refused). */
  #announceNew(lcut: number, body: Buffer, learnedAt: number): void {
    if (this.#stopped || lcut <= this.#announcedLcut || lcut <= (this.specs?.lcut ?? 0) || this.#state.kind === 'refused') return;
    this.#announcedLcut = lcut;
    this.#d.onNewLcut(this, { lcut, body, learnedAt });
  }

  async #install(body: Buffer, lcut: number, from: CachedSpecs['from']): Promise<void> {
    const specs = await encodeSpecs(body, lcut, from);
    if (this.#stopped || lcut <= (this.specs?.lcut ?? 0)) return; // stopped, or a newer one was installed meanwhile
    const s = this.#state;
    const hadSpecs = s.specs !== null;
    switch (s.kind) {
      case 'refused':
        this.#state = { kind: 'refused', status: s.status, specs };
        break;
      case 'ok':
        this.#state = { kind: 'ok', specs, error: s.error };
        break;
      case 'unavailable':
        this.#state = { kind: 'ok', specs, error: s.error };
        break;
      case 'verifying':
        this.#state = { kind: 'ok', specs, error: this.#verifyError };
        break;
    }
    this.#d.counters.installs.inc({ from });
    // a key that had no specs waited for clients; now it is polled
    if (!hadSpecs && !this.#busy && this.#timer === null && s.kind !== 'verifying') this.#scheduleNext();
  }

  #failed(msg: string): 'failed' {
    this.#failures++;
    this.#noteError(msg);
    this.#d.log('warn', `key ${this.label}: ${msg}`);
    return 'failed';
  }

  #noteError(msg: string): void {
    const s = this.#state;
    if (s.kind === 'verifying') this.#verifyError = msg;
    else if (s.kind === 'ok') this.#state = { kind: 'ok', specs: s.specs, error: msg };
    else if (s.kind === 'unavailable') this.#state = { kind: 'unavailable', specs: null, error: msg };
  }

  #refuse(status: 401 | 403): void {
    const was = this.#state.kind;
    this.#state = { kind: 'refused', status, specs: this.#d.options.clearOnUnauthorized ? null : this.specs };
    if (was !== 'refused') this.#d.onRefused(this, status);
  }

  async #refusedByUpstream(status: 401 | 403): Promise<void> {
    this.#failures++;
    const s = this.#state;
    const already = s.kind === 'refused' && s.status === status;
    this.#refuse(status);
    if (!already) this.#d.log('warn', `key ${this.label}: upstream answered ${status}${this.#d.options.clearOnUnauthorized ? ', clearing its specs' : ''}`);
    const store = this.#d.store;
    if (store && this.isLeader()) {
      await this.#writeVerdict(status);
      if (this.#d.options.clearOnUnauthorized) await store.clear(this.dataKey);
    }
  }

  /**
   * The verdict must outlive the writer's slowest retry (8× the polling interval after repeated
   * failures), or a refusal would lapse between two polls and followers would serve a revoked key.
   */
  async #writeVerdict(verdict: AuthVerdict): Promise<void> {
    const store = this.#d.store;
    if (!store || !this.isLeader()) return;
    await store.writeAuthVerdict(this.dataKey, verdict, this.#d.options.pollingIntervalMs * 10 + store.leaseTtlMs);
  }
}

export function keySyncId(sdkKey: string, version: DcsVersion): string {
  return version === 'v1' ? sdkKey : `v2\u0000${sdkKey}`;
}
