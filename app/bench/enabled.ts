import { notFound } from 'next/navigation';

/** Benchmark-only routes exist only when FIRSTLIGHT_BENCH_ROUTES=1 (npm run bench:ssr sets it). */
export function assertBenchEnabled(): void {
  if (process.env.FIRSTLIGHT_BENCH_ROUTES !== '1') notFound();
}
