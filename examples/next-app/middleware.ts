import { NextResponse, type NextRequest } from 'next/server';
import { createStableIdProxy } from 'firstlight/next/proxy';
import { checkGate, parseSpecs, type Specs } from 'firstlight/core';
import dcs from './specs/dcs.json';

// Edge runtime (middleware.ts). The stable-ID cookie for every page, and one edge endpoint that
// evaluates a gate with the pure core: no Node API, no network.
const stableId = createStableIdProxy();
let specs: Specs | undefined;

export function middleware(req: NextRequest) {
  if (req.nextUrl.pathname === '/edge/express') {
    specs ??= parseSpecs(dcs);
    const email = req.nextUrl.searchParams.get('email') ?? undefined;
    const user = { userID: req.nextUrl.searchParams.get('user') ?? 'anonymous', email };
    const runtime = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string' ? 'edge' : 'nodejs';
    return NextResponse.json({ runtime, express_checkout: checkGate(specs, user, 'express_checkout') });
  }
  return stableId(req);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/statsig/(?!bootstrap)).*)'],
};
