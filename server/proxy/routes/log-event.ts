/**
 * POST /v1/log_event: the body decoded (identity, gzip, deflate, br, zstd) within the size limit, its
 * JSON depth checked before parsing, the events queued for the key; 503 + Retry-After when the proxy
 * holds all it may.
 */
import { BodyError, parseJsonBody, readBody } from '../request-body';
import { isSdkKey } from '../sdk-key';
import { apiKeyOf, sendJson, type Route } from './route';

const NAME = 'log_event';

export const logEventRoute: Route = {
  name: NAME,
  matches: (method, path) => method === 'POST' && path === '/v1/log_event',
  async handle(ctx, r) {
    const o = ctx.options;
    const key = apiKeyOf(r.req, isSdkKey);
    if (!key) return sendJson(ctx, r, NAME, 401, { error: 'missing STATSIG-API-KEY' });
    if (key === 'invalid') return sendJson(ctx, r, NAME, 400, { error: 'invalid STATSIG-API-KEY' });
    let body: { events?: unknown; statsigMetadata?: unknown };
    try {
      body = parseJsonBody(await readBody(r.req, o.maxBodyBytes), o.maxJsonDepth) as typeof body;
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      return sendJson(ctx, r, NAME, err.status, { error: err.message });
    }
    if (typeof body !== 'object' || body === null || !Array.isArray(body.events)) {
      return sendJson(ctx, r, NAME, 400, { error: 'expected {"events": [...]}' });
    }
    if (!ctx.logEvents.enqueue(key, body)) {
      const retryAfter = String(Math.max(1, Math.ceil(o.logEventFlushIntervalMs / 1000)));
      return sendJson(ctx, r, NAME, 503, { error: 'event queue full, retry later' }, { 'retry-after': retryAfter });
    }
    return sendJson(ctx, r, NAME, 202, { success: true });
  },
};
