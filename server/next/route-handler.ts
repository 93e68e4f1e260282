/**
 * The one route file an app needs, `app/api/statsig/[...path]/route.ts`:
 *
 *   export const { GET, POST } = createRouteHandlers(FLAGS);
 *
 * Every path the browser SDK and the provider call sits under that one base, so a missing file can
 * no longer make a route 404 while the others work:
 *   GET  bootstrap   the browser's own bootstrap (private, ETag)
 *   GET  health      source, lcut, event queue (503 while no specs are loaded)
 *   POST rgstr, log_event   event batches      POST initialize      the client's network fallback
 *   POST sdk_exception      client errors      POST shown           deferred exposures (same-origin)
 *   POST bootstrap   server-to-server bootstrap (bearer token)
 */
import type { NextRequest } from 'next/server';
import { json } from './http';
import type { RequestFlagsOptions } from './request-flags';
import {
  bootstrapPOST,
  healthGET,
  makeBootstrapGET,
  makeEventsPOST,
  makeInitializePOST,
  makeExposuresShownPOST,
  sdkExceptionPOST,
} from './routes';

type Handler = (req: NextRequest) => Promise<Response>;

/** What Next passes a `[...path]` route handler. */
export interface CatchAllContext {
  params: Promise<{ path?: string[] }>;
}

export interface RouteHandlers {
  GET(req: NextRequest, ctx: CatchAllContext): Promise<Response>;
  POST(req: NextRequest, ctx: CatchAllContext): Promise<Response>;
}

/** The routes of the catch-all, by method and the one path segment under the base. */
export const ROUTE_NAMES = {
  GET: ['bootstrap', 'health'],
  POST: ['rgstr', 'log_event', 'initialize', 'sdk_exception', 'shown', 'bootstrap'],
} as const;

/**
 * GET and POST for the catch-all route. `opts` are the options the pages pass to getRequestFlags()
 * (the same object), so the bootstrap route and the deferred-exposure route build the user exactly
 * as the page did.
 */
export function createRouteHandlers(opts: RequestFlagsOptions = {}): RouteHandlers {
  const get: Record<(typeof ROUTE_NAMES.GET)[number], Handler> = {
    bootstrap: makeBootstrapGET(opts),
    health: () => healthGET(opts.failOpen === undefined ? {} : { failOpen: opts.failOpen }),
  };
  const events = makeEventsPOST(opts);
  const post: Record<(typeof ROUTE_NAMES.POST)[number], Handler> = {
    rgstr: events,
    log_event: events,
    initialize: makeInitializePOST(opts),
    sdk_exception: sdkExceptionPOST,
    shown: makeExposuresShownPOST(opts),
    bootstrap: bootstrapPOST,
  };

  async function dispatch(method: 'GET' | 'POST', req: NextRequest, ctx: CatchAllContext): Promise<Response> {
    const { path = [] } = await ctx.params;
    const name = path.length === 1 ? path[0]! : '';
    const table: Record<string, Handler> = method === 'GET' ? get : post;
    const handler = Object.hasOwn(table, name) ? table[name] : undefined;
    if (handler) return handler(req);
    const other: Record<string, Handler> = method === 'GET' ? post : get;
    if (Object.hasOwn(other, name)) {
      return json(405, { error: `${method} is not allowed here` }, { allow: method === 'GET' ? 'POST' : 'GET' });
    }
    return json(404, { error: 'no such Firstlight route', routes: ROUTE_NAMES });
  }

  return {
    GET: (req, ctx) => dispatch('GET', req, ctx),
    POST: (req, ctx) => dispatch('POST', req, ctx),
  };
}
