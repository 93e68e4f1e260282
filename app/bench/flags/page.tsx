import { getRequestFlags } from 'firstlight/next';
import { Hero, Product, Recs } from '../../components/flagged';
import { ExpressBadge } from '../../components/views';
import { FLAGS } from '../../firstlight';

export const dynamic = 'force-dynamic';

/** The storefront with flags and bootstrap (benchmark twin of /bench/plain). */
export default async function BenchFlags() {
  const flags = await getRequestFlags(FLAGS);
  const express = flags.checkGate('express_checkout');
  return (
    <main className="page">
      <Hero />
      <div className="grid">
        <Product express={<ExpressBadge on={express} />} />
        <Recs />
      </div>
    </main>
  );
}
