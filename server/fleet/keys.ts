/**
 * Key scheme shared by every fleet member (SDK instances, forward proxies).
 *
 * Specs live under Statsig's data-adapter key, derived from a SHA-256 of the server secret so the
 * secret (or any prefix of it) never appears in Redis, in logs or in metrics:
 *
 *   statsig|/v1/download_config_specs|plain_text|<base64(sha256(serverSecret))>
 *
 * Next to each data key (all under the same optional namespace prefix):
 *   <key>|writer   the writer lease (random token, SET NX PX, renewed by its holder)
 *   <key>|lcut     the pub/sub channel announcing each newly written lcut (message: decimal lcut)
 *   <key>|lease    the pub/sub channel announcing a released lease (graceful hand-over)
 *   <key>|auth     the last upstream authorization failure (401/403) seen by the writer, with a TTL
 */
import { createHash } from 'node:crypto';
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

export const leaseKeyOf = (prefix: string, key: string) => `${prefix}${key}|writer`;
export const lcutChannelOf = (prefix: string, key: string) => `${prefix}${key}|lcut`;
export const leaseChannelOf = (prefix: string, key: string) => `${prefix}${key}|lease`;
export const authKeyOf = (prefix: string, key: string) => `${prefix}${key}|auth`;
