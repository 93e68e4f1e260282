import { NextResponse, type NextRequest } from 'next/server';
import { ensureStableId } from './server/next/stable-id';

// Proxy runs per request: keep it to the cookie. Config is read from the environment directly
// (the same defaults as server/next/config.ts) so this file stays light.
const clientKey = process.env.FIRSTLIGHT_CLIENT_KEY?.trim() || 'client-firstlight-demo';
const trustForwardedProto = Boolean(process.env.FIRSTLIGHT_TRUSTED_IP_HEADER?.trim());

export function proxy(req: NextRequest) {
  // Only page-like reads get an ID; server-to-server POSTs (POST /api/bootstrap) must not get cookies.
  if (req.method !== 'GET' && req.method !== 'HEAD') return NextResponse.next();
  return ensureStableId(req, { clientKey, trustForwardedProto });
}

export const config = {
  // Pages and the browser-facing bootstrap route; not static assets, not the event/SDK routes
  // (the client already holds its ID there), not health checks.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/statsig|api/health|api/demo).*)'],
};
