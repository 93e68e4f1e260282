import { getBootstrap } from 'firstlight/next';
import { FLAGS } from '../../../firstlight';

export const dynamic = 'force-dynamic';

let payload: string | null = null;

/**
 * Benchmark baseline for GET /api/statsig/bootstrap: the same size of JSON, computed once, served as is.
 * Exists only with FIRSTLIGHT_BENCH_ROUTES=1.
 */
export async function GET() {
  if (process.env.FIRSTLIGHT_BENCH_ROUTES !== '1') return new Response('Not found', { status: 404 });
  // the first caller's own bootstrap, frozen: same size and shape as GET /api/statsig/bootstrap for it
  payload ??= (await getBootstrap(FLAGS)).bootstrap;
  return new Response(payload, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-cache' },
  });
}
