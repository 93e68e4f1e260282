/**
 * `firstlight/next`: the Next.js App Router integration. Named exports, written out.
 *
 *   proxy.ts            export const proxy = createStableIdProxy()   (the stable-ID cookie)
 *   server components   const flags = await getRequestFlags(opts)    (one evaluation per request)
 *   layout              <FirstlightProvider {...await getBootstrap(opts)}>
 *   app/api/**          export const POST = eventsPOST                (route handlers)
 */
export { userFromRequest, userFromHeaders } from './user';
export type { UserFromRequestOptions, CookieReader, HeaderReader } from './user';
export { getRequestFlags, getBootstrap, FlagsUnavailableError } from './request-flags';
export type { RequestFlags, RequestFlagsOptions } from './request-flags';
export { FirstlightProvider } from './provider';
export type { FirstlightProviderProps } from './provider';
export { LogExposuresOnShow } from './exposures-on-show';
export type { ExposuresOnShow, LogExposuresOnShowProps } from './exposures-on-show';
export { createStableIdProxy, ensureStableId, stableIdCookieName } from './stable-id';
export type { StableIdProxyOptions, RenderKind } from './stable-id';
export { getStatsig } from './instance';
export type { NextIntegrationConfig, UserEcho } from './config';
export {
  makeBootstrapGET,
  makeExposuresShownPOST,
  bootstrapPOST,
  eventsPOST,
  initializePOST,
  sdkExceptionPOST,
  healthGET,
} from './routes';
export type { BootstrapGetOptions } from './routes';
export { demoLoginPOST, demoLogoutPOST } from './demo-session';
