import type { ReactNode } from 'react';
import { getBootstrap } from 'firstlight/next';
import { FirstlightProvider } from 'firstlight/react';
import { assertBenchEnabled } from '../enabled';
import { FLAGS_V2 } from '../storefront';

export const dynamic = 'force-dynamic';

export default async function BenchFlagsV2Layout({ children }: { children: ReactNode }) {
  assertBenchEnabled();
  const { clientKey, bootstrap } = await getBootstrap(FLAGS_V2);
  return (
    <FirstlightProvider clientKey={clientKey} bootstrap={bootstrap}>
      {children}
    </FirstlightProvider>
  );
}
