import type { ReactNode } from 'react';
import { getBootstrap } from 'firstlight/next';
import { FirstlightProvider } from 'firstlight/react';
import { FLAGS } from '../../firstlight';
import { assertBenchEnabled } from '../enabled';

export const dynamic = 'force-dynamic';

export default async function BenchFlagsLayout({ children }: { children: ReactNode }) {
  assertBenchEnabled();
  const { clientKey, bootstrap } = await getBootstrap(FLAGS);
  return (
    <FirstlightProvider clientKey={clientKey} bootstrap={bootstrap}>
      {children}
    </FirstlightProvider>
  );
}
