/**
 * `firstlight/openfeature/web`: the OpenFeature provider for @openfeature/web-sdk (an optional peer),
 * on the page's bootstrapped @statsig/js-client. Browser-safe: nothing here reaches Node or the server.
 */
export { FirstlightWebProvider } from './web-provider';
export type { FirstlightWebProviderOptions, BootstrappedClient } from './web-provider';
