/**
 * The proxy's route table: one small module per endpoint, each a `Route` that says which requests are
 * its own and answers them through the shared `RouteContext` (the caches, the options, the replies).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdListCache } from '../id-lists';
import type { LogEventForwarder } from '../log-events';
import type { ProxyOptions } from '../options';
import type { SpecCache } from '../specs/spec-cache';

export const JSON_TYPE = 'application/json; charset=utf-8';

export interface RouteContext {
  readonly options: ProxyOptions;
  readonly specs: SpecCache;
  readonly idLists: IdListCache;
  readonly logEvents: LogEventForwarder;
  /** counts one answer of a route (firstlight_proxy_requests_total) */
  count(route: string, status: number): void;
  health(): unknown;
  metricsText(): string;
}

export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  /** the query string without '?' ('' when none) */
  readonly query: string;
}

export interface Route {
  /** the `route` label of firstlight_proxy_requests_total */
  readonly name: string;
  matches(method: string, path: string): boolean;
  /** answers synchronously when it can (the hot path); true when it did */
  tryFast?(ctx: RouteContext, r: RouteRequest): boolean;
  handle(ctx: RouteContext, r: RouteRequest): Promise<void> | void;
}

export function sendJson(ctx: RouteContext, r: RouteRequest, route: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  r.res.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': bytes.length });
  r.res.end(bytes);
  ctx.count(route, status);
}

/** The SDK key of an API request: null when absent, 'invalid' outside the SDK-key alphabet. */
export function apiKeyOf(req: IncomingMessage, isSdkKey: (k: string) => boolean): string | null | 'invalid' {
  const k = req.headers['statsig-api-key'];
  if (typeof k !== 'string' || k.length === 0) return null;
  return isSdkKey(k) ? k : 'invalid';
}
