/**
 * Consent-aware identity: with a consent option (or FIRSTLIGHT_CONSENT_COOKIE), the stable-ID cookie
 * is only set, read and bucketed on once the site says the visitor consented.
 *
 *   consent: { cookie: 'site_consent' }                  the value `granted` (or one of `values`) means yes
 *   consent: { granted: ({ headers, cookies }) => … }    the site's own rule (a consent tool's cookie, a session)
 *
 * Decisions are fail-closed: a missing, unknown, malformed or oversized cookie value, a callback that
 * throws, answers anything but `true` or answers late — all mean "no consent". This module runs in proxy.ts (edge),
 * so it stays free of Node-only APIs.
 */
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';
import type { CookieReader, HeaderReader } from './user';

/** What a consent callback sees of the request (read-only). */
export interface ConsentRequest {
  readonly headers: HeaderReader;
  readonly cookies: CookieReader;
}

export type ConsentOption =
  | {
      /** Name of the cookie the site (or the banner of firstlight/react) keeps the visitor's answer in. */
      readonly cookie: string;
      /** Values that mean "granted". @default ['granted'] */
      readonly values?: readonly string[];
    }
  | {
      /** The site's rule; it may await a session or read a consent tool's own cookie. */
      readonly granted: (request: ConsentRequest) => boolean | Promise<boolean>;
      /** An answer later than this is no consent (a stalled session store must not hang every page). @default 2000 */
      readonly timeoutMs?: number;
    };

/** Why a request counts as not consented, or that it does. */
export type ConsentVerdict = 'granted' | 'absent' | 'denied' | 'malformed' | 'callback-failed';

export interface ConsentDecision {
  readonly granted: boolean;
  readonly verdict: ConsentVerdict;
}

/** What the browser side needs to know (provider props); never the cookie's value. */
export interface ConsentState {
  readonly granted: boolean;
  /** The consent cookie firstlight/react writes on grant()/revoke(); absent for a callback. */
  readonly cookie?: string;
  /** The value it writes on grant(). */
  readonly grantedValue?: string;
}

export const DEFAULT_GRANTED_VALUE = 'granted';
/** The value firstlight/react writes on revoke(). */
export const DENIED_VALUE = 'denied';
const MAX_VALUE_LENGTH = 64;
// RFC 6265 cookie-name token
const COOKIE_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// a consent value is a short word (granted, denied, v2-all, …): anything else is not one
const VALUE_RE = /^[A-Za-z0-9._:-]{1,64}$/;

const cookieOptionSchema = z
  .object({
    cookie: z.string().regex(COOKIE_NAME_RE, 'must be a cookie name (RFC 6265 token, at most 128 characters)'),
    values: z.array(z.string().regex(VALUE_RE, 'must be a short word (letters, digits, ".", "_", ":", "-")')).min(1).max(16).optional(),
  })
  .strict();
const callbackOptionSchema = z
  .object({
    granted: z.custom<(r: ConsentRequest) => boolean | Promise<boolean>>((v) => typeof v === 'function', 'must be a function'),
    timeoutMs: z.number().int().min(1).max(60_000).optional(),
  })
  .strict();
export const DEFAULT_CONSENT_TIMEOUT_MS = 2_000;

/** The option checked once (InvalidOptionError naming what is wrong), frozen. */
export function checkConsentOption(option: unknown): ConsentOption {
  const asCookie = cookieOptionSchema.safeParse(option);
  if (asCookie.success) return Object.freeze({ ...asCookie.data, ...(asCookie.data.values ? { values: Object.freeze([...asCookie.data.values]) } : {}) });
  const asCallback = callbackOptionSchema.safeParse(option);
  if (asCallback.success) return Object.freeze({ granted: asCallback.data.granted, ...(asCallback.data.timeoutMs !== undefined ? { timeoutMs: asCallback.data.timeoutMs } : {}) });
  const issues = (typeof option === 'object' && option !== null && 'granted' in option ? asCallback : asCookie).error!.issues;
  throw new InvalidOptionError(
    `firstlight: consent must be { cookie: name, values? } or { granted: (request) => boolean }: ${issues.map((i) => `${i.path.join('.') || 'consent'} ${i.message}`).join('; ')}`,
  );
}

/**
 * The first value of cookie `name` in a Cookie header (the browser's order, as the stable ID is
 * read): undefined when absent, null when its pair is unreadable (bad %-escape).
 */
export function cookieValueFromHeader(header: string | null | undefined, name: string): string | null | undefined {
  if (!header || header.length > 16 * 1024) return undefined;
  for (const pair of header.split(';')) {
    const i = pair.indexOf('=');
    if (i < 0 || pair.slice(0, i).trim() !== name) continue;
    const raw = pair.slice(i + 1).trim();
    if (!raw.includes('%')) return raw;
    try {
      return decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  return undefined;
}

/** The verdict of a consent cookie's value (pure). */
export function consentFromCookieValue(value: string | null | undefined, granted: readonly string[] = [DEFAULT_GRANTED_VALUE]): ConsentDecision {
  if (value === undefined || value === '') return { granted: false, verdict: 'absent' };
  if (value === null || value.length > MAX_VALUE_LENGTH || !VALUE_RE.test(value)) return { granted: false, verdict: 'malformed' };
  return granted.includes(value) ? { granted: true, verdict: 'granted' } : { granted: false, verdict: 'denied' };
}

/** The request's consent under `option`. Never throws: a failing callback is "no consent". */
export async function decideConsent(option: ConsentOption, request: ConsentRequest): Promise<ConsentDecision> {
  if ('cookie' in option) {
    const header = request.headers.get('cookie');
    const value = header !== null ? cookieValueFromHeader(header, option.cookie) : request.cookies.get(option.cookie)?.value;
    return consentFromCookieValue(value, option.values);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const late = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), option.timeoutMs ?? DEFAULT_CONSENT_TIMEOUT_MS);
    });
    const answer: unknown = await Promise.race([Promise.resolve().then(() => option.granted(request)), late]);
    return answer === true ? { granted: true, verdict: 'granted' } : { granted: false, verdict: answer === false ? 'denied' : 'callback-failed' };
  } catch {
    return { granted: false, verdict: 'callback-failed' };
  } finally {
    clearTimeout(timer);
  }
}

const TIMED_OUT: unique symbol = Symbol('timed out');

/** The option in force: the one given, else a cookie named by FIRSTLIGHT_CONSENT_COOKIE, else none. */
export function consentOptionOf(given: ConsentOption | undefined, envCookie: string | null): ConsentOption | null {
  if (given !== undefined) return given;
  return envCookie === null ? null : { cookie: envCookie };
}

/** The browser's view of a decision (see ConsentState). */
export function consentStateOf(option: ConsentOption, decision: ConsentDecision): ConsentState {
  if ('cookie' in option) return { granted: decision.granted, cookie: option.cookie, grantedValue: option.values?.[0] ?? DEFAULT_GRANTED_VALUE };
  return { granted: decision.granted };
}

/** An ID for one render of a visitor without consent: never stored, never sent in a Set-Cookie. */
export function perRequestId(): string {
  return crypto.randomUUID();
}

/** What an evaluation for a visitor without consent withholds (see EvaluateAllOptions). */
export const WITHOUT_CONSENT = Object.freeze({ withheldIdTypes: Object.freeze(['stableID']), logExposures: false });
