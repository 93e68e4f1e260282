import { cookies, headers } from 'next/headers';
import { ExpressBadge, HeroView, ProductView, RecsView } from '../../components/views';
import { assertBenchEnabled } from '../enabled';

export const dynamic = 'force-dynamic';

/** The same storefront with fixed values: no user, no evaluation, no bootstrap, no client SDK. */
export default async function BenchPlain() {
  assertBenchEnabled();
  // read the request like the flagged twin does, so both are dynamic renders of equal work otherwise
  await Promise.all([headers(), cookies()]);
  return (
    <main className="page">
      <HeroView
        v={{
          headline: 'Coffee, roasted the morning you order it.',
          subhead: 'Small-batch beans from four farms we visit every year.',
          accent: '#b4532a',
          layout: 'classic',
          group: 'Classic',
        }}
      />
      <div className="grid">
        <ProductView
          express={<ExpressBadge on={false} />}
          v={{ label: 'Add to cart', style: 'outline', group: 'Add to cart', currency: 'USD', freeShippingOver: 40, originNote: 'Roasted in Portland, OR' }}
        />
        <RecsView v={{ title: 'Customer favourites', count: 3, ranker: 'popular' }} />
      </div>
    </main>
  );
}
