/**
 * GET /v1/download_config_specs/<key>.json and /v2/…: the key's cached specs with ETag/If-None-Match →
 * 304, br or gzip by Accept-Encoding, `{"has_updates":false}` when sinceTime is current, upstream's
 * 401/403 for a refused key. A key past its first verification is answered synchronously.
 */
import type { CachedSpecs, DcsVersion } from '../specs/cached-specs';
import type { KeySync } from '../specs/key-sync';
import { isSdkKey } from '../sdk-key';
import { JSON_TYPE, sendJson, type Route, type RouteContext, type RouteRequest } from './route';

const PREFIX: Record<DcsVersion, string> = { v1: '/v1/download_config_specs/', v2: '/v2/download_config_specs/' };
const NO_UPDATES = Buffer.from('{"has_updates":false}');
const NAME = 'dcs';

function versionOf(path: string): DcsVersion | null {
  return path.startsWith(PREFIX.v1) ? 'v1' : path.startsWith(PREFIX.v2) ? 'v2' : null;
}

function keyFromPath(path: string, version: DcsVersion): string | null {
  let k = path.slice(PREFIX[version].length);
  if (k.endsWith('.json')) k = k.slice(0, -5);
  if (!k || k.includes('/')) return null;
  if (!k.includes('%')) return k;
  try {
    return decodeURIComponent(k);
  } catch {
    return null;
  }
}

function sinceTimeOf(query: string): number {
  const i = query.indexOf('sinceTime=');
  if (i < 0) return 0;
  const n = Number.parseInt(query.slice(i + 10), 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

type Encoding = 'br' | 'gzip' | 'identity';
/** Accept-Encoding values seen, with their choice: a fleet of SDKs sends a handful, so each is split once. */
const ENCODINGS = new Map<string, Encoding>();
const MAX_ENCODINGS = 64;

/** br when the client takes it, else gzip, else identity (q-values are not weighed: SDKs send none). */
function pickEncoding(ae: string | string[] | undefined): Encoding {
  if (typeof ae !== 'string') return 'identity';
  const known = ENCODINGS.get(ae);
  if (known) return known;
  const tokens = ae.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const enc = tokens.includes('br') ? 'br' : tokens.includes('gzip') ? 'gzip' : 'identity';
  if (ENCODINGS.size < MAX_ENCODINGS) ENCODINGS.set(ae, enc);
  return enc;
}

function serve(ctx: RouteContext, r: RouteRequest, k: KeySync): void {
  const state = k.state;
  if (state.kind === 'refused') return sendJson(ctx, r, NAME, state.status, { error: `upstream refused this key (${state.status})` });
  const s = state.specs;
  if (!s) return sendJson(ctx, r, NAME, 503, { error: 'specs unavailable: upstream unreachable and nothing cached for this key' });
  const { req, res } = r;
  const since = r.query ? sinceTimeOf(r.query) : 0;
  if (since >= s.lcut && since > 0) {
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': NO_UPDATES.length });
    res.end(NO_UPDATES);
    return ctx.count(NAME, 200);
  }
  const enc = pickEncoding(req.headers['accept-encoding']);
  const etag = enc === 'br' ? s.etagBr : enc === 'gzip' ? s.etagGz : s.etag;
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && (inm === etag || inm.split(',').some((t) => t.trim() === etag))) {
    res.writeHead(304, { etag, vary: 'Accept-Encoding' });
    res.end();
    return ctx.count(NAME, 304);
  }
  const body = enc === 'br' ? s.br : enc === 'gzip' ? s.gz : s.body;
  res.writeHead(200, headersOf(s, enc, body.length, etag));
  res.end(body);
  ctx.count(NAME, 200);
}

type Headers = Readonly<Record<string, string | number>>;
/** The response headers of each form of a payload, made once per lcut rather than per request. */
const HEADERS = new WeakMap<CachedSpecs, Partial<Record<Encoding, Headers>>>();

function headersOf(s: CachedSpecs, enc: Encoding, length: number, etag: string): Headers {
  let forms = HEADERS.get(s);
  if (!forms) HEADERS.set(s, (forms = {}));
  let h = forms[enc];
  if (!h) {
    h = {
      'content-type': JSON_TYPE,
      'content-length': length,
      etag,
      vary: 'Accept-Encoding',
      'cache-control': 'no-cache',
      ...(enc === 'identity' ? {} : { 'content-encoding': enc }),
    };
    forms[enc] = h;
  }
  return h;
}

export const downloadConfigSpecsRoute: Route = {
  name: NAME,
  matches: (method, path) => (method === 'GET' || method === 'HEAD') && versionOf(path) !== null,
  tryFast(ctx, r) {
    if (r.method !== 'GET') return false;
    const version = versionOf(r.path)!;
    const key = keyFromPath(r.path, version);
    const k = key ? ctx.specs.peek(key, version) : undefined;
    if (!k) return false;
    serve(ctx, r, k);
    return true;
  },
  async handle(ctx, r) {
    const version = versionOf(r.path)!;
    const key = keyFromPath(r.path, version);
    if (!key) return sendJson(ctx, r, NAME, 400, { error: 'missing SDK key' });
    if (!isSdkKey(key)) return sendJson(ctx, r, NAME, 400, { error: 'invalid SDK key: letters, digits, "-" and "_" only' });
    const k = await ctx.specs.lookup(key, version);
    if (!('refused' in k)) return serve(ctx, r, k);
    if (k.refused === 'too-many-keys') return sendJson(ctx, r, NAME, 503, { error: 'too many SDK keys (--max-sdk-keys)' });
    return sendJson(ctx, r, NAME, 503, { error: 'too many new SDK keys this minute (--max-key-verifications-per-minute)' }, { 'retry-after': String(k.retryAfterSeconds) });
  },
};
