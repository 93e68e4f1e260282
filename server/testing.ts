/**
 * `firstlight/testing`: force variants in end-to-end tests (Playwright, or anything that can set a
 * cookie or a header). The server applies them when it has the same FIRSTLIGHT_FORCE_KEY (and, under
 * NODE_ENV=production, FIRSTLIGHT_FORCE_IN_PRODUCTION=true), to the first HTML and the bootstrap alike:
 *
 *   import { forceVariants } from 'firstlight/testing';
 *   await forceVariants(context, { key: process.env.FIRSTLIGHT_FORCE_KEY!, url: baseURL, experiments: { hero_copy: 'Bold' } });
 *   await page.goto('/');   // the server render and the browser SDK both show "Bold"
 */
import type { ForcedVariantsRequest } from '../lib/forced-variants';
import { DEFAULT_TTL_MS, FORCE_COOKIE, FORCE_HEADER, signForcedVariants } from './forced/forced-token';

export { signForcedVariants, FORCE_COOKIE, FORCE_HEADER };
export type { ForcedVariantsRequest };

export interface ForceVariantsOptions extends ForcedVariantsRequest {
  /** The server's FIRSTLIGHT_FORCE_KEY (at least 32 characters). */
  readonly key: string;
  /** How long the token applies. @default one hour */
  readonly ttlMs?: number;
}

/** The part of Playwright's BrowserContext this helper uses (no dependency on @playwright/test). */
export interface CookieJar {
  addCookies(cookies: { name: string; value: string; url: string; httpOnly?: boolean; sameSite?: 'Strict' | 'Lax' | 'None' }[]): Promise<void>;
}

function tokenFor(opts: ForceVariantsOptions): string {
  const { key, ttlMs, ...request } = opts;
  return signForcedVariants(request, key, { ttlMs: ttlMs ?? DEFAULT_TTL_MS });
}

/** Sets the forced-variants cookie for `url`'s origin on a browser context; every later page load applies it. */
export async function forceVariants(context: CookieJar, opts: ForceVariantsOptions & { readonly url: string }): Promise<void> {
  const { url, ...rest } = opts;
  await context.addCookies([{ name: FORCE_COOKIE, value: tokenFor(rest), url: new URL(url).origin, httpOnly: true, sameSite: 'Lax' }]);
}

/** The header form, for `extraHTTPHeaders` or an API request context. */
export function forcedVariantsHeader(opts: ForceVariantsOptions): Record<string, string> {
  return { [FORCE_HEADER]: tokenFor(opts) };
}
