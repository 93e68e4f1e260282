import type { NextRequest } from 'next/server';
import { getEngine } from '../../../../server/next/engine';
import { userFromHeaders } from '../../../../server/next/user';
import { FLAGS } from '../../../firstlight';

export const dynamic = 'force-dynamic';

let payload: string | null = null;

/**
 * Benchmark baseline for GET /api/bootstrap: the same size of JSON, computed once, served as is.
 * Exists only with FIRSTLIGHT_BENCH_ROUTES=1.
 */
export async function GET(req: NextRequest) {
  if (process.env.FIRSTLIGHT_BENCH_ROUTES !== '1') return new Response('Not found', { status: 404 });
  if (payload === null) {
    const engine = await getEngine();
    // the first caller's own bootstrap, frozen: same size and shape as GET /api/bootstrap for it
    payload = engine.clientInitializeResponseJSON(
      userFromHeaders(req.headers, req.cookies, FLAGS),
      { hash: 'djb2', clientKey: process.env.FIRSTLIGHT_CLIENT_KEY || 'client-firstlight-demo', userEcho: 'minimal' },
    );
  }
  return new Response(payload, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-cache' },
  });
}
