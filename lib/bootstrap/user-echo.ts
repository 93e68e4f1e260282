/**
 * The `user` and `evaluated_keys` of a bootstrap (reference §10.1): the evaluated user as JSON,
 * without privateAttributes, with the normalised environment. 'minimal' keeps only what a client
 * needs to recognise the payload, so no raw IP, user agent or email lands in the HTML.
 */
import type { StatsigUser } from '../types';
import type { ResolvedEnvironment } from '../user/environment';
import { countryFromIP } from '../user/country';

export type UserEcho = 'full' | 'minimal';

const MINIMAL_KEYS = new Set(['userID', 'customIDs', 'statsigEnvironment', 'country', 'locale', 'appVersion']);

export interface EchoedUser {
  /** JSON of `evaluated_keys`. */
  readonly evaluatedKeysJson: string;
  /** JSON of `user`. */
  readonly userJson: string;
}

export function echoUser(user: StatsigUser, env: ResolvedEnvironment, mode: UserEcho): EchoedUser {
  const copy: Record<string, unknown> = { ...user };
  // assigning keeps the key's position when the user already had one (null), as statsig-node's write does
  if (env.replaced) copy['statsigEnvironment'] = env.env;
  delete copy['privateAttributes'];
  // a JSON round trip is what statsig-node echoes (undefined fields dropped, toJSON applied)
  const clone = JSON.parse(JSON.stringify(copy) ?? '{}') as Record<string, unknown>;
  const keys: Record<string, unknown> = {};
  if (clone['userID']) keys['userID'] = clone['userID'];
  const ids = clone['customIDs'];
  if (ids && Object.keys(ids).length > 0) keys['customIDs'] = ids;
  let echoed = clone;
  if (mode === 'minimal') {
    echoed = {};
    for (const k of Object.keys(clone)) if (MINIMAL_KEYS.has(k)) echoed[k] = clone[k];
    if (echoed['country'] == null) {
      const derived = countryFromIP(user.ip);
      if (derived !== null) echoed['country'] = derived;
    }
  }
  return { evaluatedKeysJson: JSON.stringify(keys), userJson: JSON.stringify(echoed) };
}
