/** GET /health (JSON) and GET /metrics (Prometheus text). */
import { sendJson, type Route } from './route';

export const healthRoute: Route = {
  name: 'health',
  matches: (method, path) => method === 'GET' && path === '/health',
  handle: (ctx, r) => sendJson(ctx, r, 'health', 200, ctx.health()),
};

export const metricsRoute: Route = {
  name: 'metrics',
  matches: (method, path) => method === 'GET' && path === '/metrics',
  handle(ctx, r) {
    const body = Buffer.from(ctx.metricsText());
    r.res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': body.length });
    r.res.end(body);
    ctx.count('metrics', 200);
  },
};
