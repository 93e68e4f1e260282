/**
 * Reading values off a StatsigUser exactly as statsig-node does (reference §4.1, §4.2). The
 * quirks are deliberate: only the *field name* is lower-cased, `??` means an empty string counts
 * as a value, and the last candidate's own null/undefined is returned (it matters to `any`,
 * which stringifies it).
 */

type Bag = Record<string, unknown> | null | undefined;

/**
 * The same string, internalized. Field names and idTypes come from JSON *values* (and from
 * toLowerCase), which V8 does not internalize, and a property lookup with such a key has to
 * find its internalized twin on every access. Passing the name through an object key once at
 * compile time makes the per-user lookups plain ones (hand-written; together with the
 * lower-case shortcut in getFromUser measured a few percent on the large bootstrap).
 */
export function internKey<T>(s: T): T {
  if (typeof s !== 'string') return s;
  const o: Record<string, number> = {};
  o[s] = 0;
  for (const k in o) return k as T;
  return s;
}

/** `object[key]` under a case-insensitive key match; undefined when no key matches. */
export function getParameterCaseInsensitive(object: unknown, key: string): unknown {
  if (object == null) return undefined;
  const lower = key.toLowerCase();
  for (const k of Object.keys(object)) {
    if (k.toLowerCase() === lower) return (object as Record<string, unknown>)[k];
  }
  return undefined;
}

/**
 * The unit ID for an idType: `userID` (any case) or a customIDs key, with a case-insensitive
 * fallback over customIDs. `isUserID`/`lower` are pre-computed by the compiler.
 */
export function getUnitID(user: object, idType: unknown, isUserID: boolean): unknown {
  if (isUserID) return (user as { userID?: unknown }).userID;
  const customIDs = (user as { customIDs?: Bag }).customIDs;
  const direct = customIDs?.[idType as string];
  if (direct !== undefined) return direct;
  return getParameterCaseInsensitive(customIDs, idType as string);
}

/** True when `idType` selects `user.userID`. */
export function idTypeIsUserID(idType: unknown): boolean {
  return typeof idType !== 'string' || idType.toLowerCase() === 'userid';
}

/**
 * `getFromUser`: the first non-nullish of user[f], user[f.lower], custom[f], custom[f.lower],
 * privateAttributes[f], privateAttributes[f.lower]. `top` replaces `user[field]` when the caller
 * substitutes the environment (see EvalContext).
 */
export function getFromUser(user: object, field: string, lower: string): unknown {
  const u = user as Record<string, unknown> & { custom?: Bag; privateAttributes?: Bag };
  // most field names are already lower-case: `x ?? x` is x, so skip the repeated (megamorphic,
  // often missing) lookups — the same value, half the work
  if (field === lower) return u[field] ?? u.custom?.[field] ?? u.privateAttributes?.[field];
  return (
    u[field] ??
    u[lower] ??
    u.custom?.[field] ??
    u.custom?.[lower] ??
    u.privateAttributes?.[field] ??
    u.privateAttributes?.[lower]
  );
}
