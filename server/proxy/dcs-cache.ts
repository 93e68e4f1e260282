/**
 * Per-SDK-key cache of download_config_specs, kept fresh by polling upstream.
 *
 * cache=local: every proxy polls upstream for each key it has been asked for.
 * cache=redis: per key, the holder of the writer lease polls upstream and writes the payload to the
 * shared store (compare-and-set on lcut, announced on the key's channel); the other proxies load it
 * when the announcement arrives, with a check of the stored lcut every polling interval as a safety
 * net. While Redis is unreachable every proxy falls back to polling upstream itself, so changes keep
 * flowing to the SDKs that poll the proxies.
 *
 * A key is verified with upstream the first time a proxy sees it (unless upstream is unreachable and
 * the shared store has specs for exactly that key), so an unknown or revoked key gets upstream's
 * 401/403, never specs. Payloads are validated and must carry the key's own `hashed_sdk_key_used`.
 */
import { createHash } from 'node:crypto';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { SpecKeyMismatchError } from '../../lib/errors';
import { authKeyOf, dataStoreKey, keyLabel } from '../fleet/keys';
import type { RedisDataStore } from '../fleet/redis-data-store';
import type { Counter } from './metrics';
import type { ProxyOptions } from './options';
import type { Upstream } from './upstream';
import { checkDcsPayload } from './validate';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** The two download_config_specs formats the proxy relays: v1 (statsig-node and older) and v2 (the server core). */
export type DcsVersion = 'v1' | 'v2';

export interface CachedSpecs {
  readonly lcut: number;
  readonly body: Buffer;
  readonly gz: Buffer;
  readonly br: Buffer;
  readonly etag: string;
  readonly etagGz: string;
  readonly etagBr: string;
  /** wall-clock ms when this proxy installed it */
  readonly installedAt: number;
  readonly from: 'upstream' | 'store';
}

export type EntryState = 'pending' | 'ok' | 'unauthorized' | 'error';

export interface KeyEntry {
  /** map key: one entry per (format, SDK key) */
  readonly id: string;
  readonly version: DcsVersion;
  readonly sdkKey: string;
  readonly label: string;
  readonly dataKey: string;
  state: EntryState;
  authStatus: 401 | 403 | null;
  specs: CachedSpecs | null;
  lastError: string | null;
  /** wall-clock ms of the last confirmation that `specs` is current (upstream check or store check) */
  confirmedAt: number;
  lastSeen: number;
  failures: number;
  ready: Promise<void>;
  timer: NodeJS.Timeout | null;
  busy: boolean;
  reloading: Promise<void> | null;
  reloadAgain: boolean;
  unsubscribe: (() => void) | null;
}

export interface DcsCacheDeps {
  options: ProxyOptions;
  upstream: Upstream;
  store: RedisDataStore | null;
  counters: { polls: Counter; installs: Counter; rejected: Counter; evictions: Counter };
  log: (level: 'debug' | 'info' | 'warn', msg: string) => void;
}

export class DcsCache {
  readonly entries = new Map<string, KeyEntry>();
  private stopped = false;

  constructor(private readonly d: DcsCacheDeps) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry for an SDK key, created (and verified with upstream) on first sight. */
  async lookup(sdkKey: string, version: DcsVersion = 'v1'): Promise<KeyEntry | 'too-many'> {
    let e = this.entries.get(entryId(sdkKey, version));
    if (!e) {
      if (this.entries.size >= this.d.options.maxSdkKeys && !this.evictOne()) return 'too-many';
      e = this.create(sdkKey, version);
    }
    e.lastSeen = Date.now();
    if (e.state === 'pending') await e.ready;
    return e;
  }

  /** Synchronous fast path for the hot endpoint: the entry if it is already settled. */
  peek(sdkKey: string, version: DcsVersion = 'v1'): KeyEntry | undefined {
    const e = this.entries.get(entryId(sdkKey, version));
    if (e && e.state !== 'pending') {
      e.lastSeen = Date.now();
      return e;
    }
    return undefined;
  }

  isLeader(e: KeyEntry): boolean {
    return !!this.d.store && this.d.store.isLeader(e.dataKey);
  }

  private storeUsable(): boolean {
    return !!this.d.store && this.d.store.connected;
  }

  /** Evict the least recently seen key that has no good specs; false if every key is healthy. */
  private evictOne(): boolean {
    let victim: KeyEntry | null = null;
    for (const e of this.entries.values()) {
      if (e.state === 'ok' || e.state === 'pending') continue;
      if (!victim || e.lastSeen < victim.lastSeen) victim = e;
    }
    if (!victim) return false;
    this.remove(victim);
    this.d.counters.evictions.inc();
    return true;
  }

  private remove(e: KeyEntry): void {
    if (e.timer) clearTimeout(e.timer);
    e.unsubscribe?.();
    this.entries.delete(e.id);
    // an evicted key must not keep a lease (and its renewals) in the shared store
    void this.d.store?.release(e.dataKey);
  }

  private create(sdkKey: string, version: DcsVersion): KeyEntry {
    const e: KeyEntry = {
      id: entryId(sdkKey, version),
      version,
      sdkKey,
      label: version === 'v1' ? keyLabel(sdkKey) : `${keyLabel(sdkKey)}/v2`,
      dataKey: dataStoreKey(sdkKey, `/${version}/download_config_specs`),
      state: 'pending',
      authStatus: null,
      specs: null,
      lastError: null,
      confirmedAt: 0,
      lastSeen: Date.now(),
      failures: 0,
      ready: Promise.resolve(),
      timer: null,
      busy: false,
      reloading: null,
      reloadAgain: false,
      unsubscribe: null,
    };
    this.entries.set(e.id, e);
    e.ready = this.firstLoad(e).finally(() => this.schedule(e));
    return e;
  }

  private async firstLoad(e: KeyEntry): Promise<void> {
    const store = this.d.store;
    if (store) {
      e.unsubscribe = store.subscribe(e.dataKey, () => void this.reloadFromStore(e));
      await store.contend(e.dataKey).catch(() => false);
    }
    const [up] = await Promise.all([this.pollUpstream(e), store ? this.reloadFromStore(e) : Promise.resolve()]);
    if (e.state === 'pending') {
      // upstream could not answer and the store had nothing valid for this key
      e.state = e.specs ? 'ok' : up === 'unauthorized' ? 'unauthorized' : 'error';
    }
  }

  private schedule(e: KeyEntry): void {
    if (this.stopped || this.entries.get(e.id) !== e) return;
    const base = this.d.options.pollingIntervalMs;
    const backoff = e.failures > 0 ? Math.min(2 ** (e.failures - 1), 8) : 1;
    const delay = base * backoff * (0.9 + Math.random() * 0.2);
    e.timer = setTimeout(() => void this.tick(e), delay);
    e.timer.unref();
  }

  private async tick(e: KeyEntry): Promise<void> {
    e.timer = null;
    if (this.stopped || e.busy) return this.schedule(e);
    e.busy = true;
    try {
      if (!this.d.store || !this.storeUsable() || this.isLeader(e)) {
        await this.pollUpstream(e);
      } else {
        await this.followerCheck(e);
      }
    } catch (err) {
      e.lastError = (err as Error).message;
    } finally {
      e.busy = false;
      this.schedule(e);
    }
  }

  /** Follower safety net: the stored lcut (announcements can be missed) and the writer's auth verdict. */
  private async followerCheck(e: KeyEntry): Promise<void> {
    const store = this.d.store!;
    const [[, t], [, auth]] = (await store.redis
      .pipeline()
      .hget(store.prefix + e.dataKey, 'time')
      .get(authKeyOf(store.prefix, e.dataKey))
      .exec()) as [[unknown, string | null], [unknown, string | null]];
    if (auth === '401' || auth === '403') {
      e.state = 'unauthorized';
      e.authStatus = Number(auth) as 401 | 403;
      if (this.d.options.clearOnUnauthorized) e.specs = null;
      return;
    }
    // only the writer's explicit "ok" lifts a refusal; no verdict yet (or none left) changes nothing
    if (auth === 'ok' && e.state === 'unauthorized' && e.specs) {
      e.state = 'ok';
      e.authStatus = null;
    }
    const lcut = t ? Number(t) : 0;
    if (lcut > (e.specs?.lcut ?? 0)) await this.reloadFromStore(e);
    else if (e.specs) e.confirmedAt = Date.now();
  }

  /** Polls upstream once; installs newer specs; as lease holder writes them to the shared store. */
  async pollUpstream(e: KeyEntry): Promise<'ok' | 'unauthorized' | 'failed'> {
    this.d.counters.polls.inc();
    const since = e.specs?.lcut ?? 0;
    let status: number;
    let text: string;
    try {
      const res = await this.d.upstream.dcs(e.sdkKey, since, e.version);
      status = res.status;
      text = res.body.toString('utf8');
    } catch (err) {
      return this.failed(e, `upstream: ${(err as Error).message}`);
    }
    if (status === 401 || status === 403) return this.unauthorized(e, status);
    if (status < 200 || status >= 300) return this.failed(e, `upstream answered ${status}`);
    let check;
    try {
      check = checkDcsPayload(text, e.sdkKey);
    } catch (err) {
      this.d.counters.rejected.inc({ source: 'upstream', reason: err instanceof SpecKeyMismatchError ? 'key_mismatch' : 'invalid' });
      return this.failed(e, `upstream payload rejected: ${(err as Error).message}`);
    }
    e.failures = 0;
    e.lastError = null;
    e.authStatus = null;
    // the writer's verdict for followers: "ok" lifts a refusal, and it is renewed every poll
    if (this.d.store && this.isLeader(e)) await this.writeAuthVerdict(e, 'ok');
    if (check.kind === 'specs' && check.lcut > (e.specs?.lcut ?? 0)) {
      await this.install(e, text, check.lcut, 'upstream');
      if (this.d.store && this.isLeader(e)) {
        const outcome = await this.d.store.write(e.dataKey, text, check.lcut);
        this.d.log('debug', `key ${e.label}: lcut ${check.lcut} from upstream, store write ${outcome}`);
      }
    } else if (check.kind === 'specs' && check.lcut < (e.specs?.lcut ?? 0)) {
      this.d.counters.rejected.inc({ source: 'upstream', reason: 'older' });
    }
    if (e.specs) {
      e.state = 'ok';
      e.confirmedAt = Date.now();
    }
    return 'ok';
  }

  private failed(e: KeyEntry, msg: string): 'failed' {
    e.failures++;
    e.lastError = msg;
    this.d.log('warn', `key ${e.label}: ${msg}`);
    return 'failed';
  }

  private async unauthorized(e: KeyEntry, status: 401 | 403): Promise<'unauthorized'> {
    e.failures++;
    const already = e.state === 'unauthorized' && e.authStatus === status;
    e.state = 'unauthorized';
    e.authStatus = status;
    e.lastError = `upstream answered ${status}`;
    if (!already) this.d.log('warn', `key ${e.label}: upstream answered ${status}${this.d.options.clearOnUnauthorized ? ', clearing its specs' : ''}`);
    const store = this.d.store;
    if (this.d.options.clearOnUnauthorized) e.specs = null;
    if (store && this.isLeader(e)) {
      await this.writeAuthVerdict(e, String(status));
      if (this.d.options.clearOnUnauthorized) await store.clear(e.dataKey);
    }
    return 'unauthorized';
  }

  /**
   * The writer's auth verdict for a key, read by followers. It must outlive the writer's slowest
   * retry (8× the polling interval after repeated failures), or a refusal would lapse between two
   * polls and followers would serve a revoked key again.
   */
  private async writeAuthVerdict(e: KeyEntry, verdict: string): Promise<void> {
    const store = this.d.store!;
    const ttl = this.d.options.pollingIntervalMs * 10 + store.leaseTtlMs;
    await store.redis.set(authKeyOf(store.prefix, e.dataKey), verdict, 'PX', ttl).catch(() => {});
  }

  /** Load the shared copy when it is newer than ours (coalesced: at most one read in flight per key). */
  reloadFromStore(e: KeyEntry): Promise<void> {
    if (e.reloading) {
      e.reloadAgain = true;
      return e.reloading;
    }
    e.reloading = (async () => {
      do {
        e.reloadAgain = false;
        await this.reloadOnce(e);
      } while (e.reloadAgain && !this.stopped);
    })().finally(() => {
      e.reloading = null;
    });
    return e.reloading;
  }

  private async reloadOnce(e: KeyEntry): Promise<void> {
    const store = this.d.store;
    if (!store || !store.connected) return;
    let v;
    try {
      v = await store.get(e.dataKey);
    } catch {
      return;
    }
    if (!v?.result || typeof v.time !== 'number' || !(v.time > (e.specs?.lcut ?? 0))) return;
    try {
      const check = checkDcsPayload(v.result, e.sdkKey);
      if (check.kind !== 'specs') return;
      if (e.state === 'unauthorized' && this.d.options.clearOnUnauthorized) return;
      await this.install(e, v.result, check.lcut, 'store');
      if (e.state === 'pending' || e.state === 'error') e.state = 'ok';
      e.confirmedAt = Date.now();
      this.d.log('debug', `key ${e.label}: lcut ${check.lcut} from the shared store`);
    } catch (err) {
      this.d.counters.rejected.inc({ source: 'store', reason: err instanceof SpecKeyMismatchError ? 'key_mismatch' : 'invalid' });
    }
  }

  private async install(e: KeyEntry, text: string, lcut: number, from: 'upstream' | 'store'): Promise<void> {
    const body = Buffer.from(text, 'utf8');
    const [gz, br] = await Promise.all([
      gzipAsync(body),
      // quality 5: near-best size for JSON at a fraction of quality 11's time, paid once per lcut
      brotliAsync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    ]);
    if (lcut <= (e.specs?.lcut ?? 0)) return; // a newer one was installed meanwhile
    const tag = createHash('sha1').update(body).digest('base64url').slice(0, 16);
    e.specs = { lcut, body, gz, br, etag: `"${lcut}-${tag}"`, etagGz: `"${lcut}-${tag}-gz"`, etagBr: `"${lcut}-${tag}-br"`, installedAt: Date.now(), from };
    this.d.counters.installs.inc({ from });
  }

  /** Called when this proxy takes the writer lease for a key: make sure the store has our copy. */
  async onLeaderGained(dataKey: string): Promise<void> {
    const store = this.d.store;
    if (!store) return;
    for (const e of this.entries.values()) {
      if (e.dataKey === dataKey && e.specs && e.state === 'ok') {
        await store.write(dataKey, e.specs.body.toString('utf8'), e.specs.lcut);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.unsubscribe?.();
    }
  }
}

function entryId(sdkKey: string, version: DcsVersion): string {
  return version === 'v1' ? sdkKey : `v2\u0000${sdkKey}`;
}
