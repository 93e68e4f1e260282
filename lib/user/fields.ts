/**
 * Reading values off a StatsigUser exactly as statsig-node does (reference §4.1, §4.2). The
 * quirks are deliberate: only the *field name* is lower-cased, `??` means an empty string counts
 * as a value, and the last candidate's own null/undefined is returned (it matters to `any`,
 * which stringifies it).
 */

type Bag = Record<string, unknown> | null | undefined;

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
  return (
    u[field] ??
    u[lower] ??
    u.custom?.[field] ??
    u.custom?.[lower] ??
    u.privateAttributes?.[field] ??
    u.privateAttributes?.[lower]
  );
}
