export { startProxy, type ForwardProxy, type ProxyHealth } from './proxy';
export { resolveProxyOptions, parseProxyArgs, PROXY_USAGE, type ProxyOptions, type ProxyOptionsInput } from './options';
export { checkDcsPayload } from './validate';
