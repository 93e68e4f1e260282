/**
 * A user prepared once for many checks, like statsig-node-core's `StatsigUser`: a snapshot of the
 * caller's object taken at preparation (later changes to that object are not seen), with the
 * per-user work of a check — the user fields conditions read, the parsed user agent, the country
 * from the IP — done at most once for all checks made with it. Plain objects stay accepted
 * everywhere; preparing pays off when one user is checked many times (a request that checks
 * several gates one by one).
 */
import type { StatsigUser } from '../types';

/** Marks prepared users across copies of the package (instanceof would not). */
export const PREPARED = Symbol.for('firstlight.preparedUser');

/** The nested objects a user's fields are also read from. */
const NESTED = new Set(['custom', 'privateAttributes', 'customIDs', 'statsigEnvironment']);

/**
 * An object's own enumerable properties (getters run once, here), frozen; with `nested`, the
 * objects under NESTED copied the same way. A prototype-less object stays prototype-less, so a
 * field such as `toString` reads the same on the copy; any other object becomes a plain one.
 */
function snapshot(v: object, nested: boolean): object {
  const out = (Object.getPrototypeOf(v) === null ? Object.create(null) : {}) as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    let x = (v as Record<string, unknown>)[k];
    if (nested && NESTED.has(k) && typeof x === 'object' && x !== null && !Array.isArray(x)) x = snapshot(x, false);
    // `__proto__` as an own key (JSON.parse makes one) must stay a data property
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return Object.freeze(out);
}

export class PreparedUser {
  readonly [PREPARED] = true;
  /** The snapshot every check reads: the user's own fields, and custom, privateAttributes, customIDs and statsigEnvironment copied one level deep, frozen (arrays and deeper values are shared with the caller). */
  readonly user: StatsigUser;
  /**
   * @internal Per-user state a check context keeps between checks (see acquirePreparedContext in eval/context-factory.ts):
   * one slot, for the Specs the user was last checked against.
   */
  state: object | null = null;

  /** @internal use prepareUser() */
  constructor(user: StatsigUser) {
    this.user = snapshot(user, true) as StatsigUser;
    Object.seal(this);
  }
}

/** A PreparedUser of this copy of the package, or null. */
export function preparedOf(user: unknown): PreparedUser | null {
  return user instanceof PreparedUser ? user : null;
}

/**
 * The user object a prepared user (of any copy of the package) stands for, else `user` itself: every
 * entry point that takes a user takes a prepared one too.
 */
export function unwrapUser(user: unknown): unknown {
  return typeof user === 'object' && user !== null && (user as { [PREPARED]?: unknown })[PREPARED] === true ? (user as PreparedUser).user : user;
}
