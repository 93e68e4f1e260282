import type { NextRequest } from 'next/server';
import { createStableIdProxy } from 'firstlight/next/proxy';

// Proxy runs per request: it only makes sure the stable-ID cookie exists (and marks prefetches).
const stableIdProxy = createStableIdProxy();

export function proxy(req: NextRequest) {
  return stableIdProxy(req);
}

export const config = {
  // Pages and the browser-facing bootstrap (GET /api/statsig/bootstrap); not static assets, not the
  // event/SDK routes (the client already holds its ID there), not health checks, not the demo's sign-in.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/demo|api/statsig/(?!bootstrap)).*)'],
};
