/**
 * One StatsigUser per request, built from validated request inputs only.
 *
 * - userID and profile attributes: the app's `identify` hook (a session, an auth provider), if any
 * - customIDs.stableID: the stable-ID cookie (set by proxy.ts on first visit)
 * - ip: only from a forwarding header you configured as trusted (FIRSTLIGHT_TRUSTED_IP_HEADER), the
 *   entry the nearest trusted proxy wrote (FIRSTLIGHT_TRUSTED_PROXY_HOPS)
 * - userAgent, locale (first Accept-Language tag)
 *
 * Every header and cookie is size-limited and validated with zod; invalid inputs are dropped.
 */
import { z } from 'zod';
import type { StatsigUser } from '../../lib/types';
import { nextConfig } from './config';
import { parseStableIdCookie, stableIdCookieName, stableIdFromCookieHeader } from './stable-id';
import { routeWarn } from './route-log';
import { checkConsentOption, consentOptionOf, consentStateOf, decideConsent, perRequestId, type ConsentDecision, type ConsentOption, type ConsentState } from './consent';

const ipSchema = z.union([z.ipv4(), z.ipv6()]);
const userAgentSchema = z
  .string()
  .min(1)
  .max(512)
  // printable ASCII only; header values outside it are not real browser user agents
  .regex(/^[\x20-\x7e]+$/);
const localeSchema = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/);

export interface CookieReader {
  get(name: string): { value: string } | undefined;
}

export interface HeaderReader {
  get(name: string): string | null;
}

/** What `identify` sees of the request: its headers and cookies (read-only). */
export interface IdentifyRequest {
  readonly headers: HeaderReader;
  readonly cookies: CookieReader;
}

/**
 * The app's answer to "who is this": the signed-in user's ID and profile attributes (email, custom,
 * privateAttributes, extra customIDs), or nothing for an anonymous visitor. May await a session
 * (`await auth()`). Its fields are laid over what the request itself tells (stable ID, IP, user
 * agent, locale, environment); its customIDs are merged with the stable ID.
 */
export type Identify = (request: IdentifyRequest) => StatsigUser | null | undefined | Promise<StatsigUser | null | undefined>;

export interface UserFromRequestOptions {
  clientKey?: string;
  /** Header name (lower case) of a trusted forwarding proxy; null/undefined trusts none. */
  trustedIpHeader?: string | null;
  /** Trusted proxies in front of the app that append to that header (see clientIpFrom). */
  trustedProxyHops?: number;
  environment?: string | null;
  /** App hook: the signed-in user for this request (see Identify). */
  identify?: Identify;
  /**
   * Consent mode (see ConsentOption): until the visitor consented, the stable-ID cookie is neither
   * set nor read, the render uses a per-request ID, logs no exposure and stableID-keyed entities show
   * their default. Default: a consent cookie named by FIRSTLIGHT_CONSENT_COOKIE, else off.
   */
  consent?: ConsentOption;
}

/** The user of a request and, in consent mode, what was decided. */
export interface RequestIdentity {
  readonly user: StatsigUser;
  /** null: consent mode is off (the stable-ID cookie is used as always). */
  readonly consent: ConsentDecision | null;
  /** The browser's view of it (provider props), null when off. */
  readonly consentState: ConsentState | null;
}

const checkedOptions = new WeakMap<object, ConsentOption>();

/** The consent option in force for these options, checked once per option object. */
export function consentOptionFor(opts: UserFromRequestOptions): ConsentOption | null {
  const given = opts.consent;
  if (given === undefined) return consentOptionOf(undefined, nextConfig().consentCookie);
  let checked = checkedOptions.get(given);
  if (checked === undefined) {
    checked = checkConsentOption(given);
    checkedOptions.set(given, checked);
  }
  return checked;
}

function parsed<T>(schema: z.ZodType<T>, v: unknown): T | undefined {
  const r = schema.safeParse(v);
  return r.success ? r.data : undefined;
}

/**
 * The client's address from a trusted forwarding header. In an X-Forwarded-For style list every proxy
 * appends the address it saw, so only the entries the trusted proxies added can be believed: with
 * `hops` trusted proxies in front of the app, the one nearest the client wrote the entry `hops` from
 * the right (anything left of it was sent by the client, who can write what it likes). A list shorter
 * than `hops` gives its first entry. A single-address header (X-Real-IP, CF-Connecting-IP) is the same
 * rule with one entry.
 */
export function clientIpFrom(headers: HeaderReader, trustedHeader: string | null | undefined, hops = 1): string | undefined {
  if (!trustedHeader) return undefined;
  const raw = headers.get(trustedHeader);
  if (!raw || raw.length > 2048) return undefined;
  const entries = raw.split(',');
  const entry = entries[Math.max(0, entries.length - Math.max(1, hops))]!.trim();
  return parsed(ipSchema, entry);
}

export function localeFrom(acceptLanguage: string | null): string | undefined {
  if (!acceptLanguage || acceptLanguage.length > 256) return undefined;
  const first = acceptLanguage.split(',')[0]!.split(';')[0]!.trim();
  if (first === '*') return undefined;
  return parsed(localeSchema, first);
}

/**
 * The request's stable ID: from the raw Cookie header when there is one, by the browser's rule (the
 * first duplicate wins, see stableIdFromCookieHeader); from the cookie reader otherwise.
 */
export function stableIdFrom(cookies: CookieReader, clientKey: string, cookieHeader?: string | null): string | undefined {
  if (cookieHeader) return stableIdFromCookieHeader(cookieHeader, clientKey) ?? undefined;
  return parseStableIdCookie(cookies.get(stableIdCookieName(clientKey))?.value) ?? undefined;
}

/** Build the user from explicit headers/cookies (route handlers, tests). */
export async function userFromHeaders(headers: HeaderReader, cookies: CookieReader, opts: UserFromRequestOptions = {}): Promise<StatsigUser> {
  return (await identityFromHeaders(headers, cookies, opts)).user;
}

/**
 * The user and the consent decision of a request. Without consent the stable-ID cookie is not read
 * (a cookie left from before a revocation, or a forged one, decides nothing): the user carries a
 * fresh per-request ID instead, which the browser SDK then keeps in memory only.
 */
export async function identityFromHeaders(headers: HeaderReader, cookies: CookieReader, opts: UserFromRequestOptions = {}): Promise<RequestIdentity> {
  const option = consentOptionFor(opts);
  const consent = option === null ? null : await decideConsent(option, { headers, cookies });
  if (consent?.verdict === 'malformed') routeWarn('consent:malformed', 'a consent cookie with an unreadable value was treated as no consent');
  if (consent?.verdict === 'callback-failed') routeWarn('consent:callback', 'the consent callback threw or answered something other than a boolean: treated as no consent');
  const base = requestUser(headers, cookies, opts, consent === null || consent.granted ? undefined : perRequestId());
  const identified = opts.identify ? await opts.identify({ headers, cookies }) : undefined;
  // the app's fields win; the request's stable ID stays unless the app sets its own
  const user = identified ? { ...base, ...identified, customIDs: { ...base.customIDs, ...(identified.customIDs ?? {}) } } : base;
  return { user, consent, consentState: option === null || consent === null ? null : consentStateOf(option, consent) };
}

/** What the request itself tells about the visitor, before the app's identify hook. */
function requestUser(headers: HeaderReader, cookies: CookieReader, opts: UserFromRequestOptions, ephemeralId: string | undefined): StatsigUser {
  const cfg = nextConfig();
  const clientKey = opts.clientKey ?? cfg.clientKey;
  const trusted = opts.trustedIpHeader === undefined ? cfg.trustedIpHeader : opts.trustedIpHeader;
  const environment = opts.environment === undefined ? cfg.environment : opts.environment;
  const stableID = ephemeralId ?? stableIdFrom(cookies, clientKey, headers.get('cookie'));
  const ip = clientIpFrom(headers, trusted, opts.trustedProxyHops ?? cfg.trustedProxyHops);
  const userAgent = parsed(userAgentSchema, headers.get('user-agent') ?? undefined);
  const locale = localeFrom(headers.get('accept-language'));

  const user: StatsigUser = {};
  user.customIDs = stableID !== undefined ? { stableID } : {};
  if (ip !== undefined) user.ip = ip;
  if (userAgent !== undefined) user.userAgent = userAgent;
  if (locale !== undefined) user.locale = locale;
  if (environment) user.statsigEnvironment = { tier: environment };
  return user;
}

/** Build the user for the current request inside a server component, action or route handler. */
export async function userFromRequest(opts: UserFromRequestOptions = {}): Promise<StatsigUser> {
  const { headers, cookies } = await import('next/headers');
  const [h, c] = await Promise.all([headers(), cookies()]);
  return userFromHeaders(h, c, opts);
}

export { renderKindFromMark } from './stable-id';
