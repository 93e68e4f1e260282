/**
 * RedisDataStore — the fleet's shared copy of the specs.
 *
 * - Values live in a Redis hash at the data key (`result`, `time`, `writer`), see ./keys.ts.
 * - One writer per key: a lease (`SET NX PX` through a script that also renews). The lease key lives
 *   3/4 of the TTL and is renewed every 1/4, when the others also try to take it: a dead writer is
 *   replaced within the TTL. A writer whose renewal fails (someone else holds it, or Redis is unreachable until the
 *   lease would have run out) stops writing. Every write is a Lua compare-and-set that checks the
 *   lease token AND that the new `time` (lcut) is strictly newer, so a stale writer can neither
 *   overwrite a newer lcut nor write after losing the lease.
 * - Each successful write publishes the lcut on `<key>|lcut`; subscribers get `onUpdate(lcut)` once
 *   per newer lcut. A slow safety poll (and a check right after every reconnect) covers missed
 *   announcements.
 * - Redis down or restarted: get() keeps returning the newest value this instance has seen (never
 *   "nothing"), commands fail fast instead of queueing, the connection is retried with
 *   exponential backoff (capped at 1 s) and jitter, and health() reports `degraded`. After a restart the lease
 *   holder rewrites its last value (the compare-and-set keeps it from going backwards).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NotInitializedError, SourceUnavailableError } from '../../lib/errors';
import { loadIoredis } from './ioredis';
import type { DataStore } from '../store/data-store';
import {
  checkTlsOptions,
  connectedAddress,
  createRedisClient,
  isCluster,
  readTls,
  parseRedisUrl,
  type RedisClient,
  type RedisTarget,
  type RedisTlsOptions,
} from './redis-connection';
import {
  type DataStorePath,
  checkKeyPrefix,
  dataKeyLabel,
  slotOf,
  lcutChannelOf,
  leaseChannelOf,
  authKeyOf,
  leaseKeyOf,
  pathOfDataKey,
} from './keys';

/** A writer's word on an SDK key: upstream accepted it, or refused it with this status. */
export type AuthVerdict = 'ok' | 401 | 403;

export type WriteOutcome = 'written' | 'stale' | 'not-leader' | 'not-writer' | 'unavailable';

export interface RedisDataStoreOptions {
  /**
   * Redis URL; default process.env.REDIS_URL, else redis://127.0.0.1:6379. redis:// (one server),
   * redis+cluster://h1:p1,h2:p2 (Redis Cluster), redis+sentinel://h1:p1,h2:p2?name=mymaster (Sentinel),
   * each also as rediss… for TLS; see ./redis-connection.ts.
   */
  url?: string;
  /** TLS material for a rediss URL (CA, client certificate and key paths). */
  tls?: RedisTlsOptions;
  /** Namespace prepended to every Redis key and channel (default ''). */
  keyPrefix?: string;
  /** 'writer' (default) contends for the writer lease of each key it reads or writes; 'reader' never writes. */
  role?: 'writer' | 'reader';
  /**
   * Writer lease TTL: the longest a key goes without a writer after its writer dies (default 10 000 ms).
   * The lease key expires after 3/4 of it; the holder renews and the others try to take it every 1/4.
   */
  leaseTtlMs?: number;
  /** Expiry of stored values, refreshed by the lease holder; 0 = never (default 86 400 000 ms, one day). */
  cacheTtlMs?: number;
  /** Safety-net check of the stored lcut for subscribed keys (default 30 000 ms). */
  safetyPollMs?: number;
  /** How long initialize() waits for the first connection before continuing degraded (default 2 000 ms). */
  connectTimeoutMs?: number;
  /** Throw from initialize() when Redis cannot be reached (default false: continue degraded, keep retrying). */
  requireConnection?: boolean;
  /** Appears in the `writer` field of stored values; default a random id. */
  instanceId?: string;
  onLeaderChange?: (key: string, leader: boolean) => void;
  onConnectionChange?: (connected: boolean) => void;
  logger?: Pick<Console, 'warn'> & Partial<Pick<Console, 'debug'>>;
}

export interface RedisDataStoreHealth {
  /** 'standalone' | 'cluster' | 'sentinel', and whether the connection is TLS */
  topology: RedisTarget['kind'];
  tls: boolean;
  connected: boolean;
  degraded: boolean;
  role: 'writer' | 'reader';
  lastError: string | null;
  reconnects: number;
  keys: { key: string; lcut: number; leader: boolean; subscribed: boolean }[];
  counters: Record<string, number>;
}

interface KeyState {
  wantLease: boolean;
  leader: boolean;
  leaseValidUntil: number; // performance.now() based
  /** highest lcut known to exist in the store (written, read or announced) */
  knownLcut: number;
  /** newest value seen (read or written) — served while Redis is unavailable */
  lastGood: { result: string; time?: number } | null;
  /** what this instance last wrote as leader — rewritten after a Redis restart */
  lastWritten: { result: string; time?: number } | null;
  subscribers: Set<(lcut: number) => void>;
}

// KEYS[1] lease  KEYS[2] data ; ARGV[1] token ARGV[2] lease ttl ms ARGV[3] cache ttl ms
const ACQUIRE_OR_RENEW = `
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
elseif v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  return 0
end
if tonumber(ARGV[3]) > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1`;

// KEYS[1] data  KEYS[2] lease ; ARGV[1] value ARGV[2] time ('' = none) ARGV[3] token ('' = no lease)
// ARGV[4] lcut channel ARGV[5] cache ttl ms ARGV[6] writer id
const COMPARE_AND_SET = `
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[3] then
  return -1
end
if ARGV[2] ~= '' then
  local cur = redis.call('HGET', KEYS[1], 'time')
  if cur and cur ~= '' and tonumber(cur) >= tonumber(ARGV[2]) then
    return 0
  end
  redis.call('HSET', KEYS[1], 'result', ARGV[1], 'time', ARGV[2], 'writer', ARGV[6])
else
  redis.call('HSET', KEYS[1], 'result', ARGV[1], 'writer', ARGV[6])
  redis.call('HDEL', KEYS[1], 'time')
end
if tonumber(ARGV[5]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
else
  redis.call('PERSIST', KEYS[1])
end
if ARGV[2] ~= '' then
  redis.call('PUBLISH', ARGV[4], ARGV[2])
end
return 1`;

// KEYS[1] lease ; ARGV[1] token ARGV[2] channel
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0`;

type ScriptedRedis = RedisClient & {
  flAcquire(lease: string, data: string, token: string, ttl: number, cacheTtl: number): Promise<number>;
  flCas(
    data: string,
    lease: string,
    value: string,
    time: string,
    token: string,
    channel: string,
    cacheTtl: number,
    writer: string,
  ): Promise<number>;
  flRelease(lease: string, token: string, channel: string): Promise<number>;
};

function backoff(times: number): number {
  const base = Math.min(100 * 2 ** Math.max(0, times - 1), 1000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export class RedisDataStore implements DataStore {
  readonly role: 'writer' | 'reader';
  readonly prefix: string;
  readonly leaseTtlMs: number;
  /** PX of the lease key: 3/4 of leaseTtlMs, so expiry + the next attempt of a follower fit in leaseTtlMs */
  private readonly leaseKeyTtlMs: number;
  readonly cacheTtlMs: number;
  readonly safetyPollMs: number;
  readonly instanceId: string;
  private readonly token = randomUUID();
  private readonly opts: RedisDataStoreOptions;
  readonly target: RedisTarget;
  // created by initialize(): ioredis is an optional peer, loaded only when a store starts
  #client: ScriptedRedis | null = null;
  #sub: RedisClient | null = null;
  /** where each key's slot lived at the last look (Cluster), or the server connected to (else) */
  private readonly masters = new Map<string, string>();
  private lastMaster: string | null = null;
  private readonly keys = new Map<string, KeyState>();
  private readonly channelToKey = new Map<string, string>();
  private readonly leaseChannelToKey = new Map<string, string>();
  private leaseTimer: NodeJS.Timeout | null = null;
  private safetyTimer: NodeJS.Timeout | null = null;
  private clientReady = false;
  private subReady = false;
  private everReady = false;
  private closed = false;
  private lastError: string | null = null;
  private reconnects = 0;
  readonly counters: Record<string, number> = {
    writes: 0,
    writesStale: 0,
    writesNotLeader: 0,
    writesUnavailable: 0,
    reads: 0,
    readErrors: 0,
    servedFromMemory: 0,
    announcements: 0,
    safetyPollHits: 0,
    leaderGained: 0,
    leaderLost: 0,
    /** the server holding this store's keys changed (a Cluster slot moved to a promoted replica, Sentinel switched masters) */
    failovers: 0,
  };

  constructor(options: RedisDataStoreOptions = {}) {
    this.opts = options;
    this.role = options.role ?? 'writer';
    this.prefix = options.keyPrefix ?? '';
    this.leaseTtlMs = Math.max(300, options.leaseTtlMs ?? 10_000);
    this.leaseKeyTtlMs = Math.floor(this.leaseTtlMs * 0.75);
    this.cacheTtlMs = Math.max(0, options.cacheTtlMs ?? 86_400_000);
    this.safetyPollMs = Math.max(50, options.safetyPollMs ?? 30_000);
    this.instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    checkKeyPrefix(this.prefix);
    this.target = parseRedisUrl(options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    checkTlsOptions(this.target, options.tls);
    // the clients are made at initialize(); an unreadable TLS file is refused now, before any connection
    if (this.target.tls) readTls(options.tls, undefined);
  }

  private get client(): ScriptedRedis {
    if (!this.#client) throw new NotInitializedError('firstlight: RedisDataStore: call initialize() first');
    return this.#client;
  }

  private get sub(): RedisClient {
    if (!this.#sub) throw new NotInitializedError('firstlight: RedisDataStore: call initialize() first');
    return this.#sub;
  }

  /** Both connections (lazy: connect() is initialize's), with the scripts and event handlers. */
  private async createClients(): Promise<void> {
    const ioredis = await loadIoredis('RedisDataStore (fleet mode)');
    if (this.#client) return;
    const options = this.opts;
    const base = {
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      retryStrategy: (times: number) => (this.closed ? null : backoff(times)),
    };
    // fail fast while Redis is down; callers fall back to memory
    const client = createRedisClient(ioredis, this.target, options.tls, { ...base, offlineQueue: false, connectionName: `firstlight:${this.instanceId}` }) as ScriptedRedis;
    client.defineCommand('flAcquire', { numberOfKeys: 2, lua: ACQUIRE_OR_RENEW });
    client.defineCommand('flCas', { numberOfKeys: 2, lua: COMPARE_AND_SET });
    client.defineCommand('flRelease', { numberOfKeys: 1, lua: RELEASE });
    // the subscriber queues SUBSCRIBE until connected and resubscribes after every reconnect
    const sub = createRedisClient(ioredis, this.target, options.tls, { ...base, offlineQueue: true, connectionName: `firstlight:${this.instanceId}:sub` });
    this.#client = client;
    this.#sub = sub;
    this.wireEvents();
    // channels asked for before initialize()
    const channels = [...this.channelToKey.keys(), ...this.leaseChannelToKey.keys()];
    if (channels.length > 0) sub.subscribe(...channels).catch((e: Error) => (this.lastError = e.message));
  }

  private wireEvents(): void {
    const onError = (e: Error) => {
      this.lastError = e.message;
    };
    this.client.on('error', onError);
    this.sub.on('error', onError);
    this.client.on('ready', () => {
      const was = this.connected;
      this.clientReady = true;
      if (this.everReady) this.reconnects++;
      this.everReady = true;
      this.noteMasters();
      if (!was && this.connected) this.opts.onConnectionChange?.(true);
      // after a (re)connect: re-take leases and restore what we wrote (Redis may have restarted empty),
      // then look for values announced while we could not read
      void this.leaseTick()
        .then(() => this.restoreAfterReconnect())
        .then(() => this.safetyCheck());
    });
    this.client.on('close', () => {
      const was = this.connected;
      this.clientReady = false;
      if (was) this.opts.onConnectionChange?.(false);
    });
    this.sub.on('ready', () => {
      const was = this.connected;
      this.subReady = true;
      if (!was && this.connected) this.opts.onConnectionChange?.(true);
      void this.safetyCheck(); // announcements may have been missed while disconnected
    });
    this.sub.on('close', () => {
      const was = this.connected;
      this.subReady = false;
      if (was) this.opts.onConnectionChange?.(false);
    });
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    // a Cluster refreshes its slot map after MOVED, CLUSTERDOWN or a lost node, and every 2 s
    const client = this.client;
    if (isCluster(client)) client.on('refresh', () => this.noteMasters());
  }

  /**
   * Counts a failover when the server holding this store's keys changed: the master of a key's slot
   * (Cluster) or the address connected to after a reconnect (Sentinel; one server comes back where it was).
   */
  private noteMasters(): void {
    const c = this.client;
    if (isCluster(c)) {
      let moved = false;
      for (const key of this.keys.keys()) {
        const master = (c.slots[slotOf(this.prefix + key)] as string[] | undefined)?.[0];
        if (!master) continue;
        const was = this.masters.get(key);
        if (was !== undefined && was !== master) moved = true;
        this.masters.set(key, master);
      }
      if (moved) this.noteFailover();
      return;
    }
    const at = connectedAddress(c);
    if (at === null) return;
    if (this.lastMaster !== null && at !== this.lastMaster) this.noteFailover();
    this.lastMaster = at;
  }

  private noteFailover(): void {
    this.counters.failovers!++;
    this.opts.logger?.warn(`[firstlight] Redis failover: the keys of this store are on another server now`);
  }

  get connected(): boolean {
    return this.clientReady && this.subReady;
  }

  /** Loads ioredis (MissingPackageError when it is not installed) and connects. */
  async initialize(): Promise<void> {
    await this.createClients();
    const timeout = this.opts.connectTimeoutMs ?? 2000;
    const attempt = Promise.allSettled([this.client.connect(), this.sub.connect()]);
    const timer = new Promise<'timeout'>((r) => setTimeout(r, timeout, 'timeout').unref());
    const res = await Promise.race([attempt, timer]);
    const ok = res !== 'timeout' && res.every((r) => r.status === 'fulfilled');
    if (!ok) {
      this.lastError ??= 'could not connect to Redis';
      if (this.opts.requireConnection) {
        await this.shutdown();
        throw new SourceUnavailableError(`Redis data store unreachable: ${this.lastError}`);
      }
      this.opts.logger?.warn(`[firstlight] Redis data store unreachable (${this.lastError}); continuing degraded, retrying`);
    }
    const tick = Math.max(50, Math.floor(this.leaseTtlMs / 4));
    this.leaseTimer = setInterval(() => void this.leaseTick(), tick);
    this.leaseTimer.unref();
    this.safetyTimer = setInterval(() => void this.safetyCheck(), this.safetyPollMs);
    this.safetyTimer.unref();
  }

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = {
        wantLease: false,
        leader: false,
        leaseValidUntil: 0,
        knownLcut: 0,
        lastGood: null,
        lastWritten: null,
        subscribers: new Set(),
      };
      this.keys.set(key, s);
    }
    return s;
  }

  /** Register interest in writing `key` (writer role only) and try to take its lease now. */
  async contend(key: string): Promise<boolean> {
    if (this.role !== 'writer' || this.closed) return false;
    const s = this.state(key);
    if (!s.wantLease) {
      s.wantLease = true;
      const ch = leaseChannelOf(this.prefix, key);
      this.leaseChannelToKey.set(ch, key);
      this.#sub?.subscribe(ch).catch(() => {});
    }
    await this.acquireOrRenew(key, s);
    return this.isLeader(key);
  }

  /**
   * This instance is done with `key` (e.g. the proxy evicted an unknown SDK key): stop renewing its
   * lease, hand the lease back if held, and drop the key's state once nobody is subscribed.
   */
  async release(key: string): Promise<void> {
    const s = this.keys.get(key);
    if (!s) return;
    const held = this.isLeader(key);
    if (s.wantLease) {
      s.wantLease = false;
      const ch = leaseChannelOf(this.prefix, key);
      this.leaseChannelToKey.delete(ch);
      this.#sub?.unsubscribe(ch).catch(() => {});
    }
    if (s.leader) this.setLeader(key, s, false);
    if (s.subscribers.size === 0) this.keys.delete(key);
    if (held && this.clientReady) {
      await this.client.flRelease(leaseKeyOf(this.prefix, key), this.token, leaseChannelOf(this.prefix, key)).catch(() => 0);
    }
  }

  isLeader(key: string): boolean {
    const s = this.keys.get(key);
    return !!s && s.leader && performance.now() < s.leaseValidUntil;
  }

  /** Keys this instance currently holds the writer lease for. */
  leaderKeys(): string[] {
    return [...this.keys.keys()].filter((k) => this.isLeader(k));
  }

  private setLeader(key: string, s: KeyState, leader: boolean): void {
    if (s.leader === leader) return;
    s.leader = leader;
    this.counters[leader ? 'leaderGained' : 'leaderLost']!++;
    this.opts.logger?.debug?.(`[firstlight] ${leader ? 'took' : 'lost'} writer lease for ${dataKeyLabel(key)}`);
    this.opts.onLeaderChange?.(key, leader);
  }

  private async acquireOrRenew(key: string, s: KeyState): Promise<void> {
    if (!this.clientReady) {
      if (s.leader && performance.now() >= s.leaseValidUntil) this.setLeader(key, s, false);
      return;
    }
    const started = performance.now();
    try {
      const ok = await this.client.flAcquire(
        leaseKeyOf(this.prefix, key),
        this.prefix + key,
        this.token,
        this.leaseKeyTtlMs,
        this.cacheTtlMs,
      );
      if (ok === 1) {
        // keep a margin so we stop writing before Redis expires the lease
        s.leaseValidUntil = started + this.leaseKeyTtlMs * 0.9;
        this.setLeader(key, s, true);
      } else {
        this.setLeader(key, s, false);
      }
    } catch (e) {
      this.lastError = (e as Error).message;
      if (s.leader && performance.now() >= s.leaseValidUntil) this.setLeader(key, s, false);
    }
  }

  private async leaseTick(): Promise<void> {
    if (this.closed) return;
    const jobs: Promise<void>[] = [];
    for (const [key, s] of this.keys) if (s.wantLease) jobs.push(this.acquireOrRenew(key, s));
    await Promise.all(jobs);
  }

  private async restoreAfterReconnect(): Promise<void> {
    for (const [key, s] of this.keys) {
      if (s.lastWritten && this.isLeader(key)) {
        await this.write(key, s.lastWritten.result, s.lastWritten.time).catch(() => {});
      }
    }
  }

  async get(key: string): Promise<{ result?: string; time?: number } | null> {
    const s = this.state(key);
    if (this.role === 'writer' && !s.wantLease && this.clientReady) await this.contend(key);
    this.counters.reads!++;
    let fromRedis: { result: string; time?: number } | null = null;
    try {
      if (!this.clientReady) throw new Error('Redis not connected');
      const [result, time] = await this.client.hmget(this.prefix + key, 'result', 'time');
      if (result != null) fromRedis = { result, ...(time ? { time: Number(time) } : {}) };
    } catch (e) {
      this.counters.readErrors!++;
      this.lastError = (e as Error).message;
      if (s.lastGood) {
        this.counters.servedFromMemory!++;
        return { ...s.lastGood };
      }
      throw new SourceUnavailableError(`Redis data store unavailable: ${(e as Error).message}`, { cause: e });
    }
    const best = newest(fromRedis, s.lastGood);
    if (best !== s.lastGood && best) s.lastGood = best;
    if (best?.time !== undefined && best.time > s.knownLcut) s.knownLcut = best.time;
    if (best && best !== fromRedis) this.counters.servedFromMemory!++;
    return best ? { ...best } : null;
  }

  /** The stored lcut only (cheap): null when absent. */
  async getTime(key: string): Promise<number | null> {
    const t = await this.client.hget(this.prefix + key, 'time');
    return t ? Number(t) : null;
  }

  async set(key: string, value: string, time?: number): Promise<void> {
    await this.write(key, value, time);
  }

  /** set() with its outcome: written | stale (not newer) | not-leader | not-writer | unavailable. */
  async write(key: string, value: string, time?: number): Promise<WriteOutcome> {
    if (this.role !== 'writer') {
      this.counters.writesNotLeader!++;
      return 'not-writer';
    }
    const s = this.state(key);
    if (time === undefined || time >= (s.lastGood?.time ?? -Infinity)) s.lastGood = { result: value, time };
    if (!this.clientReady) {
      this.counters.writesUnavailable!++;
      // written once Redis is back and this instance holds the lease (the compare-and-set arbitrates)
      if (time === undefined || time >= (s.lastWritten?.time ?? -Infinity)) s.lastWritten = { result: value, time };
      return 'unavailable';
    }
    if (!this.isLeader(key)) await this.contend(key);
    if (!this.isLeader(key)) {
      this.counters.writesNotLeader!++;
      return 'not-leader';
    }
    // what a lease holder restores after a Redis restart (the compare-and-set keeps it from regressing)
    if (time === undefined || time >= (s.lastWritten?.time ?? -Infinity)) s.lastWritten = { result: value, time };
    try {
      const r = await this.client.flCas(
        this.prefix + key,
        leaseKeyOf(this.prefix, key),
        value,
        time === undefined ? '' : String(time),
        this.token,
        lcutChannelOf(this.prefix, key),
        this.cacheTtlMs,
        this.instanceId,
      );
      if (r === 1) {
        this.counters.writes!++;
        if (time !== undefined && time > s.knownLcut) s.knownLcut = time;
        return 'written';
      }
      if (r === 0) {
        this.counters.writesStale!++;
        return 'stale';
      }
      this.counters.writesNotLeader!++;
      this.setLeader(key, s, false);
      return 'not-leader';
    } catch (e) {
      this.lastError = (e as Error).message;
      this.counters.writesUnavailable!++;
      return 'unavailable';
    }
  }

  /** Delete the stored value (lease holder only), e.g. when upstream revoked the key. */
  async clear(key: string): Promise<boolean> {
    const s = this.state(key);
    s.lastGood = null;
    s.lastWritten = null;
    if (!this.isLeader(key) || !this.clientReady) return false;
    await this.client.del(this.prefix + key).catch(() => {});
    return true;
  }

  supportsPollingUpdatesFor(path: DataStorePath): boolean {
    if (this.role === 'reader') return true;
    for (const [key, s] of this.keys) {
      if (s.wantLease && pathOfDataKey(key) === path && this.isLeader(key)) return false;
    }
    // a writer that has not claimed any key yet fetches from the network and claims on set()
    return [...this.keys.entries()].some(([k, s]) => s.wantLease && pathOfDataKey(k) === path);
  }

  subscribe(key: string, onUpdate: (lcut: number) => void): () => void {
    const s = this.state(key);
    const first = s.subscribers.size === 0;
    s.subscribers.add(onUpdate);
    if (first) {
      const ch = lcutChannelOf(this.prefix, key);
      this.channelToKey.set(ch, key);
      this.#sub?.subscribe(ch).catch((e: Error) => (this.lastError = e.message));
    }
    return () => {
      s.subscribers.delete(onUpdate);
      if (s.subscribers.size === 0) {
        const ch = lcutChannelOf(this.prefix, key);
        this.channelToKey.delete(ch);
        this.#sub?.unsubscribe(ch).catch(() => {});
        if (!s.wantLease && !s.leader) this.keys.delete(key);
      }
    };
  }

  private announce(key: string, lcut: number, viaPoll: boolean): void {
    const s = this.keys.get(key);
    if (!s) return;
    // an announcement is heard once; the safety poll fires while the stored lcut is newer than what this
    // instance has actually read (an announcement may have arrived while reads were failing)
    if (viaPoll ? !(lcut > (s.lastGood?.time ?? 0)) : !(lcut > s.knownLcut)) return;
    if (lcut > s.knownLcut) s.knownLcut = lcut;
    this.counters[viaPoll ? 'safetyPollHits' : 'announcements']!++;
    for (const cb of s.subscribers) {
      try {
        cb(lcut);
      } catch (e) {
        this.opts.logger?.warn(`[firstlight] data store subscriber threw: ${(e as Error).message}`);
      }
    }
  }

  private onMessage(channel: string, message: string): void {
    const key = this.channelToKey.get(channel);
    if (key !== undefined) {
      const lcut = Number(message);
      if (Number.isFinite(lcut)) this.announce(key, lcut, false);
      return;
    }
    const leaseKey = this.leaseChannelToKey.get(channel);
    if (leaseKey !== undefined && !this.closed) {
      const s = this.keys.get(leaseKey);
      if (s?.wantLease && !this.isLeader(leaseKey)) void this.acquireOrRenew(leaseKey, s);
    }
  }

  private async safetyCheck(): Promise<void> {
    if (this.closed || !this.clientReady) return;
    for (const [key, s] of this.keys) {
      if (s.subscribers.size === 0) continue;
      try {
        const t = await this.getTime(key);
        if (t !== null) this.announce(key, t, true);
      } catch (e) {
        this.lastError = (e as Error).message;
      }
    }
  }

  health(): RedisDataStoreHealth {
    return {
      topology: this.target.kind,
      tls: this.target.tls,
      connected: this.connected,
      degraded: !this.connected,
      role: this.role,
      lastError: this.lastError,
      reconnects: this.reconnects,
      keys: [...this.keys.entries()].map(([k, s]) => ({
        key: dataKeyLabel(k),
        lcut: s.knownLcut,
        leader: this.isLeader(k),
        subscribed: s.subscribers.size > 0,
      })),
      counters: { ...this.counters },
    };
  }

  /**
   * What a follower checks each interval, in one round trip: the stored lcut (announcements can be
   * missed) and the writer's verdict on the key (see writeAuthVerdict). Rejects while Redis is down.
   */
  async followerView(key: string): Promise<{ time: number | null; verdict: AuthVerdict | null }> {
    const [[, t], [, v]] = (await this.client
      .pipeline()
      .hget(this.prefix + key, 'time')
      .get(authKeyOf(this.prefix, key))
      .exec()) as [[unknown, string | null], [unknown, string | null]];
    const verdict = v === 'ok' ? 'ok' : v === '401' ? 401 : v === '403' ? 403 : null;
    return { time: t ? Number(t) : null, verdict };
  }

  /**
   * The writer's verdict on a key for its followers: 'ok' or upstream's refusal (401/403). It lives
   * `ttlMs` (the caller makes it outlive its slowest retry, or a refusal would lapse between two polls).
   * Only the lease holder writes it; a failed write is not an error (followers keep their view).
   */
  async writeAuthVerdict(key: string, verdict: AuthVerdict, ttlMs: number): Promise<void> {
    if (!this.isLeader(key)) return;
    await this.client.set(authKeyOf(this.prefix, key), String(verdict), 'PX', Math.max(1, Math.round(ttlMs))).catch(() => {});
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.safetyTimer) clearInterval(this.safetyTimer);
    if (this.clientReady) {
      await Promise.all(
        [...this.keys.entries()]
          .filter(([k]) => this.isLeader(k))
          .map(([k]) =>
            this.client.flRelease(leaseKeyOf(this.prefix, k), this.token, leaseChannelOf(this.prefix, k)).catch(() => 0),
          ),
      );
    }
    for (const [k, s] of this.keys) if (s.leader) this.setLeader(k, s, false);
    await Promise.allSettled([this.#client, this.#sub].flatMap((r) => (r ? [quit(r)] : [])));
  }
}

async function quit(r: RedisClient): Promise<void> {
  if (r.status === 'ready') {
    await Promise.race([r.quit().catch(() => {}), new Promise((res) => setTimeout(res, 500).unref())]);
  }
  r.disconnect(false);
}

function newest<T extends { time?: number }>(a: T | null, b: T | null): T | null {
  if (!a) return b;
  if (!b) return a;
  if (a.time === undefined || b.time === undefined) return a;
  return b.time > a.time ? b : a;
}
