/**
 * `firstlight/next/proxy`: the stable-ID cookie for `proxy.ts` (or an edge `middleware.ts`). Nothing
 * here reaches the evaluator, the event pipeline or a Node-only API, so the proxy bundle stays small.
 *
 *   export const proxy = createStableIdProxy();
 */
export { createStableIdProxy, ensureStableId, stableIdCookieName, renderKindOf, RENDER_KIND_HEADER } from './stable-id';
export type { StableIdProxyOptions, RenderKind } from './stable-id';
export type { ConsentOption, ConsentRequest } from './consent';
