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

/** A value as it comes back from a JSON round trip (what statsig-node's clone holds). */
function cloned(v: unknown): { json: string | undefined; value: unknown } {
  const json = JSON.stringify(v);
  return { json, value: json === undefined ? undefined : JSON.parse(json) };
}

/** `json` and whether statsig-node's clone of the userID is truthy (a string skips the re-parse). */
function clonedIdJson(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : JSON.stringify(v);
  const id = cloned(v);
  return id.value ? id.json! : null;
}

/**
 * `json` of customIDs when its clone is an object with at least one key, else null. JSON text
 * that starts with `{` parses to an object, and to one with keys unless it is exactly `{}`, so
 * only other shapes need the re-parse.
 */
function clonedCustomIdsJson(v: unknown): string | null {
  const json = JSON.stringify(v);
  if (json === undefined) return null;
  if (json.charCodeAt(0) === 123 /* { */) return json === '{}' ? null : json;
  const value = JSON.parse(json) as unknown;
  return value && Object.keys(value).length > 0 ? json : null;
}

export function echoUser(user: StatsigUser, env: ResolvedEnvironment, mode: UserEcho): EchoedUser {
  const copy: Record<string, unknown> = { ...user };
  // assigning keeps the key's position when the user already had one (null), as statsig-node's write does
  if (env.replaced) copy['statsigEnvironment'] = env.env;
  delete copy['privateAttributes'];
  // statsig-node echoes a JSON clone: evaluated_keys are judged on the cloned values
  let keys = '';
  const id = clonedIdJson(copy['userID']);
  if (id !== null) keys = '"userID":' + id;
  const ids = clonedCustomIdsJson(copy['customIDs']);
  if (ids !== null) keys += (keys === '' ? '' : ',') + '"customIDs":' + ids;
  if (mode === 'full') return { evaluatedKeysJson: '{' + keys + '}', userJson: JSON.stringify(copy) ?? '{}' };

  const clone = JSON.parse(JSON.stringify(copy) ?? '{}') as Record<string, unknown>;
  const echoed: Record<string, unknown> = {};
  for (const k of Object.keys(clone)) if (MINIMAL_KEYS.has(k)) echoed[k] = clone[k];
  if (echoed['country'] == null) {
    const derived = countryFromIP(user.ip);
    if (derived !== null) echoed['country'] = derived;
  }
  return { evaluatedKeysJson: '{' + keys + '}', userJson: JSON.stringify(echoed) };
}
