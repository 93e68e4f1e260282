/**
 * Compares Firstlight's clientInitializeResponseJSON with statsig-node's
 * getClientInitializeResponse: equal as parsed objects (key order irrelevant) except
 * `generator`/`sdkInfo`, and — separately reported — byte-identical as serialized strings once
 * those two fields carry the same values.
 */
import { isDeepStrictEqual } from 'node:util';
import { clientInitializeResponseJSON, type Specs } from '../../lib/index';
import type { HashMode, JsonUser, NodeReference } from './reference';

export const IGNORED_TOP_LEVEL = ['generator', 'sdkInfo'] as const;

export interface CirCase {
  hash: HashMode;
  clientKey?: string;
  environment?: string;
}

export interface CirOutcome {
  equal: boolean;
  byteIdentical: boolean;
  firstlightBytes: number;
  /** paths of the first differences (when not equal) */
  differences: string[];
}

function stripIgnored(o: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...o };
  for (const k of IGNORED_TOP_LEVEL) delete copy[k];
  return copy;
}

/** Paths where two JSON values differ (at most `limit`). */
export function diffPaths(a: unknown, b: unknown, path = '$', out: string[] = [], limit = 8): string[] {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const av = (a as Record<string, unknown>)[k];
      const bv = (b as Record<string, unknown>)[k];
      if (!(k in a)) out.push(`${path}.${k}: missing in firstlight, statsig-node=${JSON.stringify(bv)?.slice(0, 300)}`);
      else if (!(k in b)) out.push(`${path}.${k}: extra in firstlight=${JSON.stringify(av)?.slice(0, 300)}`);
      else diffPaths(av, bv, `${path}.${k}`, out, limit);
      if (out.length >= limit) break;
    }
    return out;
  }
  out.push(`${path}: firstlight=${JSON.stringify(a)?.slice(0, 300)} statsig-node=${JSON.stringify(b)?.slice(0, 300)}`);
  return out;
}

export function compareCir(specs: Specs, ref: NodeReference, user: JsonUser, c: CirCase): CirOutcome {
  const flJson = clientInitializeResponseJSON(specs, user, { hash: c.hash, clientKey: c.clientKey, environment: c.environment });
  const fl = JSON.parse(flJson) as Record<string, unknown>;
  const node = ref.gcir(user, { hash: c.hash, clientKey: c.clientKey });
  if (node === null) return { equal: false, byteIdentical: false, firstlightBytes: flJson.length, differences: ['statsig-node returned null'] };
  const equal = isDeepStrictEqual(stripIgnored(fl), stripIgnored(node));
  // byte identity: give statsig-node's object Firstlight's generator/sdkInfo values in place
  for (const k of IGNORED_TOP_LEVEL) {
    if (k in fl) (node as Record<string, unknown>)[k] = fl[k];
    else delete (node as Record<string, unknown>)[k];
  }
  const byteIdentical = equal && JSON.stringify(node) === flJson;
  return {
    equal,
    byteIdentical,
    firstlightBytes: flJson.length,
    differences: equal ? [] : diffPaths(stripIgnored(fl), stripIgnored(node)),
  };
}
