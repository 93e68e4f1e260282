/**
 * Browser/OS fields derived from the user agent with ua-parser-js 1.x (MIT; 2.x is AGPL), with
 * statsig-node's two tweaks so targeting strings match the console's.
 */
import UAParser from 'ua-parser-js';

export interface ParsedUserAgent {
  readonly osName: string | null;
  readonly osVersion: string | null;
  readonly browserName: string | null;
  readonly browserVersion: string | null;
}

// UA strings repeat heavily across users; parsing costs tens of µs, so keep a bounded cache.
const CACHE_LIMIT = 2000;
const cache = new Map<string, ParsedUserAgent>();

export function parseUserAgent(ua: string): ParsedUserAgent {
  const hit = cache.get(ua);
  if (hit !== undefined) return hit;
  const res = UAParser(ua);
  let osName = res.os.name ?? null;
  if (osName === 'Mac OS') osName = 'Mac OS X';
  let browserName = res.browser.name ?? null;
  if (
    (browserName === 'Chrome' || browserName === 'Firefox') &&
    (res.device.type === 'mobile' || res.device.type === 'tablet')
  ) {
    browserName += ' Mobile';
  }
  const parsed: ParsedUserAgent = Object.freeze({
    osName,
    osVersion: res.os.version ?? null,
    browserName,
    browserVersion: res.browser.version ?? null,
  });
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(ua, parsed);
  return parsed;
}

/** The `ua_based` field of a parsed agent; null for unknown fields. */
export function userAgentField(parsed: ParsedUserAgent, fieldLower: string): string | null {
  switch (fieldLower) {
    case 'os_name':
    case 'osname':
      return parsed.osName;
    case 'os_version':
    case 'osversion':
      return parsed.osVersion;
    case 'browser_name':
    case 'browsername':
      return parsed.browserName;
    case 'browser_version':
    case 'browserversion':
      return parsed.browserVersion;
    default:
      return null;
  }
}
