/**
 * The device (stable) ID cookie, shared by the server render and @statsig/js-client.
 *
 * Name: the one the Statsig client itself uses, `statsig.stable_id.<djb2('k:' + clientKey)>`.
 * Value: the plain ID (UUID v4 when we mint it). Path=/, one year, SameSite=Lax, Secure on https.
 *
 * This module runs inside proxy.ts, so it stays free of Node-only APIs.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { nextConfig } from './config';
import { checkConsentOption, consentOptionOf, decideConsent, type ConsentDecision, type ConsentOption } from './consent';

export const STABLE_ID_MAX_LENGTH = 64;
/** What we accept from a browser: UUID-like tokens. Anything else is replaced, never trusted. */
const STABLE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$/;
export const STABLE_ID_MAX_AGE_S = 365 * 24 * 60 * 60;

function djb2(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return String(h >>> 0);
}

export function stableIdCookieName(clientKey: string): string {
  return `statsig.stable_id.${djb2('k:' + clientKey)}`;
}

export function isValidStableId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= STABLE_ID_MAX_LENGTH && STABLE_ID_RE.test(value);
}

/** The stable ID carried by a cookie value, or null when absent or invalid. */
export function parseStableIdCookie(raw: string | undefined | null): string | null {
  if (raw == null) return null;
  let v = raw;
  // The Statsig client writes encodeURIComponent(id); accept that form too.
  if (v.includes('%')) {
    try {
      v = decodeURIComponent(v);
    } catch {
      return null;
    }
  }
  return isValidStableId(v) ? v : null;
}

/**
 * The stable ID in a Cookie header, read the way @statsig/js-client reads `document.cookie`
 * (StableID._loadFromCookie: split on ';', trim, the FIRST pair whose name matches wins). A browser
 * sends the same pairs in the same order in its Cookie header as it shows in document.cookie (RFC 6265
 * 5.4: longer paths first, then older first), so with duplicate cookies — one per path, or one left
 * by another subdomain — the server and the browser agree on one ID. (Next's `cookies()` keeps the
 * last duplicate.) A first match that is not a valid stable ID gives null; the later ones are not
 * consulted, as the browser does not consult them either.
 */
export function stableIdFromCookieHeader(header: string | null | undefined, clientKey: string): string | null {
  if (!header || header.length > 16 * 1024) return null;
  const name = stableIdCookieName(clientKey);
  for (const pair of header.split(';')) {
    const [key, value] = pair.trim().split('=');
    if (key === name) return parseStableIdCookie(value);
  }
  return null;
}

export interface StableIdProxyOptions {
  clientKey: string;
  /** Trust `x-forwarded-proto` to decide on `Secure` (only behind a proxy you control). */
  trustForwardedProto?: boolean;
  /** Mint the ID; defaults to crypto.randomUUID(). Injectable for tests. */
  mint?: () => string;
  /**
   * Consent mode (the same option the pages get, see RequestFlagsOptions.consent): no stable-ID
   * cookie until the visitor consented, and one left from before a revocation is removed. Default:
   * FIRSTLIGHT_CONSENT_COOKIE, else off.
   */
  consent?: ConsentOption;
}

/**
 * What a request renders for, as the proxy saw it:
 *   document  a browser page load (`Sec-Fetch-Dest: document`, or without Fetch Metadata an
 *             `Accept` that asks for HTML): what it renders is what the user sees;
 *   router    any other fetch — above all the Next router's RSC requests: navigations, and the
 *             full prefetches of `<Link prefetch={true}>`, which Next 16 sends with exactly a
 *             navigation's headers (and strips its own router headers before the proxy runs);
 *   prefetch  a marked prefetch (`Sec-Purpose`/`Purpose: prefetch`, `Next-Router-Prefetch`).
 * Only a document render knows it is being shown; the others leave their exposures to the
 * browser, which logs them if it shows the payload (see LogExposuresOnShow).
 */
export type RenderKind = 'document' | 'router' | 'prefetch';

/**
 * Request header the proxy sets for the render. Next.js strips its own router headers before
 * server components run, so the proxy, which still sees them, passes the verdict on. Always
 * overwritten here, so a browser cannot choose it.
 */
export const RENDER_KIND_HEADER = 'x-firstlight-render';

interface HeaderGetter {
  get(name: string): string | null;
}

function isPrefetchRequest(headers: HeaderGetter): boolean {
  if (headers.get('next-router-prefetch') !== null) return true;
  const purpose = (headers.get('purpose') ?? headers.get('sec-purpose') ?? headers.get('x-purpose') ?? '').toLowerCase();
  return purpose.includes('prefetch');
}

const DOCUMENT_DESTINATIONS = new Set(['document', 'iframe', 'frame']);

/** The proxy's verdict from the request headers it sees. */
export function renderKindOf(headers: HeaderGetter): RenderKind {
  if (isPrefetchRequest(headers)) return 'prefetch';
  if (headers.get('rsc') !== null) return 'router';
  const dest = headers.get('sec-fetch-dest');
  if (dest !== null) return DOCUMENT_DESTINATIONS.has(dest.toLowerCase()) ? 'document' : 'router';
  return (headers.get('accept') ?? '').toLowerCase().includes('text/html') ? 'document' : 'router';
}

/**
 * The render kind as server components see it: the proxy's mark, or — without the proxy — the
 * same verdict from the headers that reach them (Next strips its router headers, not these).
 */
export function renderKindFromMark(headers: HeaderGetter): RenderKind {
  const mark = headers.get(RENDER_KIND_HEADER);
  if (mark === 'document' || mark === 'router' || mark === 'prefetch') return mark;
  return renderKindOf(headers);
}

/**
 * Proxy step: make sure the request carries a valid stable-ID cookie, and mark the render kind.
 *
 * When the cookie is missing or invalid, mint an ID, set it on the response and rewrite the
 * request's Cookie header so the render of this very request already uses it.
 *
 * Concurrent first requests (two tabs, a prefetch racing the document) each mint an ID and the
 * browser keeps the last Set-Cookie it processes. Nothing can decide that race on the server
 * without shared state, so the browser side settles it: the client provider compares the cookie
 * with the ID its bootstrap was rendered for and, when they differ, re-bootstraps for the cookie's
 * ID. The browser therefore ends with exactly one ID in the cookie, in localStorage and in every
 * later event; only a page that lost the race may switch variant once, right after loading.
 */
export function ensureStableId(req: NextRequest, opts: StableIdProxyOptions, consent: ConsentDecision | null = null): NextResponse {
  const name = stableIdCookieName(opts.clientKey);
  const headers = new Headers(req.headers);
  headers.set(RENDER_KIND_HEADER, renderKindOf(req.headers));

  if (consent !== null && !consent.granted) return withoutStableId(req, headers, name);

  if (stableIdFromCookieHeader(req.headers.get('cookie'), opts.clientKey) !== null) {
    return NextResponse.next({ request: { headers } });
  }

  const id = (opts.mint ?? (() => crypto.randomUUID()))();
  req.cookies.set(name, id);
  headers.set('cookie', req.cookies.toString());
  const res = NextResponse.next({ request: { headers } });
  res.cookies.set(name, id, {
    path: '/',
    maxAge: STABLE_ID_MAX_AGE_S,
    sameSite: 'lax',
    secure: isSecure(req, opts),
    httpOnly: false, // the Statsig client may read it; it is an identifier, not a credential
  });
  return res;
}

function isSecure(req: NextRequest, opts: StableIdProxyOptions): boolean {
  const proto = opts.trustForwardedProto ? req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() : undefined;
  return proto ? proto === 'https' : req.nextUrl.protocol === 'https:';
}

/**
 * No consent: nothing is minted, and a stable-ID cookie the browser still sends (set before a
 * revocation, or written by anything else) is expired on the response and left out of this render's
 * Cookie header, so neither this render nor a later one can read it.
 */
function withoutStableId(req: NextRequest, headers: Headers, name: string): NextResponse {
  if (!req.cookies.has(name) && !(req.headers.get('cookie') ?? '').includes(`${name}=`)) return NextResponse.next({ request: { headers } });
  req.cookies.delete(name);
  const rest = req.cookies.toString();
  if (rest) headers.set('cookie', rest);
  else headers.delete('cookie');
  const res = NextResponse.next({ request: { headers } });
  res.cookies.set(name, '', { path: '/', maxAge: 0, sameSite: 'lax' });
  return res;
}

/**
 * The whole of a typical `proxy.ts`: page-like reads (GET/HEAD) get a stable ID; anything else —
 * server-to-server POSTs such as POST /api/statsig/bootstrap — passes untouched and gets no cookie.
 * The client key and whether `x-forwarded-proto` is trusted (a trusted IP header is configured)
 * come from the environment on the first request unless given here.
 */
export function createStableIdProxy(opts: Partial<StableIdProxyOptions> = {}): (req: NextRequest) => NextResponse | Promise<NextResponse> {
  let resolved: StableIdProxyOptions | null = null;
  let consent: ConsentOption | null = null;
  return (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return NextResponse.next();
    if (!resolved) {
      const cfg = opts.clientKey === undefined || opts.trustForwardedProto === undefined || opts.consent === undefined ? nextConfig() : null;
      consent = opts.consent === undefined ? consentOptionOf(undefined, cfg!.consentCookie) : checkConsentOption(opts.consent);
      resolved = {
        ...opts,
        clientKey: opts.clientKey ?? cfg!.clientKey,
        trustForwardedProto: opts.trustForwardedProto ?? cfg!.trustedIpHeader !== null,
      };
    }
    if (consent === null) return ensureStableId(req, resolved);
    const r = resolved;
    return decideConsent(consent, { headers: req.headers, cookies: req.cookies }).then((d) => ensureStableId(req, r, d));
  };
}
