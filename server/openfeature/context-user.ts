/**
 * An OpenFeature evaluation context as a StatsigUser, as leniently as statsig-node takes users:
 * `targetingKey` is the userID (unless `userID` is given), Statsig's own fields are taken when they
 * have their type, `customIDs` / `custom` / `privateAttributes` objects are copied, and every other
 * attribute lands in `custom` (dates as ISO strings). Nothing of the caller's context is mutated.
 */
import type { StatsigUser } from '../../lib/types';

type Attr = unknown;
const STRING_FIELDS = ['email', 'ip', 'userAgent', 'country', 'locale', 'appVersion'] as const;
const OBJECT_FIELDS = ['customIDs', 'custom', 'privateAttributes'] as const;

function plain(v: Attr): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
function customValue(v: Attr): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(customValue);
  if (plain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, customValue(x)]));
  return v;
}

export function userFromContext(context: Readonly<Record<string, Attr>> | undefined): StatsigUser {
  const ctx = plain(context) ? context : {};
  const user: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  const id = ctx.userID ?? ctx.targetingKey;
  if (typeof id === 'string' || typeof id === 'number') user.userID = String(id);
  for (const [key, v] of Object.entries(ctx)) {
    if (key === 'targetingKey' || key === 'userID' || v === undefined) continue;
    if ((STRING_FIELDS as readonly string[]).includes(key) && typeof v === 'string') user[key] = v;
    else if ((OBJECT_FIELDS as readonly string[]).includes(key) && plain(v)) user[key] = customValue(v);
    else if (key === 'statsigEnvironment' && plain(v)) user[key] = customValue(v);
    else custom[key] = customValue(v);
  }
  if (Object.keys(custom).length > 0) user.custom = { ...(plain(user.custom) ? user.custom : {}), ...custom };
  return user as StatsigUser;
}

/** Two users as JSON: object key order free, array order kept (the web provider's "is this the same user?"). */
export function sameUser(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameUser(v, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameUser((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
