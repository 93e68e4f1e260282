export { startProxy, type ForwardProxy, type ProxyHealth } from './proxy';
export { resolveProxyOptions, parseProxyArgs, PROXY_USAGE, type ProxyOptions, type ProxyOptionsInput } from './options';
export { checkDcsPayload } from './validate';
export { SpecCache, type SpecUpdate, type SpecListener, type LookupRefusal } from './specs/spec-cache';
export type { KeySync, KeyState } from './specs/key-sync';
export type { CachedSpecs, DcsVersion } from './specs/cached-specs';
