/**
 * SDK keys as the proxy accepts them: Statsig's keys are `secret-`/`client-` plus base62, so anything
 * outside letters, digits, `-` and `_` (CRLF, spaces, non-Latin-1) is refused with 400 before it can
 * reach a header, a log line, a Redis key or the key table.
 */
const SDK_KEY = /^[A-Za-z0-9_-]{1,200}$/;

export function isSdkKey(k: string): boolean {
  return SDK_KEY.test(k);
}
