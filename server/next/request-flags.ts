/**
 * One evaluation per request. Server components call `getRequestFlags()` as often as they like:
 * React's cache() memoises it for the duration of the render, so the user is built once, every
 * entity is evaluated once (an `EvaluationSnapshot`), the bootstrap is serialised once, and each
 * server-side exposure is logged at most once per request — at once for a document render, and for
 * a router or prefetch render only when the browser reports it shown (POST /api/statsig/shown).
 */
import { cache } from 'react';
import { FlagsUnavailableError } from '../../lib/errors';
import type { StatsigUser } from '../../lib/types';
import type { PayloadFormat } from '../../lib/index';
import type { EvaluationSnapshot } from '../snapshot';
import { nextConfig, type UserEcho } from './config';
import { getStatsig, notReadyReason } from './instance';
import { renderKindFromMark, userFromHeaders, type UserFromRequestOptions } from './user';
import type { RenderKind } from './stable-id';
import type { ExposuresOnShow } from './exposures-on-show';

export interface RequestFlags {
  /** The user as built from the request (identified, private attributes included). */
  readonly user: StatsigUser;
  readonly clientKey: string;
  /** The client initialize response for this user (djb2, v1 or init-v2), as the JSON string the browser SDK takes. */
  readonly bootstrap: string;
  /** `cir.user`: exactly what the browser client is constructed with (parsed on first read). */
  readonly clientUser: StatsigUser;
  /**
   * What this render is for (see RenderKind). Only a `document` render logs server-side
   * exposures; `router` and `prefetch` renders may never be shown, so they defer them.
   */
  readonly render: RenderKind;
  /**
   * This request's evaluation. `peek*` reads log nothing; `checkGate`/`getConfig`/… log the
   * exposure once, whatever the render — prefer `checkGate` below, which defers when it must.
   */
  readonly snapshot: EvaluationSnapshot;
  /**
   * Read a gate in a server component. A document render logs its exposure once per request; a
   * router or prefetch render logs nothing and remembers the gate in `exposuresOnShow`.
   */
  checkGate(name: string): boolean;
  /**
   * The gates a router or prefetch render has read through `checkGate` so far (first-read order),
   * with an ID of this render. Spread it into `<LogExposuresOnShow {...flags.exposuresOnShow} />`
   * after the reads — in every server component that reads gates, since a child renders after its
   * parent's JSX is built (repeats are deduped by the server). When the router shows the payload,
   * the browser reports it and the server logs the exposures then. No gates for document renders.
   */
  readonly exposuresOnShow: ExposuresOnShow;
}

export interface RequestFlagsOptions extends UserFromRequestOptions {
  userEcho?: UserEcho;
  /** Limit the browser bootstrap to these entities (the ones the page's client components read). */
  only?: readonly string[];
  /** Bootstrap payload format: 'v1' (default) or the compact 'init-v2' (about half the bytes). */
  format?: PayloadFormat;
}

async function build(opts: RequestFlagsOptions): Promise<RequestFlags> {
  const { headers, cookies } = await import('next/headers');
  const [h, c, statsig] = await Promise.all([headers(), cookies(), getStatsig()]);
  const cfg = nextConfig();
  const clientKey = opts.clientKey ?? cfg.clientKey;
  const user = await userFromHeaders(h, c, { ...opts, clientKey });
  const snapshot = statsig.evaluateAll(user, { clientKey });
  if (snapshot.lcut === 0) throw new FlagsUnavailableError(`flags unavailable: ${notReadyReason(statsig) ?? 'no specs'}`);
  const bootstrap = snapshot.toClientInitializeResponseJSON({
    hash: 'djb2',
    userEcho: opts.userEcho ?? cfg.userEcho,
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.format ? { format: opts.format } : {}),
  });
  if (bootstrap === null) throw new FlagsUnavailableError();
  const render = renderKindFromMark(h);
  let clientUser: StatsigUser | undefined;
  const deferred: string[] = [];
  let renderId: string | undefined;

  return {
    user,
    clientKey,
    bootstrap,
    get clientUser() {
      clientUser ??= (JSON.parse(bootstrap) as { user: StatsigUser }).user;
      return clientUser;
    },
    render,
    snapshot,
    checkGate(name) {
      const gate = snapshot.peekGate(name);
      // unknown gates log nothing; a render that may never be shown waits until the browser shows it
      if (gate.details.reason === 'Unrecognized') return gate.value;
      if (render !== 'document') {
        if (!deferred.includes(name)) deferred.push(name);
        return gate.value;
      }
      return snapshot.checkGate(name);
    },
    get exposuresOnShow() {
      renderId ??= crypto.randomUUID();
      return Object.freeze({ gates: Object.freeze([...deferred]), renderId });
    },
  };
}

const DEFAULT_OPTIONS: RequestFlagsOptions = {};

/**
 * Per-request flags for server components. Options are fixed per app (pass the same object every
 * time, e.g. from one module), since the cache key is the options object itself.
 */
export const getRequestFlags: (opts?: RequestFlagsOptions) => Promise<RequestFlags> = cache(
  (opts: RequestFlagsOptions = DEFAULT_OPTIONS) => build(opts),
);

/** The props for <FirstlightProvider>: the client key and the bootstrap as one JSON string. */
export async function getBootstrap(opts?: RequestFlagsOptions): Promise<{ clientKey: string; bootstrap: string }> {
  const f = await getRequestFlags(opts);
  return { clientKey: f.clientKey, bootstrap: f.bootstrap };
}
