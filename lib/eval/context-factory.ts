/** Builds the EvalContext for an API call from the caller's options, validating the user once. */
import { InvalidArgumentError, InvalidOptionError } from '../errors';
import type { LocalOverrides } from '../overrides';
import type { Specs } from '../spec/compiled';
import type { StatsigUser } from '../types';
import { resolveEnvironment, type EnvironmentMode } from '../user/environment';
import { EvalContext } from './context';
import { resolveTargetApp, type TargetApp } from './target-app';
import type { PreparedUser } from '../user/prepared-user';

export interface EvalOptions {
  /** Environment tier; else the payload's default_environment (§4.3). */
  environment?: string;
  /** Local overrides (§8), applied to top-level and nested gate checks; reason 'LocalOverride'. */
  overrides?: LocalOverrides;
  /** Client SDK key: resolves what `target_app` conditions see (§10.2). */
  clientKey?: string;
  /** Clock for `current_time` conditions (ms). @default Date.now() */
  now?: number;
  /**
   * ID types whose unit ID must not decide anything in this evaluation (case-insensitive), e.g.
   * `['stableID']` while the visitor has not consented to a device ID: the ID the user carries is a
   * throwaway one, and bucketing it would show a different variant on every page load. An entity
   * keyed on one of them gets its default (rule `default`), as a user who passes no rule does.
   */
  withheldIdTypes?: readonly string[];
}

export function assertUser(user: unknown): asserts user is StatsigUser {
  if (typeof user !== 'object' || user === null || Array.isArray(user)) {
    throw new InvalidArgumentError(`firstlight: user must be an object, got ${user === null ? 'null' : Array.isArray(user) ? 'an array' : typeof user}`);
  }
}

export function assertSpecs(specs: unknown): asserts specs is Specs {
  if (typeof specs !== 'object' || specs === null || !(specs as Specs).gates) {
    throw new InvalidArgumentError('firstlight: specs must come from parseSpecs()');
  }
}

export function checkEvalOptions(opts: EvalOptions | undefined): void {
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null) throw new InvalidOptionError('firstlight: options must be an object');
  if (opts.environment != null && typeof opts.environment !== 'string') {
    throw new InvalidOptionError(`firstlight: environment must be a string tier, got ${typeof opts.environment}`);
  }
  if (opts.clientKey != null && typeof opts.clientKey !== 'string') {
    throw new InvalidOptionError(`firstlight: clientKey must be a string, got ${typeof opts.clientKey}`);
  }
  if (opts.now != null && typeof opts.now !== 'number') {
    throw new InvalidOptionError(`firstlight: now must be a number (ms), got ${typeof opts.now}`);
  }
  if (opts.withheldIdTypes != null && (!Array.isArray(opts.withheldIdTypes) || !opts.withheldIdTypes.every((t) => typeof t === 'string'))) {
    throw new InvalidOptionError('firstlight: withheldIdTypes must be an array of ID type names');
  }
}

function withheldSet(types: readonly string[] | undefined): ReadonlySet<string> | null {
  return types === undefined || types.length === 0 ? null : new Set(types.map((t) => t.toLowerCase()));
}

export function createContext(
  specs: Specs,
  user: StatsigUser,
  opts: EvalOptions | undefined,
  mode: EnvironmentMode,
  memoise: boolean,
  target: TargetApp = resolveTargetApp(specs, opts?.clientKey),
): EvalContext {
  const env = resolveEnvironment(user, opts?.environment, specs.defaultEnvironment, mode);
  return new EvalContext(specs, user, env, opts?.overrides ?? null, target.conditionValue, opts?.now, memoise, target.nestedConditionValue, withheldSet(opts?.withheldIdTypes));
}

/** createContext for a server check without options: no clock, overrides or client key to resolve. */
export function createPlainContext(specs: Specs, user: StatsigUser, reuse: 'plain' | 'prepared' | null = null): EvalContext {
  const env = resolveEnvironment(user, undefined, specs.defaultEnvironment, 'replace');
  return new EvalContext(specs, user, env, null, specs.appId, undefined, false, specs.appId, null, reuse);
}

/** Stands in for the user of a context waiting for reuse, so it keeps no caller's object alive. */
const NO_USER: StatsigUser = Object.freeze({});

/** The last plain context a check finished with. */
let spare: EvalContext | null = null;

/**
 * The context of an option-less check, reusing the one the previous check finished with when it
 * was for the same specs: one allocation (~20 fields) fewer per check. A check that starts while
 * another runs (user code called back from a value's toString, say) finds no spare and gets its
 * own. Pair with releaseContext.
 */
export function acquirePlainContext(specs: Specs, user: StatsigUser): EvalContext {
  const c = spare;
  if (c !== null && c.specs === specs) {
    spare = null;
    c.rebind(user);
    return c;
  }
  return createPlainContext(specs, user, 'plain');
}

/**
 * A prepared user's own context for these specs (kept on the user, so its field reads, user agent
 * and country carry over between checks); a new one when the specs changed, and a throwaway one
 * when a check on this user is already running. Pair with releaseContext.
 */
export function acquirePreparedContext(specs: Specs, prepared: PreparedUser): EvalContext {
  const kept = prepared.state as EvalContext | null;
  if (kept !== null && kept.specs === specs) {
    if (kept.busy) return createPlainContext(specs, prepared.user);
    kept.rebind(prepared.user);
    kept.busy = true;
    return kept;
  }
  const c = createPlainContext(specs, prepared.user, 'prepared');
  c.busy = true;
  prepared.state = c;
  return c;
}

export function releaseContext(ctx: EvalContext): void {
  if (ctx.reuse === 'prepared') {
    ctx.busy = false;
  } else if (ctx.reuse === 'plain') {
    ctx.user = NO_USER;
    spare = ctx;
  }
}
