/**
 * `firstlight/next`: the Next.js App Router integration (server side). Named exports, written out.
 *
 *   instrumentation.ts   export async function register() { checkConfig() }   (bad env stops the start)
 *   proxy.ts             export const proxy = createStableIdProxy()   (from firstlight/next/proxy)
 *   server components    const flags = await getRequestFlags(FLAGS)   (one evaluation per request)
 *   layout               <FirstlightProvider {...await getBootstrap(FLAGS)}>   (from firstlight/react)
 *   app/api/statsig/[...path]/route.ts   export const { GET, POST } = createRouteHandlers(FLAGS)
 */
export { userFromRequest, userFromHeaders } from './user';
export type { UserFromRequestOptions, CookieReader, HeaderReader, Identify, IdentifyRequest, RequestIdentity } from './user';
export { identityFromHeaders } from './user';
export type { ConsentOption, ConsentRequest, ConsentState, ConsentDecision, ConsentVerdict } from './consent';
export { getRequestFlags, getBootstrap } from './request-flags';
export { FlagsUnavailableError, InvalidOptionError } from '../../lib/errors';
export type { RequestFlags, RequestFlagsOptions } from './request-flags';
export type { FlagRegistry, GateName, ConfigName, ExperimentName, LayerName, ParamsOf } from '../../lib/flag-types';
export type { ExposuresOnShow } from './exposures-on-show';
export { createStableIdProxy, ensureStableId, stableIdCookieName } from './stable-id';
export type { StableIdProxyOptions, RenderKind } from './stable-id';
export { getStatsig } from './instance';
export { checkConfig } from './config';
export { explorerSpecsDiff, explorerView, explorerEnabled, MAX_EXPLORER_SPECS_BYTES } from './explorer';
export type { ExplorerDiff, ExplorerKind, ExplorerRow, ExplorerSpecsDiff, ExplorerSpecsForm, ExplorerView } from './explorer';
export { flushEventsOnShutdown } from './shutdown';
export type { NextIntegrationConfig, UserEcho } from './config';
export { createRouteHandlers, ROUTE_NAMES } from './route-handler';
export type { RouteHandlers, CatchAllContext } from './route-handler';
export type { BootstrapGetOptions } from './routes';
