/**
 * `firstlight/openfeature`: the OpenFeature provider for @openfeature/server-sdk (an optional peer).
 * The browser's provider is `firstlight/openfeature/web`.
 */
export { FirstlightServerProvider } from './server-provider';
export type { FirstlightServerProviderOptions } from './server-provider';
export { userFromContext } from './context-user';
