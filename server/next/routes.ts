/**
 * Route handler implementations, served together by createRouteHandlers() (./route-handler).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { StatsigUser } from '../../lib/types';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../lib/payload-format';
import { bootstrapOptionsOf } from './bootstrap-options';
import { nextConfig, type UserEcho } from './config';
import { getStatsig, notReadyReason } from './instance';
import { emptyBootstrap } from './empty-bootstrap';
import { MAX_JSON_DEPTH, jsonTextDepthExceeds } from '../net/json-depth';
import { ClientBudget, type BudgetConfig } from './client-budget';
import { RefusalDelay } from './refusal-delay';
import { HttpError, decodeBody, errorResponse, json, parseJson, readBodyLimited } from './http';
import { IN_SERVER_LOG, publicBody } from './public-body';
import { routeWarn, sanitizeForLog } from './route-log';
import { isValidStableId, stableIdFromCookieHeader } from './stable-id';
import { clientIpFrom, consentOptionFor, identityFromHeaders, type CookieReader, type UserFromRequestOptions } from './user';
import { decideConsent, WITHOUT_CONSENT } from './consent';
import { forcedVariantsReader } from './forced-variants';

export const LIMITS = {
  bootstrapBody: 64 * 1024,
  eventsBody: 1024 * 1024,
  // what one browser sends: @statsig/js-client flushes at most 100 events (or every 10 s), a few
  // hundred KB at most; a 7 KB gzip body that inflates to 4 MB is not a browser
  eventsInflated: 1024 * 1024,
  eventsPerBatch: 2000,
  initializeBody: 64 * 1024,
  exceptionBody: 16 * 1024,
  /** Characters of a client-reported exception written to the log. */
  exceptionLogged: 500,
  shownBody: 16 * 1024,
  jsonDepth: MAX_JSON_DEPTH,
} as const;

/**
 * Per client (stable-ID cookie, trusted IP) on rgstr/log_event: bursts of 30 requests and 1 MiB
 * decoded (one largest batch), refilled at 5 requests and 64 KiB a second — many times what a browser
 * sends (@statsig/js-client: one batch of at most 100 events per 10 s, a few KB to tens of KB), a
 * small share of what the event pipeline holds (16 MiB). What a client may send is also what it may
 * make the server parse: bench/flood.ts showed a flooder's within-budget 140 KB batches (at 256 KiB/s)
 * still costing the other clients' p99.
 */
export const EVENTS_BUDGET: BudgetConfig = {
  requestsPerSecond: 5,
  burstRequests: 30,
  bytesPerSecond: 64 * 1024,
  burstBytes: 1024 * 1024,
  maxClients: 50_000,
};

/** Per client on sdk_exception: a browser reports an SDK error now and then, not a stream. */
export const EXCEPTION_BUDGET: BudgetConfig = {
  requestsPerSecond: 0.1,
  burstRequests: 5,
  bytesPerSecond: 1024,
  burstBytes: 32 * 1024,
  maxClients: 10_000,
};

// process-wide, like the instance (one Next server process serves every route)
interface Budgets {
  readonly events: ClientBudget;
  readonly exceptions: ClientBudget;
  /** Budget refusals go out after 1 s (at most 1,000 held at once), see RefusalDelay. */
  readonly delay: RefusalDelay;
}
const budgets = globalThis as unknown as { __firstlightBudgets?: Budgets };
function clientBudgets(): Budgets {
  budgets.__firstlightBudgets ??= { events: new ClientBudget(EVENTS_BUDGET), exceptions: new ClientBudget(EXCEPTION_BUDGET), delay: new RefusalDelay(1_000, 1_000) };
  return budgets.__firstlightBudgets;
}

// ---------------------------------------------------------------------------------------------
// Schemas

const idValue = z.union([z.string().max(256), z.number().finite()]);
const shortString = (max: number) => z.string().max(max).nullish();

/** @internal */
export const userSchema = z
  .object({
    userID: idValue.nullish(),
    customIDs: z
      .record(z.string().min(1).max(64), z.union([idValue, z.null()]))
      .refine((o) => Object.keys(o).length <= 32, 'at most 32 customIDs')
      .nullish(),
    email: shortString(320),
    ip: shortString(64),
    userAgent: shortString(1024),
    country: shortString(16),
    locale: shortString(35),
    appVersion: shortString(64),
    custom: z.record(z.string().max(128), z.json()).nullish(),
    privateAttributes: z.record(z.string().max(128), z.json()).nullish(),
    statsigEnvironment: z.record(z.string().max(64), z.string().max(128)).nullish(),
  })
  .refine(
    (u) => (u.userID !== undefined && u.userID !== null && u.userID !== '') || Object.keys(u.customIDs ?? {}).length > 0,
    { message: 'a user needs a userID or at least one customID' },
  );

const hashSchema = z.enum(['djb2', 'sha256', 'none']);
const clientKeySchema = z.string().min(1).max(256);

/** @internal */
export const bootstrapPostSchema = z
  .object({
    user: userSchema,
    hash: hashSchema.optional(),
    clientKey: clientKeySchema.optional(),
    only: z.array(z.string().min(1).max(256)).max(1000).optional(),
    userEcho: z.enum(['full', 'minimal']).optional(),
    // default: the deployment's FIRSTLIGHT_BOOTSTRAP_FORMAT; a caller whose browser SDK predates init-v2 pins 'v1'
    format: z.enum(PAYLOAD_FORMATS).optional(),
  })
  .strict();

const clientEventSchema = z
  .object({
    eventName: z.string().min(1).max(256),
    user: z.looseObject({}).nullish(),
    value: z.json().nullish(),
    metadata: z.record(z.string().max(256), z.json()).nullish(),
    time: z.number().finite().optional(),
    secondaryExposures: z.array(z.json()).max(1000).optional(),
    statsigMetadata: z.record(z.string(), z.json()).optional(),
  })
  .loose();

const eventsBodySchema = z
  .object({
    events: z.array(clientEventSchema).max(LIMITS.eventsPerBatch),
    statsigMetadata: z.looseObject({ stableID: z.string().max(256).nullish(), sdkType: z.string().max(128).nullish(), sdkVersion: z.string().max(64).nullish() }).optional(),
  })
  .loose();

const initializeBodySchema = z
  .object({
    user: z.looseObject({}),
    hash: hashSchema.optional(),
    statsigMetadata: z.looseObject({ stableID: z.string().max(256).nullish() }).optional(),
  })
  .loose();

function zodError(e: z.ZodError): HttpError {
  return new HttpError(400, 'invalid request body', {
    issues: e.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message })),
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The instance; its start-up error goes to the server log (it names paths), the client gets a 503. */
async function startedStatsig() {
  return getStatsig().catch((e: unknown) => {
    routeWarn('start', `the Statsig instance could not start: ${e instanceof Error ? e.message : String(e)}`);
    throw new HttpError(503, 'specs unavailable', { reason: IN_SERVER_LOG });
  });
}

async function readyStatsig() {
  const statsig = await startedStatsig();
  const reason = notReadyReason(statsig);
  if (reason !== null) throw new HttpError(503, 'specs unavailable', { reason: IN_SERVER_LOG });
  return statsig;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** Fill user.customIDs.stableID from statsigMetadata.stableID when the user has none. */
export function withStableIdFallback<T extends Record<string, unknown>>(user: T, stableID: unknown): T {
  if (!isValidStableId(stableID)) return user;
  const customIDs = (user.customIDs && typeof user.customIDs === 'object' ? user.customIDs : {}) as Record<string, unknown>;
  if (customIDs.stableID != null && customIDs.stableID !== '') return user;
  return { ...user, customIDs: { ...customIDs, stableID } };
}

/**
 * The budget keys of a request: its stable-ID cookie and its trusted IP. A request with neither
 * (no cookie: not a page of this app; no trusted proxy configured) shares one budget with the others
 * like it.
 */
function budgetKeys(req: Request, clientKey: string): string[] {
  const cfg = nextConfig();
  const keys: string[] = [];
  const sid = stableIdFromCookieHeader(req.headers.get('cookie'), clientKey);
  if (sid) keys.push(`sid:${sid}`);
  const ip = clientIpFrom(req.headers, cfg.trustedIpHeader, cfg.trustedProxyHops);
  if (ip) keys.push(`ip:${ip}`);
  if (keys.length === 0) keys.push('anonymous');
  return keys;
}

/** Requests refused by the per-client budgets since start, and how many clients are tracked. */
function ingestHealth() {
  const { events, exceptions } = clientBudgets();
  return {
    budgetRefusals: { events: events.refused, sdkExceptions: exceptions.refused },
    budgetClients: events.size + exceptions.size,
    // event batches of browsers without consent, dropped unread (consent mode)
    consentDropped: consentDrops.count,
  };
}

async function overBudget(retryAfterSeconds: number): Promise<Response> {
  await clientBudgets().delay.hold();
  return json(429, { error: 'too many requests from this client, retry later' }, { 'retry-after': String(retryAfterSeconds) });
}

/** JSON.parse after the nesting check: 400 and one log line (per window) for a body nested too deep. */
function parseBody(text: string, route: string): unknown {
  if (jsonTextDepthExceeds(text, LIMITS.jsonDepth)) {
    routeWarn(`depth:${route}`, `refused a ${route} body nested deeper than ${LIMITS.jsonDepth} levels (400)`);
    throw new HttpError(400, `body is nested deeper than ${LIMITS.jsonDepth} levels`);
  }
  return parseJson(text);
}

/** The event routes without an event destination: a 202 would promise what nothing keeps. */
function noEventDestination(): HttpError {
  return new HttpError(501, 'events are not recorded: no event destination is configured (STATSIG_SERVER_SECRET or FIRSTLIGHT_EVENT_LOG)');
}

function checkClientKey(url: URL): string {
  const k = url.searchParams.get('k');
  if (!k) throw new HttpError(400, 'missing client key (query k)');
  if (k.length > 256 || !nextConfig().acceptedClientKeys.includes(k)) throw new HttpError(401, 'unknown client key');
  return k;
}

// ---------------------------------------------------------------------------------------------
// GET /api/statsig/bootstrap — the browser's own bootstrap

export interface BootstrapGetOptions extends UserFromRequestOptions {
  userEcho?: UserEcho;
  /** The page's bootstrap format (RequestFlagsOptions.format); default FIRSTLIGHT_BOOTSTRAP_FORMAT. */
  format?: PayloadFormat;
  /** With no specs loaded, answer the empty bootstrap (every default) instead of 503; see RequestFlagsOptions. */
  failOpen?: boolean;
}

export function makeBootstrapGET(opts: BootstrapGetOptions = {}) {
  // checked once, when the route is made (as the page checks its own options): a format from plain JS
  // that is neither 'v1' nor 'init-v2' stops the start instead of failing every request
  const pageFormat = bootstrapOptionsOf(opts).format;
  return async function GET(req: Request & { cookies: CookieReader }): Promise<Response> {
    try {
      const statsig = (opts.failOpen ?? nextConfig().failOpen) ? await getStatsig() : await readyStatsig();
      const cfg = nextConfig();
      const clientKey = opts.clientKey ?? cfg.clientKey;
      const userEcho = opts.userEcho ?? cfg.userEcho;
      // the same format as the page's bootstrap, so the provider's refetch swaps like for like
      const format = pageFormat ?? cfg.bootstrapFormat;
      const identity = await identityFromHeaders(req.headers, req.cookies, opts);
      const { user } = identity;
      const consented = identity.consent === null || identity.consent.granted;
      const { lcut } = statsig.health();
      // consent mode: what the server decided for this request, so the provider switches with it
      const consentHeader: Record<string, string> = identity.consent === null ? {} : { 'x-firstlight-consent': consented ? 'granted' : 'denied' };
      if (lcut === 0) {
        return new Response(emptyBootstrap(user, clientKey, userEcho, format), {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...consentHeader },
        });
      }
      // the page's own forced variants (tests, local development) apply to its refetched bootstrap too
      const forcedVariants = forcedVariantsReader.read(req.headers, req.cookies);
      const etag = `"${sha256Hex(stableStringify({ user, lcut, clientKey, userEcho, format, forcedVariants: forcedVariants ?? null })).slice(0, 32)}"`;
      const headers = { etag, 'cache-control': 'private, no-cache', vary: 'Cookie', ...consentHeader };
      if (etagMatches(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
      const body =
        forcedVariants || !consented
          ? statsig
              .evaluateAll(user, { clientKey, ...(forcedVariants ? { forcedVariants } : {}), ...(consented ? {} : WITHOUT_CONSENT) })
              .toClientInitializeResponseJSON({ hash: 'djb2', userEcho, format })
          : statsig.getClientInitializeResponseJSON(user, { hash: 'djb2', clientKey, userEcho, format });
      if (body === null) throw new HttpError(503, 'specs unavailable', { reason: 'no specs' });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// POST /api/statsig/bootstrap — server-to-server, bearer token

export async function bootstrapPOST(req: Request): Promise<Response> {
  try {
    const token = nextConfig().bootstrapToken;
    const auth = req.headers.get('authorization') ?? '';
    const m = /^Bearer\s+(\S{1,512})$/i.exec(auth);
    if (!token) throw new HttpError(401, 'server-to-server bootstrap is disabled (FIRSTLIGHT_BOOTSTRAP_TOKEN unset)');
    if (!m || !tokenMatches(m[1]!, token)) throw new HttpError(401, 'missing or invalid bearer token');
    const bytes = await readBodyLimited(req, LIMITS.bootstrapBody);
    const parsed = bootstrapPostSchema.safeParse(parseBody(new TextDecoder().decode(bytes), 'bootstrap'));
    if (!parsed.success) throw zodError(parsed.error);
    const statsig = await readyStatsig();
    const { user, hash, clientKey, only, userEcho, format } = parsed.data;
    const body = statsig.getClientInitializeResponseJSON(user as StatsigUser, {
      hash: hash ?? 'djb2',
      userEcho: userEcho ?? 'full',
      format: format ?? nextConfig().bootstrapFormat,
      ...(clientKey ? { clientKey } : {}),
      ...(only ? { only } : {}),
    });
    if (body === null) throw new HttpError(503, 'specs unavailable', { reason: 'no specs' });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}

// ---------------------------------------------------------------------------------------------
// POST /api/statsig/rgstr and /api/statsig/log_event — browser event batches

/**
 * The event routes for these options. In consent mode a batch from a browser without consent is
 * answered 202 and dropped unread (a 2xx, so the SDK does not retry it): the browser SDK sends none
 * then (see FirstlightProvider), and this keeps a stale tab, an old SDK or a hand-made request from
 * logging for a visitor who said no.
 */
export function makeEventsPOST(opts: UserFromRequestOptions = {}) {
  return async function POST(req: Request & { cookies?: CookieReader }): Promise<Response> {
    const option = consentOptionFor(opts);
    if (option !== null) {
      const d = await decideConsent(option, { headers: req.headers, cookies: req.cookies ?? noCookies });
      if (!d.granted) {
        try {
          checkClientKey(new URL(req.url));
        } catch (e) {
          return errorResponse(e);
        }
        consentDrops.count++;
        return json(202, { success: true, dropped: 'no consent' });
      }
    }
    return eventsPOST(req);
  };
}

const noCookies: CookieReader = { get: () => undefined };
const consentDrops = ((globalThis as unknown as { __firstlightConsentDrops?: { count: number } }).__firstlightConsentDrops ??= { count: 0 });

export async function eventsPOST(req: Request): Promise<Response> {
  try {
    const url = new URL(req.url);
    const clientKey = checkClientKey(url);
    // refused before the body is read: a flooding client costs no inflating or parsing
    const keys = budgetKeys(req, clientKey);
    const budget = clientBudgets().events;
    const admitted = budget.admit(keys);
    if (!admitted.ok) return overBudget(admitted.retryAfterSeconds);
    const bytes = await readBodyLimited(req, LIMITS.eventsBody);
    budget.charge(keys, bytes.byteLength);
    const gzipHint = url.searchParams.get('gz') === '1' || /gzip/i.test(req.headers.get('content-encoding') ?? '');
    let text: string;
    try {
      text = decodeBody(bytes, { gzipHint, maxInflated: LIMITS.eventsInflated });
    } catch (e) {
      // a body that inflates past the limit cost that much to find out: a bomb pays for it
      budget.charge(keys, LIMITS.eventsInflated);
      throw e;
    }
    // what it inflated to counts too (the wire size is already charged)
    budget.charge(keys, Math.max(0, text.length - bytes.byteLength));
    const parsed = eventsBodySchema.safeParse(parseBody(text, url.pathname.endsWith('log_event') ? 'log_event' : 'rgstr'));
    if (!parsed.success) throw zodError(parsed.error);
    const meta = parsed.data.statsigMetadata;
    const events = parsed.data.events.map((e) => {
      const user = e.user ? withStableIdFallback(e.user as Record<string, unknown>, meta?.stableID) : e.user;
      const { privateAttributes: _drop, ...cleanUser } = (user ?? {}) as Record<string, unknown>;
      return { ...e, user: user ? (cleanUser as StatsigUser) : null };
    });
    const statsig = await startedStatsig();
    const result = statsig.ingestClientEvents(events, {
      clientKey,
      ...(meta?.sdkType ? { sdkType: meta.sdkType } : {}),
      ...(meta?.sdkVersion ? { sdkVersion: meta.sdkVersion } : {}),
    });
    // no destination at all: nothing would keep them, and retrying cannot help (the browser SDK drops
    // a batch on a status outside its retry list, 501 among them)
    if (!result.ok && result.reason === 'disabled') throw noEventDestination();
    // a 202 promises delivery: with no room, refuse the whole batch with a status the SDK retries
    if (!result.ok) {
      return json(503, { error: 'event pipeline is full, retry later' }, { 'retry-after': String(result.retryAfterSeconds) });
    }
    return json(202, { success: true });
  } catch (e) {
    // keep the client's retry semantics: only transient faults are 5xx
    return errorResponse(e);
  }
}

// ---------------------------------------------------------------------------------------------
// POST /api/statsig/shown — the browser shows a router or prefetch render: log its deferred reads

const entityName = z.string().min(1).max(256);

/** @internal */
export const shownBodySchema = z
  .object({
    gates: z.array(entityName).max(100).default([]),
    configs: z.array(entityName).max(100).default([]),
    layers: z.array(z.object({ layer: entityName, parameter: entityName }).strict()).max(100).default([]),
  })
  .strict()
  .refine((b) => b.gates.length + b.configs.length + b.layers.length > 0, 'nothing to report');

/**
 * Is this request from a page of this origin? Fetch Metadata says so directly; a browser without it
 * (older Safari and Firefox) still sends Origin on a cross-site POST, so Origin must then name this
 * host. A request with neither is not a browser's cross-site request (a script can only send its own
 * cookies), so it passes.
 */
function sameOrigin(req: Request): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  const origin = req.headers.get('origin');
  if (origin === null) return true;
  if (origin === 'null') return false;
  const host = req.headers.get('host') ?? new URL(req.url).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The page a router or prefetch render produced is on screen (see LogExposuresOnShow): log the
 * server-side exposures that render deferred (gates, configs and experiments, layer parameters).
 * The user is built from this request exactly as the page built it (same cookies and headers, same
 * options), and the exposures go through the server's own pipeline, so an entity already logged by
 * an earlier page load of this user is deduped like any repeat. Only same-origin callers: a
 * cross-site page cannot log for the visitor. Unknown names are ignored.
 */
export function makeExposuresShownPOST(opts: UserFromRequestOptions = {}) {
  return async function POST(req: Request & { cookies: CookieReader }): Promise<Response> {
    try {
      if (!sameOrigin(req)) throw new HttpError(403, 'only the page\'s own origin may report what it showed');
      const bytes = await readBodyLimited(req, LIMITS.shownBody);
      const parsed = shownBodySchema.safeParse(parseBody(new TextDecoder().decode(bytes), 'shown'));
      if (!parsed.success) throw zodError(parsed.error);
      const statsig = await readyStatsig();
      if (!statsig.health().eventsEnabled) throw noEventDestination();
      const clientKey = opts.clientKey ?? nextConfig().clientKey;
      const identity = await identityFromHeaders(req.headers, req.cookies, { ...opts, clientKey });
      const logged = { gates: 0, configs: 0, layers: 0 };
      // a page rendered before consent reports nothing (see LogExposuresOnShow); a stale one is ignored
      if (identity.consent !== null && !identity.consent.granted) return json(202, { success: true, ...logged, dropped: 'no consent' });
      const snapshot = statsig.evaluateAll(identity.user, { clientKey });
      for (const gate of new Set(parsed.data.gates)) {
        if (snapshot.peekGate(gate).details.reason === 'Unrecognized') continue;
        snapshot.checkGate(gate);
        logged.gates++;
      }
      for (const config of new Set(parsed.data.configs)) {
        // experiments are configs with groups: the same exposure either way
        if (snapshot.peekConfig(config).details.reason === 'Unrecognized') continue;
        snapshot.getConfig(config);
        logged.configs++;
      }
      for (const { layer, parameter } of parsed.data.layers) {
        const l = snapshot.peekLayer(layer);
        if (l.details.reason === 'Unrecognized' || !Object.hasOwn(l.value, parameter)) continue;
        snapshot.getLayer(layer).getValue(parameter);
        logged.layers++;
      }
      return json(202, { success: true, ...logged });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// POST /api/statsig/initialize — the client's network fallback

function decodeStatsigEncoded(text: string): string {
  try {
    return Buffer.from([...text].reverse().join(''), 'base64').toString('utf8');
  } catch {
    throw new HttpError(400, 'invalid encoded body');
  }
}

/** The initialize route for these options: without consent, stableID-keyed entities answer their default, as on the page. */
export function makeInitializePOST(opts: UserFromRequestOptions = {}) {
  return async function POST(req: Request & { cookies?: CookieReader }): Promise<Response> {
    const option = consentOptionFor(opts);
    const consented = option === null || (await decideConsent(option, { headers: req.headers, cookies: req.cookies ?? noCookies })).granted;
    return initializePOST(req, consented);
  };
}

export async function initializePOST(req: Request, consented = true): Promise<Response> {
  try {
    const url = new URL(req.url);
    const clientKey = checkClientKey(url);
    const bytes = await readBodyLimited(req, LIMITS.initializeBody);
    let text = new TextDecoder().decode(bytes).trim();
    if (url.searchParams.get('se') === '1' && !text.startsWith('{')) text = decodeStatsigEncoded(text);
    const parsed = initializeBodySchema.safeParse(parseBody(text, 'initialize'));
    if (!parsed.success) throw zodError(parsed.error);
    if (parsed.data.hash === 'none' && !nextConfig().allowHashNone) {
      // plain names list every gate, config and layer of the project to anyone with the public key
      throw new HttpError(400, 'hash "none" is not enabled on this server (FIRSTLIGHT_ALLOW_HASH_NONE)');
    }
    const raw = withStableIdFallback(parsed.data.user as Record<string, unknown>, parsed.data.statsigMetadata?.stableID);
    const user = userSchema.safeParse(raw);
    if (!user.success) throw zodError(user.error);
    const enriched: StatsigUser = { ...(user.data as StatsigUser) };
    const ip = clientIpFrom(req.headers, nextConfig().trustedIpHeader, nextConfig().trustedProxyHops);
    if (enriched.ip == null && ip) enriched.ip = ip;
    const statsig = await readyStatsig();
    const hash = parsed.data.hash ?? 'djb2';
    const body = consented
      ? statsig.getClientInitializeResponseJSON(enriched, { hash, clientKey, userEcho: 'full' })
      : statsig.evaluateAll(enriched, { clientKey, ...WITHOUT_CONSENT }).toClientInitializeResponseJSON({ hash, userEcho: 'full' });
    if (body === null) throw new HttpError(503, 'specs unavailable', { reason: 'no specs' });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}

// ---------------------------------------------------------------------------------------------
// POST /api/statsig/sdk_exception — accept and log

/**
 * What a browser SDK reports about its own errors: needs the client key, is budgeted per client (a
 * few reports, then one per 10 s), bounded (16 KiB read, 500 characters logged) and written as one
 * log line without control characters (no ANSI escapes, no forged lines), at most one line per 10 s.
 */
export async function sdkExceptionPOST(req: Request): Promise<Response> {
  try {
    const clientKey = checkClientKey(new URL(req.url));
    const keys = budgetKeys(req, clientKey);
    const budget = clientBudgets().exceptions;
    const admitted = budget.admit(keys);
    if (!admitted.ok) return overBudget(admitted.retryAfterSeconds);
    const bytes = await readBodyLimited(req, LIMITS.exceptionBody);
    budget.charge(keys, bytes.byteLength);
    const text = new TextDecoder().decode(bytes);
    routeWarn('sdk_exception', `client SDK exception: ${sanitizeForLog(text, LIMITS.exceptionLogged)}`);
    return json(202, { success: true });
  } catch (e) {
    return errorResponse(e);
  }
}

// ---------------------------------------------------------------------------------------------
// GET /api/statsig/health

/**
 * 200 with `ok: true` when specs are loaded; otherwise 503, or with fail-open 200 and
 * `servingDefaults: true` (the pages are up and render defaults: keep the instance in rotation).
 */
export async function healthGET(opts: { failOpen?: boolean } = {}): Promise<Response> {
  try {
    const statsig = await getStatsig();
    const reason = notReadyReason(statsig);
    // error messages (paths, file snippets) stay in the server log: the body keeps codes and times
    const h = { ...publicBody(statsig.health()), ingest: ingestHealth() };
    if (reason === null) {
      // serving but not keeping every event as it should (a sink failing, events refused): degraded, not down.
      // A client refused for its own budget does not make the service degraded: everyone else is served.
      const status = h.eventsOk ? 'ok' : 'degraded';
      return json(200, { ok: status === 'ok', status, ...h });
    }
    const failOpen = opts.failOpen ?? nextConfig().failOpen;
    return json(failOpen ? 200 : 503, { ok: false, status: 'unavailable', servingDefaults: failOpen, reason: IN_SERVER_LOG, ...h });
  } catch (e) {
    routeWarn('health', `health: the Statsig instance could not start: ${e instanceof Error ? e.message : String(e)}`);
    return json(503, { ok: false, status: 'unavailable', reason: IN_SERVER_LOG });
  }
}
