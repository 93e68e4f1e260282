import { getRequestFlags, type RequestFlagsOptions } from 'firstlight/next';
import { Hero, Product, Recs } from '../components/flagged';
import { ExpressBadge } from '../components/views';
import { FLAGS } from '../firstlight';

/** The demo storefront's options with the compact payload format (per call: /bench/flags-v2). */
export const FLAGS_V2: RequestFlagsOptions = { ...FLAGS, format: 'init-v2' };

/** The storefront with flags and bootstrap (benchmark twin of /bench/plain), for the layout's options. */
export async function FlaggedStorefront({ opts }: { opts: RequestFlagsOptions }) {
  const flags = await getRequestFlags(opts);
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
