/**
 * Key scheme shared by every fleet member (SDK instances, forward proxies).
 *
 * Specs live under Statsig's data-adapter key, derived from a SHA-256 of the server secret so the
 * secret (or any prefix of it) never appears in Redis, in logs or in metrics:
 *
 *   statsig|/v1/download_config_specs|plain_text|<base64(sha256(serverSecret))>
 *
 * Next to each data key <p><key> (<p> the optional namespace prefix, '' by default):
 *   <p>{<p><key>}|writer   the writer lease (random token, SET NX PX, renewed by its holder)
 *   <p>{<p><key>}|auth     the writer's last verdict on the SDK key ('ok', 401, 403), with a TTL
 *   <p><key>|lcut          the pub/sub channel announcing each newly written lcut (message: decimal lcut)
 *   <p><key>|lease         the pub/sub channel announcing a released lease (graceful hand-over)
 *
 * Redis Cluster runs a script or a pipeline only when all its keys hash to one slot (else CROSSSLOT).
 * The data key must stay Statsig's data-adapter key, so statsig-node reads it as it is; it has no hash
 * tag and so hashes on its whole name. The lease and verdict keys carry that whole name as their hash
 * tag, which puts them in the data key's slot; the prefix still leads every key, so SCAN and ACL key
 * patterns on it cover them. A prefix that holds a hash tag of its own (`{fleet}:`) puts every key in
 * one slot, and the companions are then simply `<p><key>|writer`. Channels are not keys: a classic
 * PUBLISH reaches every node of a cluster.
 */
import { createHash } from 'node:crypto';
import { InvalidOptionError } from '../../lib/errors';
import { dataStoreKey, type DataStorePath } from '../store/data-store';

export { dataStoreKey, type DataStorePath };

/** A short, non-reversible label for a secret (metrics, health, logs): 12 url-safe chars of its SHA-256. */
export function keyLabel(serverSecret: string): string {
  return createHash('sha256').update(serverSecret).digest('base64url').slice(0, 12);
}

/** A short label for an already-derived data store key (the hash part), for logs and health. */
export function dataKeyLabel(dataKey: string): string {
  const hash = dataKey.slice(dataKey.lastIndexOf('|') + 1);
  return hash.replace(/\+/g, '-').replace(/\//g, '_').slice(0, 12);
}

export function pathOfDataKey(dataKey: string): string | null {
  const parts = dataKey.split('|');
  return parts.length >= 4 ? (parts[1] ?? null) : null;
}

/**
 * What Redis Cluster hashes of a key: the text between the first `{` and the first `}` after it when
 * that is not empty, else the whole key (the Cluster specification's rule).
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** The Redis Cluster slot of a key (CRC16/XMODEM of its hash tag, mod 16384). */
export function slotOf(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(hashTagOf(key), 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/**
 * A key in the same slot as the stored data key `prefix + key`, itself under `prefix` (so SCAN patterns
 * and ACL key patterns on the prefix still cover it): `<prefix>{<prefix><key>}<suffix>`, or
 * `<prefix><key><suffix>` when the prefix holds a hash tag of its own. Throws when no such name
 * exists (a prefix with a stray `{` or `}` outside a complete hash tag).
 */
export function companionKey(prefix: string, key: string, suffix: string): string {
  const full = prefix + key;
  const tag = hashTagOf(full);
  const candidates = tag !== full ? [`${full}${suffix}`] : [`${prefix}{${full}}${suffix}`, `{${full}}${suffix}`];
  const companion = candidates.find((c) => hashTagOf(c) === tag);
  if (companion === undefined) {
    throw new InvalidOptionError(
      `firstlight: Redis key prefix ${JSON.stringify(prefix)} has a "{" or "}" outside a complete {hash tag}, ` +
        "so the lease key could not share the data key's Redis Cluster slot",
    );
  }
  return companion;
}

/** Throws InvalidOptionError when `prefix` cannot be used (see companionKey). */
export function checkKeyPrefix(prefix: string): void {
  companionKey(prefix, dataStoreKey('x', '/v1/download_config_specs'), '|writer');
}

export const leaseKeyOf = (prefix: string, key: string) => companionKey(prefix, key, '|writer');
export const authKeyOf = (prefix: string, key: string) => companionKey(prefix, key, '|auth');
export const lcutChannelOf = (prefix: string, key: string) => `${prefix}${key}|lcut`;
export const leaseChannelOf = (prefix: string, key: string) => `${prefix}${key}|lease`;
