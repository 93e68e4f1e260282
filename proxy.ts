import type { NextRequest } from 'next/server';
import { createStableIdProxy } from './server/next';

// Proxy runs per request: it only makes sure the stable-ID cookie exists (and marks prefetches).
const stableIdProxy = createStableIdProxy();

export function proxy(req: NextRequest) {
  return stableIdProxy(req);
}

export const config = {
  // Pages and the browser-facing bootstrap route; not static assets, not the event/SDK routes
  // (the client already holds its ID there), not health checks.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/statsig|api/health|api/demo).*)'],
};
