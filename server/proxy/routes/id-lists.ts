/**
 * POST /v1/get_id_lists (upstream's manifest, URLs rewritten to this proxy) and
 * GET /v1/id_list_file/<token>/<fileID> (the list file, Range supported).
 */
import type { IncomingMessage } from 'node:http';
import { readBody } from '../request-body';
import { isSdkKey } from '../sdk-key';
import type { HttpAnswer } from '../id-lists';
import { apiKeyOf, sendJson, type Route, type RouteContext, type RouteRequest } from './route';

const FILE_PREFIX = '/v1/id_list_file/';

function publicBase(ctx: RouteContext, req: IncomingMessage): string {
  const o = ctx.options;
  return o.publicUrl?.replace(/\/+$/, '') ?? `http://${req.headers.host ?? `${o.host}:${o.port}`}`;
}

function answer(ctx: RouteContext, r: RouteRequest, route: string, a: HttpAnswer): void {
  r.res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
  r.res.end(r.method === 'HEAD' ? undefined : a.body);
  ctx.count(route, a.status);
}

export const getIdListsRoute: Route = {
  name: 'get_id_lists',
  matches: (method, path) => method === 'POST' && path === '/v1/get_id_lists',
  async handle(ctx, r) {
    // the body says nothing the proxy needs, but it is read (within the limit) to keep the connection usable
    await readBody(r.req, ctx.options.maxBodyBytes).catch(() => Buffer.alloc(0));
    const key = apiKeyOf(r.req, isSdkKey);
    if (!key) return sendJson(ctx, r, 'get_id_lists', 401, { error: 'missing STATSIG-API-KEY' });
    if (key === 'invalid') return sendJson(ctx, r, 'get_id_lists', 400, { error: 'invalid STATSIG-API-KEY' });
    answer(ctx, r, 'get_id_lists', await ctx.idLists.manifest(key, publicBase(ctx, r.req)));
  },
};

export const idListFileRoute: Route = {
  name: 'id_list_file',
  matches: (method, path) => (method === 'GET' || method === 'HEAD') && path.startsWith(FILE_PREFIX),
  async handle(ctx, r) {
    const [token, rawFileID, extra] = r.path.slice(FILE_PREFIX.length).split('/');
    let fileID: string | null = null;
    try {
      fileID = rawFileID ? decodeURIComponent(rawFileID) : null;
    } catch {
      fileID = null; // malformed %-escape: no such file
    }
    if (!token || !fileID || extra !== undefined) return sendJson(ctx, r, 'id_list_file', 404, { error: 'not found' });
    const range = r.req.headers.range;
    answer(ctx, r, 'id_list_file', await ctx.idLists.file(token, fileID, typeof range === 'string' ? range : undefined));
  },
};
