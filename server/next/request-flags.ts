/**
 * One evaluation per request. Server components call `getRequestFlags()` as often as they like:
 * React's cache() memoises it for the duration of the render, so the user is built once, every
 * entity is evaluated once, the bootstrap is serialised once, and each server-side exposure is
 * logged at most once per request (never for prefetches).
 */
import { cache } from 'react';
import type { StatsigUser } from '../../lib/types';
import { nextConfig, type UserEcho } from './config';
import type { EntityEvaluation, EntityKind, UserEvaluation } from './engine-types';
import { getEngine } from './engine';
import { isPrefetchRequest, userFromHeaders, type UserFromRequestOptions } from './user';

export interface RequestFlags {
  readonly user: StatsigUser;
  readonly clientKey: string;
  /** The client initialize response for this user (djb2), as the JSON string the browser SDK takes. */
  readonly bootstrap: string;
  /** `cir.user`: exactly what the browser client must be constructed with. */
  readonly clientUser: StatsigUser;
  readonly isPrefetch: boolean;
  readonly evaluation: UserEvaluation;
  /** Read a gate in a server component; logs its exposure once per request. */
  checkGate(name: string): boolean;
  getEntity(kind: EntityKind, name: string, opts?: { exposure?: boolean; parameterName?: string }): EntityEvaluation | undefined;
  /** Which entities this request logged server-side exposures for. */
  readonly serverExposures: ReadonlySet<string>;
}

export class FlagsUnavailableError extends Error {
  constructor(reason: string) {
    super(`flags unavailable: ${reason}`);
    this.name = 'FlagsUnavailableError';
  }
}

export interface RequestFlagsOptions extends UserFromRequestOptions {
  userEcho?: UserEcho;
  only?: readonly string[];
}

async function build(opts: RequestFlagsOptions): Promise<RequestFlags> {
  const { headers, cookies } = await import('next/headers');
  const [h, c] = await Promise.all([headers(), cookies()]);
  const cfg = nextConfig();
  const clientKey = opts.clientKey ?? cfg.clientKey;
  const user = userFromHeaders(h, c, { ...opts, clientKey });
  const engine = await getEngine();
  const status = engine.status();
  if (!status.ready) throw new FlagsUnavailableError(status.reason ?? 'not ready');
  const evaluation = engine.evaluate(user, { clientKey });
  const bootstrap = evaluation.bootstrapJSON({
    hash: 'djb2',
    userEcho: opts.userEcho ?? cfg.userEcho,
    ...(opts.only ? { only: opts.only } : {}),
  });
  if (bootstrap === null) throw new FlagsUnavailableError('no specs');
  const clientUser = (JSON.parse(bootstrap) as { user: StatsigUser }).user;
  const isPrefetch = isPrefetchRequest(h);
  const exposed = new Set<string>();

  const getEntity: RequestFlags['getEntity'] = (kind, name, o = {}) => {
    const e = evaluation.get(kind, name);
    if (e && o.exposure && !isPrefetch) {
      const key = `${kind}:${name}:${o.parameterName ?? ''}`;
      if (!exposed.has(key)) {
        exposed.add(key);
        evaluation.expose(kind, name, o.parameterName);
      }
    }
    return e;
  };

  return {
    user,
    clientKey,
    bootstrap,
    clientUser,
    isPrefetch,
    evaluation,
    serverExposures: exposed,
    getEntity,
    checkGate: (name) => getEntity('gate', name, { exposure: true })?.value === true,
  };
}

/**
 * Per-request flags for server components. Options are fixed per app (pass the same object every
 * time, e.g. from one module), since the cache key is the options object itself.
 */
export const getRequestFlags: (opts?: RequestFlagsOptions) => Promise<RequestFlags> = cache(
  (opts: RequestFlagsOptions = DEFAULT_OPTIONS) => build(opts),
);
const DEFAULT_OPTIONS: RequestFlagsOptions = {};

/** The bootstrap props for <FirstlightProvider>. */
export async function getBootstrap(opts?: RequestFlagsOptions): Promise<{ clientKey: string; bootstrap: string }> {
  const f = await getRequestFlags(opts);
  return { clientKey: f.clientKey, bootstrap: f.bootstrap };
}
