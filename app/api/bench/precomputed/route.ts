import { getEngine } from '../../../../server/next/engine';

export const dynamic = 'force-dynamic';

let payload: string | null = null;

/**
 * Benchmark baseline for GET /api/bootstrap: the same size of JSON, computed once, served as is.
 * Exists only with FIRSTLIGHT_BENCH_ROUTES=1.
 */
export async function GET() {
  if (process.env.FIRSTLIGHT_BENCH_ROUTES !== '1') return new Response('Not found', { status: 404 });
  if (payload === null) {
    const engine = await getEngine();
    payload = engine.clientInitializeResponseJSON(
      { customIDs: { stableID: '00000000-0000-4000-8000-000000000000' } },
      { hash: 'djb2', clientKey: process.env.FIRSTLIGHT_CLIENT_KEY || 'client-firstlight-demo', userEcho: 'minimal' },
    );
  }
  return new Response(payload, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-cache' },
  });
}
