/**
 * Which Redis deployment the fleet talks to, from one URL, and the ioredis client for it.
 *
 *   redis://[user:password@]host[:port][/db]                 one server (or a managed endpoint)
 *   redis+cluster://[user:password@]host:port,host:port,...  Redis Cluster (the seeds; the rest is discovered)
 *   redis+sentinel://[user:password@]host:port,...[/db]?name=<master>[&sentinelUsername=..&sentinelPassword=..]
 *                                                            the master that Sentinel names, followed across failovers
 *
 * `rediss` in place of `redis` (rediss://, rediss+cluster://, rediss+sentinel://) speaks TLS, with the
 * system's CAs unless `tls.caPath` names the CA; `tls.certPath` + `tls.keyPath` add a client certificate.
 * user:password are the data nodes' ACL credentials (percent-encoded). Ports default to 6379 (26379 for
 * sentinels). Everything is checked here, with one message naming the part that is wrong; the message
 * never repeats a password.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { IoredisModule } from './ioredis';
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export type RedisTarget =
  | { readonly kind: 'standalone'; readonly tls: boolean; readonly node: RedisNode; readonly db: number; readonly username?: string; readonly password?: string }
  | { readonly kind: 'cluster'; readonly tls: boolean; readonly nodes: readonly RedisNode[]; readonly username?: string; readonly password?: string }
  | {
      readonly kind: 'sentinel';
      readonly tls: boolean;
      readonly sentinels: readonly RedisNode[];
      readonly name: string;
      readonly db: number;
      readonly username?: string;
      readonly password?: string;
      readonly sentinelUsername?: string;
      readonly sentinelPassword?: string;
    };

/** TLS material for rediss URLs (file paths, read once when the client is made). */
export interface RedisTlsOptions {
  /** PEM CA bundle that signed the servers' certificates (default: the system's CAs) */
  caPath?: string;
  /** PEM client certificate, with keyPath, for servers that require one (tls-auth-clients yes) */
  certPath?: string;
  keyPath?: string;
  /** name checked against the server certificate (default: the host of each node) */
  servername?: string;
}

/** @internal */
export const RedisTlsOptionsSchema = z
  .object({
    caPath: z.string().min(1).optional(),
    certPath: z.string().min(1).optional(),
    keyPath: z.string().min(1).optional(),
    servername: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => (t.certPath === undefined) === (t.keyPath === undefined), 'certPath and keyPath go together');

const URL_RE = /^(rediss?)(?:\+(cluster|sentinel))?:\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/;
const FORMS = 'redis[s]://host:port[/db], redis[s]+cluster://host:port,host:port, redis[s]+sentinel://host:port,...?name=<master>';

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/, 'each node must be host[:port]');
const db = z
  .string()
  .regex(/^\d{0,2}$/, 'the path must be a database number')
  .transform((s) => (s === '' ? 0 : Number(s)))
  .refine((n) => n <= 15, 'the database number must be 0..15');
const SentinelQuery = z
  .object({ name: z.string({ error: 'needs ?name=<master name>' }).min(1, 'needs ?name=<master name>'), sentinelUsername: z.string().min(1).optional(), sentinelPassword: z.string().min(1).optional() })
  .strict();

/** The URL with its password replaced, for messages and health. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:@/?#]*:)[^@/?#]*@/i, '$1***@').replace(/(sentinelPassword=)[^&#]*/g, '$1***');
}

function fail(url: string, why: string): never {
  throw new InvalidOptionError(`firstlight: Redis URL ${JSON.stringify(redactRedisUrl(url))}: ${why} (forms: ${FORMS})`);
}

function decode(url: string, s: string | undefined, what: string): string | undefined {
  if (s === undefined || s === '') return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return fail(url, `the ${what} is not valid percent-encoding`);
  }
}

function parseNodes(url: string, list: string, defaultPort: number): RedisNode[] {
  if (list === '') return fail(url, 'no host');
  return list.split(',').map((part) => {
    const r = hostPort.safeParse(part);
    if (!r.success) return fail(url, `${JSON.stringify(part)}: each node must be host[:port]`);
    const colon = part.lastIndexOf(':');
    const hasPort = colon > part.lastIndexOf(']');
    const host = (hasPort ? part.slice(0, colon) : part).replace(/^\[|\]$/g, '');
    const port = hasPort ? Number(part.slice(colon + 1)) : defaultPort;
    if (!(port >= 1 && port <= 65535)) return fail(url, `port ${part.slice(colon + 1)} is out of range`);
    return { host, port };
  });
}

/** Parses and checks a Redis URL (throws InvalidOptionError naming what is wrong). */
export function parseRedisUrl(url: string): RedisTarget {
  if (typeof url !== 'string') return fail(String(url), 'must be a string');
  const m = URL_RE.exec(url.trim());
  if (!m) return fail(url, 'not a Redis URL');
  const [, scheme, topology, userinfo, hosts = '', path, query] = m;
  const tls = scheme === 'rediss';
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    username = decode(url, colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name');
    password = decode(url, colon < 0 ? undefined : userinfo.slice(colon + 1), 'password');
  }
  const creds = { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
  const params = new URLSearchParams(query ?? '');
  const dbOf = () => {
    const r = db.safeParse(path ?? '');
    return r.success ? r.data : fail(url, r.error.issues[0]!.message);
  };
  if (topology === undefined) {
    if (query) return fail(url, 'query parameters are not used by redis:// URLs');
    const nodes = parseNodes(url, hosts, 6379);
    if (nodes.length !== 1) return fail(url, 'redis:// names one server; use redis+cluster:// or redis+sentinel:// for several');
    return { kind: 'standalone', tls, node: nodes[0]!, db: dbOf(), ...creds };
  }
  if (topology === 'cluster') {
    if (query) return fail(url, 'query parameters are not used by redis+cluster:// URLs');
    if (path !== undefined && path !== '' && path !== '0') return fail(url, 'Redis Cluster has only database 0');
    return { kind: 'cluster', tls, nodes: parseNodes(url, hosts, 6379), ...creds };
  }
  const q = SentinelQuery.safeParse(Object.fromEntries(params));
  if (!q.success) {
    const i = q.error.issues[0]!;
    return fail(url, i.code === 'unrecognized_keys' ? `unknown parameter ${i.keys.join(', ')} (name, sentinelUsername, sentinelPassword)` : i.message);
  }
  return { kind: 'sentinel', tls, sentinels: parseNodes(url, hosts, 26379), db: dbOf(), ...creds, ...q.data };
}

/** @internal */
export type RedisClient = InstanceType<IoredisModule['Redis']> | Cluster;

/** A Cluster client (ioredis marks each client; no instanceof, so ioredis stays an import at run time only). @internal */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/** What differs between the fleet's two connections: the command client fails fast, the subscriber queues. @internal */
export interface RedisClientOptions {
  readonly connectTimeoutMs: number;
  readonly connectionName: string;
  readonly retryStrategy: (times: number) => number | null;
  /** command client: false (fail fast while down); subscriber: true (SUBSCRIBE waits for the connection) */
  readonly offlineQueue: boolean;
  /** with offlineQueue: how often a queued command is retried across reconnects (default: until connected) */
  readonly maxRetriesPerRequest?: number;
}

/** @internal */
export function readTls(tls: RedisTlsOptions | undefined, servername: string | undefined): ConnectionOptions {
  const read = (what: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new InvalidOptionError(`firstlight: cannot read the Redis TLS ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const ca = read('CA', tls?.caPath);
  const cert = read('certificate', tls?.certPath);
  const key = read('key', tls?.keyPath);
  const name = tls?.servername ?? servername;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(name ? { servername: name } : {}) };
}

/** Checks the TLS options against the target (TLS material without rediss is a mistake, not a no-op). */
export function checkTlsOptions(target: RedisTarget, tls: RedisTlsOptions | undefined): void {
  if (tls === undefined) return;
  const r = RedisTlsOptionsSchema.safeParse(tls);
  if (!r.success) throw new InvalidOptionError(`firstlight: Redis TLS options: ${r.error.issues.map((i) => `${i.path.join('.') || '(tls)'}: ${i.message}`).join('; ')}`);
  if (!target.tls && Object.keys(tls).length > 0) throw new InvalidOptionError('firstlight: Redis TLS options were given for a redis:// URL; use rediss:// to connect with TLS');
}

/** The ioredis client for a target: Redis (one server, or Sentinel's master) or Cluster (`ioredis` from loadIoredis()). @internal */
export function createRedisClient({ Redis, Cluster }: IoredisModule, target: RedisTarget, tlsOptions: RedisTlsOptions | undefined, o: RedisClientOptions): RedisClient {
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: o.connectTimeoutMs,
    enableReadyCheck: true,
    connectionName: o.connectionName,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
  };
  const perRequest: RedisOptions = o.offlineQueue ? { maxRetriesPerRequest: o.maxRetriesPerRequest ?? null, autoResubscribe: true } : { maxRetriesPerRequest: 0 };
  if (target.kind === 'cluster') {
    // a name given in the options wins; otherwise each node's certificate is checked against its own host
    const tls = target.tls ? readTls(tlsOptions, undefined) : undefined;
    const options: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: o.offlineQueue,
      enableReadyCheck: true,
      clusterRetryStrategy: (times) => o.retryStrategy(times),
      // a promoted replica is learned from MOVED replies too; the interval covers a quiet client
      slotsRefreshInterval: 2000,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      redisOptions: { ...common, ...perRequest, ...(tls ? { tls } : {}) },
    };
    return new Cluster(target.nodes.map((n) => ({ host: n.host, port: n.port })), options);
  }
  const base: RedisOptions = {
    ...common,
    ...perRequest,
    enableOfflineQueue: o.offlineQueue,
    retryStrategy: (times) => o.retryStrategy(times),
  };
  if (target.kind === 'standalone') {
    return new Redis({ ...base, host: target.node.host, port: target.node.port, db: target.db, ...(target.tls ? { tls: readTls(tlsOptions, undefined) } : {}) });
  }
  const tls = target.tls ? readTls(tlsOptions, undefined) : undefined;
  return new Redis({
    ...base,
    sentinels: target.sentinels.map((n) => ({ host: n.host, port: n.port })),
    name: target.name,
    role: 'master',
    db: target.db,
    // ioredis disconnects at once on Sentinel's +switch-master instead of waiting for the old master to fail
    failoverDetector: true,
    sentinelRetryStrategy: (times) => o.retryStrategy(times),
    ...(target.sentinelUsername !== undefined ? { sentinelUsername: target.sentinelUsername } : {}),
    ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
  });
}

/** "host:port" of the server a standalone/Sentinel client is connected to now, else null. @internal */
export function connectedAddress(client: RedisClient): string | null {
  if (isCluster(client)) return null;
  const s = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return s?.remoteAddress && s.remotePort ? `${s.remoteAddress}:${s.remotePort}` : null;
}
